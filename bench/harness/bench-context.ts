// What every scenario gets: the run's settings (quick or full, where data goes) and the systems
// under test, each started on first use and shared by the scenarios that follow, then stopped once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import type { ChromaServer } from '../../lib/process/chroma-server.js';
import { recordTurn, type RecordedTurn } from '../baselines/floor/recorded-turn.js';
import { GrpcTurnClient } from './grpc-turn.js';
import { startFloorStack, startMeshStack, startPeerStack, startSharedChroma, type FloorStack, type MeshStack, type PeerStack } from './stacks.js';

export interface BenchSettings {
  quick: boolean;
  /** Scratch space for every process's data; removed by the caller. */
  dataDir: string;
  /** When set, every process writes a CPU profile here when it stops. */
  profileDir?: string;
  /** Where the scaling scenario writes its plot (beside the report). */
  plotPath: string;
}

export class BenchContext {
  private chroma: Promise<ChromaServer> | undefined;
  private readonly stacks = new Map<string, Promise<{ stop(): Promise<void> }>>();
  private recordedSeedTurn: Promise<RecordedTurn> | undefined;

  constructor(readonly settings: BenchSettings) {
    mkdirSync(settings.dataDir, { recursive: true });
  }

  get quick(): boolean {
    return this.settings.quick;
  }

  /** Picks the quick or the full value of a knob. */
  pick<T>(quick: T, full: T): T {
    return this.settings.quick ? quick : full;
  }

  log(message: string): void {
    process.stderr.write(`[bench] ${message}\n`);
  }

  /** Environment for every process of every stack (the CPU-profiling preload when asked). */
  processEnv(): Record<string, string> {
    const dir = this.settings.profileDir;
    return dir ? { NODE_OPTIONS: `--import ${join(import.meta.dirname, '..', 'profiling', 'cpu-profile-preload.mjs')}`, TRACEMESH_CPU_PROFILE_DIR: dir } : {};
  }

  chromaServer(): Promise<ChromaServer> {
    this.chroma ??= startSharedChroma(this.settings.dataDir);
    return this.chroma;
  }

  private shared<T extends { stop(): Promise<void> }>(key: string, start: () => Promise<T>): Promise<T> {
    let stack = this.stacks.get(key) as Promise<T> | undefined;
    if (!stack) {
      this.log(`starting ${key}`);
      stack = start();
      this.stacks.set(key, stack);
    }
    return stack;
  }

  /** The mesh as shipped: tracing on, into its own local trace store. */
  mesh(): Promise<MeshStack> {
    return this.shared('mesh', async () => startMeshStack('mesh', (await this.chromaServer()).url, { dataDir: this.settings.dataDir, env: this.processEnv(), tracing: true }));
  }

  meshWithoutTracing(): Promise<MeshStack> {
    return this.shared('mesh-tracing-off', async () =>
      startMeshStack('mesh-tracing-off', (await this.chromaServer()).url, { dataDir: this.settings.dataDir, env: this.processEnv(), tracing: false }),
    );
  }

  /** The seed query's turn as the mesh streams it (recorded once, replayed by the floor). */
  seedTurn(): Promise<RecordedTurn> {
    this.recordedSeedTurn ??= (async () => {
      const client = new GrpcTurnClient((await this.meshWithoutTracing()).conversationTarget);
      try {
        return await recordTurn(client.client, SEED_QUERY);
      } finally {
        client.close();
      }
    })();
    return this.recordedSeedTurn;
  }

  floor(): Promise<FloorStack> {
    return this.shared('floor', async () => startFloorStack(await this.seedTurn(), { dataDir: join(this.settings.dataDir, 'floor'), env: this.processEnv() }));
  }

  peer(): Promise<PeerStack> {
    return this.shared('peer', async () => startPeerStack((await this.chromaServer()).url, { dataDir: this.settings.dataDir, env: this.processEnv() }));
  }

  /** Starts a stack only this caller uses; stopped with the others at the end if the caller does not. */
  own<T extends { stop(): Promise<void> }>(key: string, start: () => Promise<T>): Promise<T> {
    return this.shared(key, start);
  }

  async release(key: string): Promise<void> {
    const stack = this.stacks.get(key);
    this.stacks.delete(key);
    await (await stack?.catch(() => undefined))?.stop();
  }

  async stopAll(): Promise<void> {
    for (const key of [...this.stacks.keys()].reverse()) await this.release(key);
    await (await this.chroma?.catch(() => undefined))?.stop();
  }
}
