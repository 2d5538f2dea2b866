// Runs a real Chroma server from the npm package (`chromadb`'s CLI: the Rust server in a Node
// process) on a data directory and port, waits for its heartbeat, and stops it. `tracemesh up`, the
// demo and the tests start Chroma through here.
//
// The server runs in its own process group so stop() can signal everything it started. It must
// also die with whoever started it — a crashed test run or launcher must not leave a Chroma server
// holding the port — but the CLI runs the server synchronously on Node's main thread, so no JS
// handler (IPC 'disconnect', SIGINT) ever runs there: a preloaded worker thread watches the parent
// pid instead and terminates the process when it changes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { captureOutput } from './child-output.js';
import { findFreePort } from './free-port.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHROMA_CLI = join(dirname(fileURLToPath(import.meta.resolve('chromadb'))), 'cli.mjs');
const PARENT_WATCH_MS = 1_000;
/** Preloaded into the server process: a worker thread that terminates it once its parent is gone. */
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent([
  "import { Worker } from 'node:worker_threads';",
  'const parent = process.ppid;',
  `const watch = 'const parent = ' + parent + '; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGTERM"); }, ${PARENT_WATCH_MS});';`,
  'new Worker(watch, { eval: true }).unref();',
].join('\n'))}`;
const HEARTBEAT_PATH = '/api/v2/heartbeat';
const HEARTBEAT_POLL_MS = 100;
/** Attempts when the port was picked here and another process took it before Chroma bound it. */
const FREE_PORT_ATTEMPTS = 3;

export interface ChromaServerOptions {
  /** Where Chroma keeps its data (created if missing). */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Server output: appended to this file, or discarded. */
  logFile?: string;
  startTimeoutMs?: number;
}

export interface ChromaServer {
  url: string;
  host: string;
  port: number;
  pid: number;
  dataDir: string;
  /** SIGTERM to the server's process group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  /** Calls `listener` once the server process exits, for whatever reason (stop() included). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

/** True when GET <url>/api/v2/heartbeat answers 200 within `timeoutMs`. */
export async function chromaHeartbeat(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(new URL(HEARTBEAT_PATH, url), { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  signalGroup(child, 'SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    signalGroup(child, 'SIGKILL');
    await waitForExit(child, 2_000);
  }
}

async function launchOnce(options: Required<Omit<ChromaServerOptions, 'logFile'>> & { logFile?: string }): Promise<ChromaServer> {
  const { dataDir, host, port, startTimeoutMs } = options;
  const child = spawn(
    process.execPath,
    ['--import', EXIT_WITH_PARENT, CHROMA_CLI, 'run', '--path', dataDir, '--host', host, '--port', String(port)],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureOutput(child, options.logFile);
  // Nothing here keeps this process alive: if it exits without stop(), the watchdog ends the server.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();

  const url = `http://${host}:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  while (!(await chromaHeartbeat(url, 500))) {
    if (hasExited(child)) {
      throw new Error(`Chroma exited before answering its heartbeat (code ${child.exitCode}, signal ${child.signalCode}):\n${output.tail()}`);
    }
    if (Date.now() > deadline) {
      await stopChild(child, 2_000);
      throw new Error(`Chroma did not answer ${url}${HEARTBEAT_PATH} within ${startTimeoutMs} ms:\n${output.tail()}`);
    }
    await new Promise((r) => setTimeout(r, HEARTBEAT_POLL_MS));
  }
  return {
    url, host, port, pid: child.pid ?? -1, dataDir,
    stop: (graceMs = 5_000) => stopChild(child, graceMs),
    onExit: (listener) => {
      if (hasExited(child)) listener(child.exitCode, child.signalCode);
      else child.once('exit', listener);
    },
  };
}

export async function startChromaServer(options: ChromaServerOptions): Promise<ChromaServer> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  if (options.logFile) mkdirSync(dirname(options.logFile), { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const requested = options.port ?? 0;
  const attempts = requested === 0 ? FREE_PORT_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = requested === 0 ? await findFreePort(host) : requested;
    try {
      return await launchOnce({ dataDir, host, port, startTimeoutMs, logFile: options.logFile });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
