// A pool of three worker processes behind grpc-js round_robin (an ipv4: address list): calls of
// many turns spread evenly; a worker killed under load costs no turn and its share moves to the
// others; once restarted it receives calls again.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

const TURN = 'Fan out: [[call diagnostics_sleep {"ms": 30}]] [[call diagnostics_sleep {"ms": 30}]] [[call diagnostics_sleep {"ms": 30}]]';

function workersOf(results: TurnResult__Output[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const result of results) {
    for (const call of result.toolCalls) {
      const worker = String(fromStruct(call.result).worker ?? (call.isError ? `error:${call.errorCode}` : 'unknown'));
      counts.set(worker, (counts.get(worker) ?? 0) + 1);
    }
  }
  return counts;
}

/** A turn's result, and how many turns had finished when it started. */
type RunTurn = TurnResult__Output & { doneAtStart: number };

async function runTurns(client: ConversationServiceClient, count: number, concurrency: number, during?: (done: number) => void): Promise<RunTurn[]> {
  const results: RunTurn[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const doneAtStart = results.length;
        results.push({ ...(await streamTurn(client, TURN)), doneAtStart });
        during?.(results.length);
      }
    }),
  );
  return results;
}

describe('worker pool behind round_robin', function () {
  this.timeout(180_000);
  let mesh: RunningMesh;
  let client: ConversationServiceClient;

  before(async () => {
    mesh = await startMesh({
      dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-pool-')),
      workers: 3,
      env: { TOOLWORKER_DIAGNOSTIC_TOOLS: '1', OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' },
    });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await mesh?.stop();
  });

  it('targets the pool as an ipv4: address list', () => {
    assert.match(mesh.toolworkerTarget, /^ipv4:127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
  });

  it('spreads the calls of many turns evenly across the three workers', async () => {
    const counts = workersOf(await runTurns(client, 40, 6));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 120);
    assert.deepEqual([...counts.keys()].sort(), ['toolworker', 'toolworker-2', 'toolworker-3']);
    console.log(`      distribution: ${[...counts.entries()].sort().map(([w, n]) => `${w} ${n}`).join(', ')} of ${total} calls`);
    for (const [worker, calls] of counts) {
      const share = calls / total;
      assert.ok(share > 0.25 && share < 0.42, `${worker} got a fair share: ${(share * 100).toFixed(1)}%`);
    }
  });

  it('loses no turn when a worker is killed under load, and takes it back when it returns', async () => {
    let killed = false;
    const underLoad = await runTurns(client, 40, 6, (done) => {
      if (done === 8 && !killed) {
        killed = true;
        mesh.processes.get('toolworker-2')?.child.kill('SIGKILL');
      }
    });
    assert.ok(killed);
    assert.equal(underLoad.length, 40);
    assert.ok(underLoad.every((result) => result.stopReason === 'STOP_REASON_END_TURN'), 'every turn completed');
    const errors = underLoad.flatMap((r) => r.toolCalls).filter((call) => call.isError);
    assert.deepEqual(errors.map((e) => e.errorCode), [], 'calls in flight on the killed worker were retried on the others');
    // Turns started after the kill (results come in finishing order: turns in flight at the kill
    // may finish later, their calls answered by the worker before it died).
    const afterKill = workersOf(underLoad.filter((turn) => turn.doneAtStart >= 8));
    assert.equal(afterKill.get('toolworker-2') ?? 0, 0, 'the dead worker gets nothing');
    assert.ok((afterKill.get('toolworker') ?? 0) > 0 && (afterKill.get('toolworker-3') ?? 0) > 0, 'its share moved to the others');

    await mesh.restart('toolworker-2');
    let back = 0;
    for (let attempt = 0; attempt < 40 && back === 0; attempt++) {
      back = workersOf(await runTurns(client, 3, 3)).get('toolworker-2') ?? 0;
      if (back === 0) await delay(250);
    }
    assert.ok(back > 0, 'the restarted worker receives calls again');
  });
});
