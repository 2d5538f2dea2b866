// `tracemesh conversations show --json` and `list --json` print plain JSON, as grpcurl and the
// Python client show the same messages: tool arguments and results as JSON objects, times as
// RFC 3339 strings — not the Node client's Struct ({"fields": {"weight": {"numberValue": …}}}) and
// Timestamp ({"seconds": "…", "nanos": …}) objects, which a script would have to unpick.
import assert from 'node:assert/strict';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedMesh } from '../helpers/shared-mesh.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** What a line of show --json holds, as far as these tests look. */
interface JsonTurn {
  userMessage: string;
  startTime: unknown;
  result: { turnIndex: number; toolCalls: Array<{ toolName: string; arguments: Record<string, unknown>; result?: Record<string, unknown> }> };
}

describe('tracemesh conversations --json', function () {
  this.timeout(90_000);

  it('show --json: one turn a line, tool arguments and results as JSON objects, the start time in RFC 3339', async () => {
    const shared = await sharedMesh();
    const client = createConversationClient(shared.mesh.conversationTarget);
    let conversationId: string;
    try {
      conversationId = (await streamTurn(client, SEED_QUERY)).conversationId;
      await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId });
    } finally {
      client.close();
    }
    const shown = await runCli(['conversations', 'show', conversationId, '--json'], shared.mesh.clientEnv);
    assert.equal(shown.code, 0, shown.stderr);
    const turns = shown.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonTurn);
    assert.deepEqual(turns.map((turn) => turn.result.turnIndex), [0, 1]);
    const [first] = turns;
    assert.equal(first?.userMessage, SEED_QUERY);
    const startTime = String(first?.startTime);
    assert.match(startTime, RFC3339);
    assert.ok(Math.abs(Date.parse(startTime) - Date.now()) < 120_000, startTime);
    const metrics = first?.result.toolCalls.find((call) => call.toolName === 'calculate_clinical_metrics');
    assert.ok(metrics, JSON.stringify(first?.result.toolCalls));
    assert.equal(metrics.arguments.weight, 180, JSON.stringify(metrics.arguments));
    assert.equal('fields' in metrics.arguments, false);
    assert.equal(typeof metrics.result?.bmi, 'object', JSON.stringify(metrics.result).slice(0, 300));
  });

  it('list --json: create and update times in RFC 3339', async () => {
    const shared = await sharedMesh();
    const listed = await runCli(['conversations', 'list', '--limit', '3', '--json'], shared.mesh.clientEnv);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.match(String(row.createTime), RFC3339, JSON.stringify(row));
      assert.match(String(row.updateTime), RFC3339, JSON.stringify(row));
    }
  });
});
