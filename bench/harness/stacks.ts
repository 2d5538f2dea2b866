// The systems under test, each as real processes on free ports: the mesh (tracing on, and off),
// the floor and the peer. One Chroma server is shared (only the mesh's seed-query turns use it).
// All share the benchmark's conditions: the offline model with zero think time and the
// fixed-latency diagnostics tool enabled.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startChromaServer, type ChromaServer } from '../../lib/process/chroma-server.js';
import { startMesh, startService, stopProcess, type RunningMesh, type ServiceProcess } from '../../lib/process/mesh-launcher.js';
import { startHarnessProcess, type HarnessProcess } from './node-process.js';
import type { ProcessSet } from './process-cpu.js';
import { saveRecordedTurn, type RecordedTurn } from '../baselines/floor/recorded-turn.js';

export const BENCH_ENV: Record<string, string> = {
  OFFLINE_MODEL_DELTA_DELAY_MS: '0',
  TOOLWORKER_DIAGNOSTIC_TOOLS: '1',
};

export interface StackOptions {
  /** Root of every process's data (databases, logs). */
  dataDir: string;
  /** Extra environment for every process (e.g. the CPU-profiling preload). */
  env?: Record<string, string>;
}

export interface MeshStack {
  name: string;
  mesh: RunningMesh;
  conversationTarget: string;
  conversationPid: number;
  workerPid: number;
  /** Its processes by role, for CPU accounting (no trace store with tracing off). */
  processes: ProcessSet;
  stop(): Promise<void>;
}

export async function startSharedChroma(dataDir: string): Promise<ChromaServer> {
  return startChromaServer({ dataDir: join(dataDir, 'chroma'), logFile: join(dataDir, 'chroma.log'), startTimeoutMs: 60_000 });
}

export async function startMeshStack(
  name: string,
  chromaUrl: string,
  options: StackOptions & { tracing: boolean; extraEnv?: Record<string, string>; tracestoreUrl?: string },
): Promise<MeshStack> {
  const dir = join(options.dataDir, name);
  const mesh = await startMesh({
    dataDir: dir,
    chromaUrl,
    // With tracing off no process sends spans: a trace store would only idle.
    withTraceStore: options.tracing && options.tracestoreUrl === undefined,
    env: {
      ...BENCH_ENV,
      ...options.env,
      ...options.extraEnv,
      TRACEMESH_TRACING: options.tracing ? 'on' : 'off',
      ...(options.tracestoreUrl ? { TRACESTORE_URL: options.tracestoreUrl } : {}),
    },
    readyTimeoutMs: 60_000,
  });
  const pid = (instance: string): number => mesh.processes.get(instance)?.child.pid ?? -1;
  const processes: ProcessSet = { conversation: pid('conversation'), 'tool worker': pid('toolworker') };
  if (mesh.processes.has('tracestore')) processes['trace store'] = pid('tracestore');
  return { name, mesh, conversationTarget: mesh.conversationTarget, conversationPid: pid('conversation'), workerPid: pid('toolworker'), processes, stop: () => mesh.stop() };
}

export interface FloorStack {
  conversationTarget: string;
  stop(): Promise<void>;
}

export async function startFloorStack(script: RecordedTurn, options: StackOptions): Promise<FloorStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const scriptPath = join(options.dataDir, 'floor-script.json');
  saveRecordedTurn(scriptPath, script);
  const worker = await startHarnessProcess('floor-worker', 'bench/baselines/floor/floor-worker.ts', { ...options.env, FLOOR_SCRIPT: scriptPath });
  let conversation: HarnessProcess;
  try {
    conversation = await startHarnessProcess('floor-conversation', 'bench/baselines/floor/floor-conversation.ts', {
      ...options.env,
      FLOOR_SCRIPT: scriptPath,
      FLOOR_WORKER_TARGET: worker.ready.address,
    });
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return {
    conversationTarget: conversation.ready.address,
    stop: async () => {
      await conversation.stop();
      await worker.stop();
    },
  };
}

export interface PeerStack {
  baseUrl: string;
  conversationPid: number;
  processes: ProcessSet;
  stop(): Promise<void>;
}

export async function startPeerStack(chromaUrl: string, options: StackOptions): Promise<PeerStack> {
  const dir = join(options.dataDir, 'peer');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const baseEnv: Record<string, string> = { ...BENCH_ENV, ...options.env, TRACEMESH_DATA_DIR: dir, CHROMA_URL: chromaUrl };
  const store: ServiceProcess = await startService('tracestore', { ...process.env, ...baseEnv, TRACESTORE_PORT: '0' }, 'file', join(dir, 'logs'), 30_000);
  const started: HarnessProcess[] = [];
  try {
    const env = { ...baseEnv, TRACESTORE_URL: store.ready.address };
    const worker = await startHarnessProcess('peer-worker', 'bench/baselines/peer/peer-worker.ts', env);
    started.push(worker);
    const server = await startHarnessProcess('peer-conversation', 'bench/baselines/peer/peer-server.ts', { ...env, PEER_WORKER_URL: worker.ready.address });
    started.push(server);
    return {
      baseUrl: server.ready.address,
      conversationPid: server.child.pid ?? -1,
      processes: { 'peer server': server.child.pid ?? -1, 'peer worker': worker.child.pid ?? -1, 'trace store': store.child.pid ?? -1 },
      stop: async () => {
        for (const process of started.reverse()) await process.stop();
        await stopProcess(store.child);
      },
    };
  } catch (error) {
    for (const process of started.reverse()) await process.stop();
    await stopProcess(store.child);
    throw error;
  }
}
