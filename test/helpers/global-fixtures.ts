// Mocha global fixtures: whatever the tests started is stopped once, after all of them.
import { stopSharedMesh } from './shared-mesh.js';

export async function mochaGlobalTeardown(): Promise<void> {
  await stopSharedMesh();
}
