// One mesh (trace store, worker, conversation service as real processes on free ports) shared by
// the end-to-end tests, started on first use and stopped by the global teardown. The test process
// is a traced client of it: its spans go to the same trace store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';
import { initTracing, type Tracing } from '../../lib/tracing/tracing.js';

export interface SharedMesh {
  mesh: RunningMesh;
  tracing: Tracing;
  dataDir: string;
}

let shared: Promise<SharedMesh> | undefined;

export function sharedMesh(): Promise<SharedMesh> {
  shared ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-test-'));
    const mesh = await startMesh({ dataDir, env: { OFFLINE_MODEL_DELTA_DELAY_MS: '1', LOG_LEVEL: 'debug' } });
    Object.assign(process.env, mesh.clientEnv);
    return { mesh, tracing: initTracing('test-client'), dataDir };
  })();
  return shared;
}

export async function stopSharedMesh(): Promise<void> {
  if (!shared) return;
  const { mesh, tracing } = await shared;
  await tracing.shutdown(5_000);
  await mesh.stop();
  shared = undefined;
}
