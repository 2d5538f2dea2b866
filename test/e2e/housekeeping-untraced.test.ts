// The mesh's own housekeeping calls — the periodic tool-list refresh — leave no traces: they carry
// `traceparent` with the sampled flag off and the worker records nothing, while the same call made
// as anybody's work (here: outside any span, as grpcurl would) is a trace in the store. A caller's
// turn sent unsampled is recorded by nobody either — not half of it (the RPC spans dropped by OTel's
// sampling, the Braintrust spans kept).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials, Metadata } from '@grpc/grpc-js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import { and, as, countRows, eq, field, ge, projectLogs, value } from '../../clients/node/analytics/btql-ast.js';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { createLogger } from '../../lib/logging.js';
import { ToolWorkerClient } from '../../services/conversation/toolworker-client.js';
import { sharedMesh } from '../helpers/shared-mesh.js';
import { waitForSpans } from '../helpers/trace-rows.js';

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

  it('records nothing of a turn whose caller sent traceparent unsampled, and says so with empty trace ids', async () => {
    const shared = await sharedMesh();
    const traceId = randomBytes(16).toString('hex');
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-00`);
    // A bare client, as grpcurl or Python would call: ours would trace the call and send its own traceparent.
    const client = new ConversationServiceClient(shared.mesh.conversationTarget, credentials.createInsecure());
    try {
      const result = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg: BMI?', { metadata });
      assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
      assert.ok(result.toolCalls.length > 0, 'a turn with tool calls, so every service had spans to make');
      assert.deepEqual({ root: result.trace?.rootSpanId, span: result.trace?.spanId }, { root: '', span: '' });
      // A sampled turn sent after it is in the store, so the unsampled one's spans would be too by then.
      const sampled = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg: BMI?');
      await waitForSpans(sampled.trace?.rootSpanId ?? '', { server_process_turn: 1, calculate_clinical_metrics: 1 });
      const btql = new BtqlClient();
      const [row] = await btql.rows({ from: projectLogs(await btql.projectId()), filter: eq(field('root_span_id'), value(traceId)), measures: [as('spans', countRows())] });
      assert.equal(Number(row?.spans ?? 0), 0, 'no span of the unsampled turn reached the store');
    } finally {
      client.close();
    }
  });
});

