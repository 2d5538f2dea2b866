// The mesh's own housekeeping calls — the periodic tool-list refresh — leave no traces: they carry
// `traceparent` with the sampled flag off and the worker records nothing, while the same call made
// as anybody's work (here: outside any span, as grpcurl would) is a trace in the store.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { and, as, countRows, eq, field, ge, projectLogs, value } from '../../clients/node/analytics/btql-ast.js';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { createLogger } from '../../lib/logging.js';
import { ToolWorkerClient } from '../../services/conversation/toolworker-client.js';
import { sharedMesh } from '../helpers/shared-mesh.js';

const LIST_TOOLS = 'tracemesh.toolworker.v1.ToolWorkerService/ListTools';

describe('housekeeping calls are not traced', function () {
  this.timeout(60_000);

  it('background ListTools refreshes make no spans; a ListTools call outside them does', async () => {
    const shared = await sharedMesh();
    const btql = new BtqlClient();
    const since = new Date().toISOString();
    const listToolsSpans = async (): Promise<number> => {
      const [row] = await btql.rows({
        from: projectLogs(await btql.projectId()),
        filter: and(eq(field('span_attributes', 'name'), value(LIST_TOOLS)), ge(field('created'), value(since))),
        measures: [as('spans', countRows())],
      });
      return Number(row?.spans ?? 0);
    };
    const warnings: string[] = [];
    const workers = new ToolWorkerClient({ target: shared.mesh.toolworkerTarget, toolTimeoutMs: 5_000, toolListTtlMs: 50, log: createLogger('housekeeping-test', { write: (line: string) => void warnings.push(line) }) });

    await workers.listTools(); // the first list: a call like any other, outside any span
    for (let refresh = 0; refresh < 5; refresh++) {
      await delay(80); // expired: the next call starts a background refresh
      await workers.listTools();
      await delay(100); // it has finished
    }
    assert.deepEqual(warnings, [], 'every refresh succeeded');
    // The worker exports its spans every 300 ms; wait for the first call's span, then a little more.
    let spans = 0;
    for (let waited = 0; waited < 10_000 && spans === 0; waited += 250) {
      await delay(250);
      spans = await listToolsSpans();
    }
    await delay(1_000);
    assert.equal(await listToolsSpans(), 1, 'the first call only: the five refreshes left nothing');
  });
});
