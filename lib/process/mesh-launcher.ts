// Starts the mesh as separate processes — trace store, tool worker, conversation service — each
// waiting for the previous one to be listening, and stops them in reverse. `tracemesh up`,
// `tracemesh demo`, the end-to-end tests and the benchmark all start the mesh through here.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
}

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  ready: ReadyMessage;
}

export interface RunningMesh {
  conversationTarget: string;
  toolworkerTarget: string;
  /** Undefined when traces go to Braintrust instead. */
  tracestoreUrl: string | undefined;
  /** The environment a client process needs to join this mesh (targets, trace backend). */
  clientEnv: Record<string, string>;
  processes: Map<ServiceName, ServiceProcess>;
  /** Starts one service again (after a kill), with the same port and environment. */
  restart(name: ServiceName): Promise<ServiceProcess>;
  stop(): Promise<void>;
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

/** Starts one service process and resolves once it announces that it is listening. */
export function startService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  logs: 'inherit' | 'file',
  logDir: string,
  timeoutMs: number,
): Promise<ServiceProcess> {
  const logFile: WriteStream | undefined = logs === 'file' ? createWriteStream(join(logDir, `${name}.log`), { flags: 'a' }) : undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, ENTRY_POINTS[name])], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', logs === 'inherit' ? 'inherit' : 'pipe', logs === 'inherit' ? 'inherit' : 'pipe', 'ipc'],
  });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      logFile?.write(chunk);
      tail.push(chunk.toString());
      if (tail.length > 20) tail.shift();
    });
  }
  child.once('exit', () => logFile?.end());
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not become ready within ${timeoutMs} ms:\n${tail.join('')}`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (!isReadyMessage(message)) return;
      clearTimeout(timer);
      resolveStart({ name, child, ready: message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal}):\n${tail.join('')}`));
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
  const processes = new Map<ServiceName, ServiceProcess>();
  const envFor = new Map<ServiceName, NodeJS.ProcessEnv>();
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, TRACEMESH_DATA_DIR: dataDir, ...options.env };

  const launch = async (name: ServiceName, env: NodeJS.ProcessEnv): Promise<ServiceProcess> => {
    const started = await startService(name, env, logs, logDir, timeoutMs);
    processes.set(name, started);
    envFor.set(name, { ...env, [`${name.toUpperCase()}_PORT`]: String(started.ready.port) });
    return started;
  };

  const stop = async (): Promise<void> => {
    for (const name of ['conversation', 'toolworker', 'tracestore'] as const) {
      const running = processes.get(name);
      if (running) await stopProcess(running.child);
    }
  };

  try {
    let tracestoreUrl: string | undefined;
    if (withTraceStore) {
      const store = await launch('tracestore', { ...baseEnv, TRACESTORE_PORT: String(options.ports?.tracestore ?? 0) });
      tracestoreUrl = store.ready.address;
      baseEnv.TRACESTORE_URL = tracestoreUrl;
    }
    const worker = await launch('toolworker', { ...baseEnv, TOOLWORKER_PORT: String(options.ports?.toolworker ?? 0) });
    const toolworkerTarget = worker.ready.address;
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
      restart: async (name) => {
        const previous = processes.get(name);
        if (previous) await stopProcess(previous.child);
        return launch(name, envFor.get(name) ?? baseEnv);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
