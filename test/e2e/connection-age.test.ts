// Servers recycle connections (TRACEMESH_MAX_CONNECTION_AGE_MS) so clients find new replicas.
// Calls in flight must not pay for it: a turn longer than a connection's age, and a `Converse`
// stream that outlives several, finish — they used to end UNAVAILABLE "Connection dropped" once a
// fixed grace period had passed.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { openConverse, streamTurn } from '../../clients/node/conversation-client.js';
import { suiteMesh } from '../helpers/suite-mesh.js';

const AGE_MS = 800;
const QUERY = 'A 50-year-old man, 180 cm, 90 kg, with fatigue. What should I check?';

describe('connection recycling: calls in flight finish', function () {
  this.timeout(120_000);
  // 15 ms between deltas: a turn takes a few connection ages.
  const suite = suiteMesh('connection-age', { TRACEMESH_MAX_CONNECTION_AGE_MS: String(AGE_MS), OFFLINE_MODEL_DELTA_DELAY_MS: '15', TRACEMESH_TRACING: 'off' });

  it('a StreamChat turn longer than its connection’s age completes', async () => {
    const started = performance.now();
    const result = await streamTurn(suite.client(), QUERY);
    const elapsedMs = performance.now() - started;
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.ok(elapsedMs > 2 * AGE_MS, `the turn outlived its connection (${Math.round(elapsedMs)} ms, age ${AGE_MS} ms)`);
  });

  it('a Converse stream carries turns across several connection ages, and new calls still work meanwhile', async () => {
    const client = suite.client();
    const { call, results, done } = openConverse(client, { deadlineMs: 60_000 });
    call.write({ message: QUERY });
    await delay(3 * AGE_MS);
    // A new call meanwhile goes out on a fresh connection.
    const other = await streamTurn(client, 'Her blood pressure today is 150/95.');
    assert.equal(other.turnIndex, 0);
    call.write({ message: 'Her blood pressure today is 150/95.' });
    call.end();
    await done;
    assert.deepEqual(results.map((r) => r.turnIndex), [0, 1], 'both turns of the stream completed');
  });
});
