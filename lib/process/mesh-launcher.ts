// Starts the mesh as separate processes — Chroma (unless CHROMA_URL names a server), trace store,
// one or more tool workers, conversation service — each waiting for the previous one to be
// listening, and stops them in reverse. `tracemesh up`, `tracemesh demo`, the end-to-end tests and
// the benchmark all start the mesh through here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChromaServer, type ChromaServer } from './chroma-server.js';
import { captureOutput, lastLines, lastWords, tailOfFile, type ChildOutput } from './child-output.js';
import { isReadyMessage, type ReadyMessage } from './ready.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServiceName = 'tracestore' | 'toolworker' | 'conversation';

const ENTRY_POINTS: Record<ServiceName, string> = {
  tracestore: 'services/tracestore/main.ts',
  toolworker: 'services/toolworker/main.ts',
  conversation: 'services/conversation/main.ts',
};

export interface MeshOptions {
  dataDir: string;
  /** Ports to listen on; 0 (the default) picks free ones. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Extra environment for every process (e.g. OFFLINE_MODEL_DELTA_DELAY_MS). */
  env?: Record<string, string>;
  /** "inherit": service logs go to this terminal; "file": to <dataDir>/logs/<service>.log. */
  logs?: 'inherit' | 'file';
  /** Start the local trace store (not needed when BRAINTRUST_API_KEY sends traces to Braintrust). */
  withTraceStore?: boolean;
  readyTimeoutMs?: number;
  /** An existing Chroma server for the worker (default CHROMA_URL); unset, the launcher starts one. */
  chromaUrl?: string;
  /** Port of the Chroma server the launcher starts (data in <dataDir>/chroma); 0 (the default) picks a free one. */
  chromaPort?: number;
  /** How many tool workers to start (a pool behind round_robin); default 1. */
  workers?: number;
}

export interface ServiceProcess {
  name: ServiceName;
  /** Which process: the service name, or "toolworker-2", "toolworker-3"… in a pool. */
  instance: string;
  child: ChildProcess;
  ready: ReadyMessage;
}

/** The grpc-js target for a pool of worker addresses: the address itself, or an ipv4: list. */
export function workerPoolTarget(addresses: string[]): string {
  return addresses.length === 1 ? (addresses[0] ?? '') : `ipv4:${addresses.join(',')}`;
}

/** A process of the mesh that ended while nobody was stopping it. */
export interface UnexpectedExit {
  /** "tracestore", "toolworker", "toolworker-2"…, "conversation" or "chroma". */
  instance: string;
  /** Null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Where its output went; undefined when it went to this terminal. */
  logFile: string | undefined;
  /** The last lines it wrote (its log's tail); empty when its output went to this terminal. */
  lastLines: string[];
}

/** Lines of a dead process's output an UnexpectedExit carries. */
const EXIT_TAIL_LINES = 5;
/** How long an exit report waits for the child's pipes to drain (a grandchild may hold them). */
const DRAIN_WAIT_MS = 1_000;

export interface RunningMesh {
  conversationTarget: string;
  toolworkerTarget: string;
  /** Undefined when traces go to Braintrust instead. */
  tracestoreUrl: string | undefined;
  /** The environment a client process needs to join this mesh (targets, trace backend). */
  clientEnv: Record<string, string>;
  /** Every process by instance name ("tracestore", "toolworker", "toolworker-2", "conversation"…). */
  processes: Map<string, ServiceProcess>;
  /**
   * Starts one process again (after a kill), with the same port and environment. Rejects when it
   * fails to start (its last words in the message) or the mesh is stopping.
   */
  restart(instance: string): Promise<ServiceProcess>;
  /** The Chroma server the worker uses (passed to it as CHROMA_URL). */
  chromaUrl: string;
  /** The Chroma server this launcher started; undefined when CHROMA_URL named an existing one. */
  chroma: ChromaServer | undefined;
  /** Stops the launched Chroma server (fault tests: the worker's search tool becomes UNAVAILABLE). */
  stopChroma(): Promise<void>;
  /** Starts the launched Chroma server again, on the same port and data directory (rejects once stop() began). */
  startChroma(): Promise<ChromaServer>;
  /** Stops every process, in reverse start order — processes still starting (a restart) included. */
  stop(): Promise<void>;
  /**
   * Calls `listener` each time a process exits that was not being stopped by stop(), restart() or
   * stopChroma() (killed, crashed) — a Chroma started again by startChroma() may report again.
   * Exits that happened before the first listener was added are reported to it at once.
   */
  onUnexpectedExit(listener: (exit: UnexpectedExit) => void): void;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

export async function stopProcess(child: ChildProcess, graceMs = 6_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitForExit(child, 2_000);
  }
}

/** A service process just spawned: the child at once (so it can be stopped mid-start), ready later. */
export interface SpawnedService {
  child: ChildProcess;
  output: ChildOutput;
  /** Resolves once it announces that it is listening; rejects if it exits or times out first. */
  ready: Promise<ServiceProcess>;
}

/** Starts one service process and resolves once it announces that it is listening. */
export function startService(...args: Parameters<typeof spawnService>): Promise<ServiceProcess> {
  return spawnService(...args).ready;
}

export function spawnService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  logs: 'inherit' | 'file',
  logDir: string,
  timeoutMs: number,
  instance: string = name,
): SpawnedService {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, ENTRY_POINTS[name])], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', logs === 'inherit' ? 'inherit' : 'pipe', logs === 'inherit' ? 'inherit' : 'pipe', 'ipc'],
  });
  const output = captureOutput(child, logs === 'file' ? join(logDir, `${instance}.log`) : undefined);
  const ready = new Promise<ServiceProcess>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not become ready within ${timeoutMs} ms${lastWords(output)}`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (!isReadyMessage(message)) return;
      clearTimeout(timer);
      resolveStart({ name, instance, child, ready: message });
    });
    // On 'close' (the pipes drained), so the error carries what the child said before it exited.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})${lastWords(output)}`));
    });
  });
  return { child, output, ready };
}

/** Resolves once the child's stdio closed (its last output read), or after `timeoutMs`. */
function drained(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveDrained) => {
    const timer = setTimeout(resolveDrained, timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolveDrained();
    });
  });
}

export async function startMesh(options: MeshOptions): Promise<RunningMesh> {
  const dataDir = resolve(options.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logs = options.logs ?? 'file';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const withTraceStore = options.withTraceStore ?? !process.env.BRAINTRUST_API_KEY;
  const processes = new Map<string, ServiceProcess>();
  const envFor = new Map<string, { name: ServiceName; env: NodeJS.ProcessEnv }>();
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, TRACEMESH_DATA_DIR: dataDir, ...options.env };

  let stopping = false;
  const stoppedOnPurpose = new WeakSet<ChildProcess>();
  const exitListeners: Array<(exit: UnexpectedExit) => void> = [];
  // Exits before anyone listens (a worker dying while the conversation service starts) are kept
  // for the first listener: `up` would otherwise never restart that worker, nor say it died.
  const unheard: UnexpectedExit[] = [];
  const reportUnexpectedExit = (exit: UnexpectedExit): void => {
    if (stopping) return;
    if (exitListeners.length === 0) unheard.push(exit);
    for (const listener of exitListeners) listener(exit);
  };
  const stopOnPurpose = (child: ChildProcess): Promise<void> => {
    stoppedOnPurpose.add(child);
    return stopProcess(child);
  };

  // Children spawned but not yet ready (a restart in progress): stop() must end them too, or a
  // Ctrl-C during a restart would leave one behind.
  const starting = new Map<ChildProcess, Promise<unknown>>();

  const launch = async (name: ServiceName, env: NodeJS.ProcessEnv, instance: string = name): Promise<ServiceProcess> => {
    if (stopping) throw new Error(`not starting ${instance}: the mesh is stopping`);
    const spawned = spawnService(name, env, logs, logDir, timeoutMs, instance);
    starting.set(spawned.child, spawned.ready.catch(() => undefined));
    let started: ServiceProcess;
    try {
      started = await spawned.ready;
    } finally {
      starting.delete(spawned.child);
    }
    if (stopping) {
      await stopOnPurpose(started.child);
      throw new Error(`not starting ${instance}: the mesh is stopping`);
    }
    processes.set(instance, started);
    const logFile = logs === 'file' ? join(logDir, `${instance}.log`) : undefined;
    started.child.once('exit', (code, signal) => {
      if (stoppedOnPurpose.has(started.child)) return;
      // Reported once its pipes drained, so the report carries what it wrote last.
      void drained(started.child, DRAIN_WAIT_MS).then(() =>
        reportUnexpectedExit({ instance, code, signal, logFile, lastLines: logFile ? lastLines(spawned.output.tail(), EXIT_TAIL_LINES) : [] }),
      );
    });
    // A restart reuses the port it got, so clients (and the worker pool's address list) still find it.
    envFor.set(instance, { name, env: { ...env, [`${name.toUpperCase()}_PORT`]: String(started.ready.port) } });
    return started;
  };

  const existingChromaUrl = options.chromaUrl ?? baseEnv.CHROMA_URL;
  let chroma: ChromaServer | undefined;
  const chromaStoppedOnPurpose = new WeakSet<ChromaServer>();
  const launchChroma = async (port: number): Promise<ChromaServer> => {
    // Chroma's output is not structured logging: always to its own file, even with logs "inherit".
    const logFile = join(logDir, 'chroma.log');
    if (stopping) throw new Error('not starting Chroma: the mesh is stopping');
    const server = await startChromaServer({ dataDir: join(dataDir, 'chroma'), port, logFile, startTimeoutMs: timeoutMs });
    if (stopping) {
      // stop() ran while it started (it stopped the previous one): this one is ours to stop.
      chromaStoppedOnPurpose.add(server);
      await server.stop();
      throw new Error('not starting Chroma: the mesh is stopping');
    }
    chroma = server;
    server.onExit((code, signal) => {
      if (!chromaStoppedOnPurpose.has(server)) {
        reportUnexpectedExit({ instance: 'chroma', code, signal, logFile, lastLines: lastLines(tailOfFile(logFile), EXIT_TAIL_LINES) });
      }
    });
    return server;
  };
  const stopLaunchedChroma = async (): Promise<void> => {
    if (!chroma) return;
    chromaStoppedOnPurpose.add(chroma);
    await chroma.stop();
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    // A process still starting has no turns or spans to finish: SIGKILL, and wait until it is gone.
    const stillStarting = [...starting];
    for (const [child] of stillStarting) {
      stoppedOnPurpose.add(child);
      child.kill('SIGKILL');
    }
    await Promise.all(stillStarting.map(([child, settled]) => Promise.all([settled, waitForExit(child, 2_000)])));
    const order: ServiceName[] = ['conversation', 'toolworker', 'tracestore'];
    for (const name of order) {
      const running = [...processes.values()].filter((p) => p.name === name);
      await Promise.all(running.map((p) => stopOnPurpose(p.child)));
    }
    await stopLaunchedChroma();
  };

  try {
    const chromaUrl = existingChromaUrl ?? (await launchChroma(options.chromaPort ?? 0)).url;
    baseEnv.CHROMA_URL = chromaUrl;
    let tracestoreUrl: string | undefined;
    if (withTraceStore) {
      const store = await launch('tracestore', { ...baseEnv, TRACESTORE_PORT: String(options.ports?.tracestore ?? 0) });
      tracestoreUrl = store.ready.address;
      baseEnv.TRACESTORE_URL = tracestoreUrl;
    }
    const workerCount = Math.max(1, options.workers ?? 1);
    const basePort = options.ports?.toolworker ?? 0;
    const workers = await Promise.all(
      Array.from({ length: workerCount }, (_, i) => {
        const instance = i === 0 ? 'toolworker' : `toolworker-${i + 1}`;
        const port = basePort === 0 ? 0 : basePort + 10 * i;
        return launch('toolworker', { ...baseEnv, TOOLWORKER_PORT: String(port), TOOLWORKER_ID: instance }, instance);
      }),
    );
    const toolworkerTarget = workerPoolTarget(workers.map((worker) => worker.ready.address));
    const conversation = await launch('conversation', {
      ...baseEnv,
      CONVERSATION_PORT: String(options.ports?.conversation ?? 0),
      TOOLWORKER_TARGET: toolworkerTarget,
    });
    const clientEnv: Record<string, string> = { CONVERSATION_TARGET: conversation.ready.address };
    if (tracestoreUrl) clientEnv.TRACESTORE_URL = tracestoreUrl;
    return {
      conversationTarget: conversation.ready.address,
      toolworkerTarget,
      tracestoreUrl,
      clientEnv,
      processes,
      restart: async (instance) => {
        const known = envFor.get(instance);
        if (!known) throw new Error(`no process "${instance}" in this mesh`);
        const previous = processes.get(instance);
        if (previous) await stopOnPurpose(previous.child);
        return launch(known.name, known.env, instance);
      },
      chromaUrl,
      get chroma() {
        return chroma;
      },
      stopChroma: stopLaunchedChroma,
      startChroma: async () => {
        if (!chroma) throw new Error(`this mesh uses an existing Chroma server (${chromaUrl}); it did not start one`);
        await stopLaunchedChroma();
        return launchChroma(chroma.port);
      },
      stop,
      onUnexpectedExit: (listener) => {
        exitListeners.push(listener);
        for (const exit of unheard.splice(0)) listener(exit);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
