// Faults on the worker side, injected into real processes: a tool slower than its deadline, and a
// worker killed (SIGKILL) in the middle of a tool call, then restarted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

describe('faults: slow and dying workers', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;
  let client: ConversationServiceClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-worker-faults-'));

  before(async () => {
    mesh = await startMesh({
      dataDir,
      env: { TOOLWORKER_DIAGNOSTIC_TOOLS: '1', TRACEMESH_TOOL_TIMEOUT_MS: '1000', OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' },
    });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await mesh?.stop();
  });

  it('a tool past its deadline fails DEADLINE_EXCEEDED alone; the other tools and the turn complete', async () => {
    const started = performance.now();
    const result = await streamTurn(
      client,
      'Run these: [[call diagnostics_sleep {"ms": 5000}]] [[call calculate_clinical_metrics {"height": 64, "weight": 180}]]',
    );
    const elapsed = performance.now() - started;
    const slow = result.toolCalls.find((call) => call.toolName === 'diagnostics_sleep');
    const fast = result.toolCalls.find((call) => call.toolName === 'calculate_clinical_metrics');
    assert.equal(slow?.errorCode, 'DEADLINE_EXCEEDED');
    assert.equal(fast?.isError, false);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.ok(elapsed < 4_000, `the turn did not wait for the slow tool (${Math.round(elapsed)} ms)`);
  });

  it('a caller who cancels stops the tool call in flight on the worker too', async () => {
    const abort = new AbortController();
    let cancelledAt = 0;
    const outcome = await streamTurn(client, 'Run this: [[call diagnostics_sleep {"ms": 8000, "label": "cancel-me"}]]', {
      signal: abort.signal,
      onEvent: (event) => {
        if (event.toolCallStarted && !cancelledAt) {
          setTimeout(() => {
            cancelledAt = Date.now();
            abort.abort();
          }, 300);
        }
      },
    }).then(() => 'completed', (error: { code: number }) => error.code);
    assert.equal(outcome, status.CANCELLED);
    // The worker's handler saw its call cancelled (deadline/cancellation propagated through the
    // conversation service) and stopped the tool: it logs the failed call at once, not 8 s later.
    const log = join(dataDir, 'logs', 'toolworker.log');
    let stoppedAt = 0;
    for (let waited = 0; waited < 5_000 && !stoppedAt; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (line.includes('"tool":"diagnostics_sleep"') && line.includes('tool call failed')) stoppedAt = (JSON.parse(line) as { time: number }).time;
      }
    }
    assert.ok(stoppedAt > 0, 'the worker stopped the tool');
    console.log(`      cancellation: the tool on the worker stopped ${stoppedAt - cancelledAt} ms after the caller cancelled`);
    assert.ok(stoppedAt - cancelledAt < 2_000, 'promptly, not when the 8 s sleep would have ended');
  });

  it('a worker killed mid-call: the error reaches the model, the turn finishes, later turns succeed', async () => {
    let killed = false;
    const result = await streamTurn(client, 'Run this: [[call diagnostics_sleep {"ms": 3000}]]', {
      onEvent: (event) => {
        if (event.toolCallStarted && !killed) {
          killed = true;
          setTimeout(() => mesh.processes.get('toolworker')?.child.kill('SIGKILL'), 200);
        }
      },
    });
    assert.ok(killed);
    const call = result.toolCalls[0];
    assert.equal(call?.isError, true);
    // Retried while no worker answers (UNAVAILABLE), until the retries or the tool's deadline run out.
    assert.ok(['UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(call?.errorCode ?? ''), `tool error ${call?.errorCode}`);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN', 'the model got the error and finished the turn');

    await mesh.restart('toolworker');
    // The channel reconnects on its backoff (at most 2 s); this mesh's tool deadline is only 1 s.
    let later = await streamTurn(client, 'Run this: [[call diagnostics_sleep {"ms": 10}]]');
    for (let attempt = 0; attempt < 10 && later.toolCalls[0]?.isError; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      later = await streamTurn(client, 'Run this: [[call diagnostics_sleep {"ms": 10}]]');
    }
    assert.equal(later.toolCalls[0]?.isError, false, `the restarted worker takes calls again (${later.toolCalls[0]?.errorCode} ${later.toolCalls[0]?.errorMessage})`);
  });
});

describe('faults: Chroma down', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;
  let client: ConversationServiceClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-chroma-down-'));

  before(async () => {
    mesh = await startMesh({ dataDir, env: { OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' } });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await mesh?.stop();
  });

  it('Chroma down: only the knowledge search fails (UNAVAILABLE), the turn completes; it recovers when Chroma is back', async () => {
    await mesh.stopChroma();
    const started = performance.now();
    const down = await streamTurn(client, SEED_QUERY);
    console.log(`      chroma down: turn took ${Math.round(performance.now() - started)} ms`);
    const search = down.toolCalls.find((call) => call.toolName === 'search_medical_knowledge');
    assert.equal(search?.errorCode, 'UNAVAILABLE');
    assert.match(search?.errorMessage ?? '', /knowledge base|Chroma/i);
    for (const call of down.toolCalls.filter((c) => c.toolName !== 'search_medical_knowledge')) assert.equal(call.isError, false, `${call.toolName} still works`);
    assert.equal(down.stopReason, 'STOP_REASON_END_TURN');
    // Tried once: the worker answered (its dependency is down), so the retry policy, which rides
    // out a worker restart, does not send the search again (a hung Chroma cost five timeouts).
    const failures = readFileSync(join(dataDir, 'logs', 'toolworker.log'), 'utf8').split('\n').filter((line) => line.includes('"tool call failed"') && line.includes('search_medical_knowledge'));
    assert.equal(failures.length, 1, failures.join('\n'));

    await mesh.startChroma();
    let recovered = false;
    for (let attempt = 0; attempt < 20 && !recovered; attempt++) {
      const again = await streamTurn(client, 'Run this: [[call search_medical_knowledge {"query": "always thirsty and tired, which labs?"}]]');
      recovered = again.toolCalls[0]?.isError === false;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(recovered, 'searches work again once Chroma is back');
  });

});
