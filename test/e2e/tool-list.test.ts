// The conversation service's tool list against a real worker process: once known, an expired
// list never holds a turn up — even when the worker hangs (SIGSTOP) — and the many turns that
// notice the expiry together start one refresh, not one ListTools each.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../lib/logging.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';
import { ToolWorkerClient } from '../../services/conversation/toolworker-client.js';

describe('tool list: cached, refreshed off the turns’ path', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;
  const warnings: string[] = [];
  let workers: ToolWorkerClient;

  before(async () => {
    mesh = await startMesh({ dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-tool-list-')), env: { TRACEMESH_TRACING: 'off' } });
    const log = createLogger('tool-list-test', { write: (line: string) => void warnings.push(line) });
    workers = new ToolWorkerClient({ target: mesh.toolworkerTarget, toolTimeoutMs: 1_500, toolListTtlMs: 200, log });
  });
  after(async () => {
    mesh?.processes.get('toolworker')?.child.kill('SIGCONT');
    await mesh?.stop();
  });

  it('serves the known list at once while the worker hangs, with one refresh for all callers, and refreshes when it answers', async () => {
    const first = await workers.listTools();
    assert.ok(first.some((tool) => tool.name === 'search_medical_knowledge'), 'the worker’s tools');

    const worker = mesh.processes.get('toolworker')?.child;
    assert.ok(worker);
    await delay(250); // the list has expired
    worker.kill('SIGSTOP');
    try {
      const started = performance.now();
      const lists = await Promise.all(Array.from({ length: 50 }, () => workers.listTools()));
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs < 500, `50 turns got the known list without waiting on the hung worker (${Math.round(elapsedMs)} ms; its deadline is 1,500 ms)`);
      for (const list of lists) assert.deepEqual(list, first);
      await delay(2_000); // past the refresh's deadline
    } finally {
      worker.kill('SIGCONT');
    }
    const failures = warnings.filter((line) => line.includes('ListTools failed'));
    assert.equal(failures.length, 1, `one refresh for the 50 callers, which failed at its deadline: ${failures.join('')}`);

    // The worker answers again: the next expiry starts a refresh that succeeds.
    assert.deepEqual(await workers.listTools(), first);
    await delay(500);
    assert.equal(warnings.filter((line) => line.includes('ListTools failed')).length, 1, 'the refresh after the hang succeeded');
  });
});
