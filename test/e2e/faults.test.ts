// Faults injected into real processes: the model endpoint failing in each way it can, the trace
// backend going away and coming back, or hanging, and the conversation database hanging.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import { getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { waitForTrace } from '../../clients/node/cli/trace-waiter.js';
import type { SpanRow } from '../../clients/node/trace-reader.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';
import { startFaultyModelServer, type FaultyModelServer } from '../helpers/faulty-model-server.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { failureOf } from '../helpers/call-failure.js';
import { runCli } from '../helpers/run-cli.js';
import { suiteMesh, type SuiteMesh } from '../helpers/suite-mesh.js';
import { localTraceBackend } from '../helpers/trace-rows.js';

const QUERY = 'A 50-year-old man, 180 cm, 90 kg, with fatigue. What should I check?';

/** A mesh for trace-backend faults: the model without pauses, export reports every 500 ms. */
function traceFaultsMesh(name: string, env: Record<string, string> = {}): SuiteMesh & { conversationLog: () => string } {
  const suite = suiteMesh(name, { OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_EXPORT_REPORT_MS: '500', ...env });
  return { ...suite, conversationLog: () => join(suite.dataDir(), 'logs', 'conversation.log') };
}

type ExportReport = { rowsSent: number; rowsDropped: number; spansSent: number; spansDropped: number; failedRequests: number };

/** The conversation service's export reports (it logs one whenever something was dropped or failed). */
function exportReports(log: string): ExportReport[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const parsed = line.startsWith('{') ? (JSON.parse(line) as { tracing?: ExportReport }) : {};
      return parsed.tracing ? [parsed.tracing] : [];
    });
}

/** Waits up to `timeoutMs` for a report that `matches`. */
async function waitForReport(log: string, matches: (report: ExportReport) => boolean, timeoutMs = 20_000): Promise<ExportReport | undefined> {
  for (let waited = 0; waited < timeoutMs; waited += 250) {
    await delay(250);
    const found = exportReports(log).findLast(matches);
    if (found) return found;
  }
  return undefined;
}

describe('faults: the model endpoint failing', function () {
  this.timeout(120_000);
  let model: FaultyModelServer;
  let mesh: RunningMesh;
  let client: ConversationServiceClient;

  before(async () => {
    model = await startFaultyModelServer();
    mesh = await startMesh({
      dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-model-faults-')),
      env: { ANTHROPIC_BASE_URL: model.url, TOOLWORKER_DIAGNOSTIC_TOOLS: '1', TRACEMESH_MODEL_TIMEOUT_MS: '1000', TRACEMESH_MODEL_IDLE_TIMEOUT_MS: '1000' },
    });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await mesh?.stop();
    await model?.close();
  });

  it('retries 529 overloaded with backoff and completes the turn', async () => {
    model.script(['529', '529']);
    const result = await streamTurn(client, QUERY);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(model.requests(), 4, 'two failed attempts, then the two model calls of the turn');
  });

  for (const [fault, code, reason] of [
    ['529', status.UNAVAILABLE, 'MODEL_UNAVAILABLE'],
    ['500', status.UNAVAILABLE, 'MODEL_UNAVAILABLE'],
    ['429', status.RESOURCE_EXHAUSTED, 'MODEL_RATE_LIMITED'],
  ] as const) {
    it(`gives ${status[code]} with details when the model keeps answering ${fault}`, async () => {
      model.script([], fault);
      const error = await failureOf(streamTurn(client, QUERY));
      assert.equal(error.code, code);
      const info = decodeErrorDetails(error).errorInfo;
      assert.equal(info?.reason, reason);
      assert.equal(info?.metadata?.provider_status, fault);
      assert.equal(model.requests(), 3, 'the SDK tried three times');
      // The provider's retry-after (the fake sends retry-after-ms: 50 with its 429s) reaches the caller as a RetryInfo.
      assert.equal(decodeErrorDetails(error).retryDelayMs, fault === '429' ? 50 : undefined);
    });
  }

  it('never reports a stream cut mid-answer as a complete answer', async () => {
    model.script([], 'ok');
    const first = await streamTurn(client, QUERY);
    model.script(['reset-mid-stream']);
    const events: StreamChatResponse__Output[] = [];
    const error = await failureOf(streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId, onEvent: (e) => events.push(e) }));
    assert.equal(error.code, status.UNAVAILABLE);
    assert.ok(events.some((e) => e.textDelta), 'some text had streamed before the cut');
    assert.ok(!events.some((e) => e.turnCompleted), 'no turn_completed for a cut stream');
    const stored = await getConversation(client, first.conversationId);
    assert.equal(stored.conversation?.turns.length, 1, 'the failed turn is not stored as part of the history');
    model.script([], 'ok');
    const next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId });
    assert.equal(next.turnIndex, 1, 'the conversation continues where it was');
  });

  it('chat tries a turn cut mid-answer again with its request_id: stdout says where the cut text ends, the answer follows whole, one turn is stored', async () => {
    model.script(['reset-mid-stream'], 'ok');
    const chat = await runCli(['chat', QUERY], mesh.clientEnv);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stderr, /↻ UNAVAILABLE: .* — trying again in \d\.\d s \(1 of 5\)/);
    const [cut = '', answer = ''] = chat.stdout.split('\n— cut off here; the answer starts again —\n\n');
    assert.ok(cut.length > 0, 'the first try had streamed some text');
    assert.match(answer, /## Assessment/);
    const conversationId = /— conversation (conv_[0-9a-f-]+) · turn 0 ·/.exec(chat.stderr)?.[1];
    assert.ok(conversationId, chat.stderr);
    assert.equal((await getConversation(client, conversationId)).conversation?.turns.length, 1);
  });

  it('ends a turn whose model stream stops sending mid-answer with DEADLINE_EXCEEDED, though the caller waits 5 minutes, and the conversation goes on', async () => {
    model.script([], 'ok');
    const first = await streamTurn(client, QUERY);
    model.script(['stall-mid-stream']);
    const events: StreamChatResponse__Output[] = [];
    const started = performance.now();
    const error = await failureOf(streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId, onEvent: (e) => events.push(e) }));
    const elapsedMs = performance.now() - started;
    assert.equal(error.code, status.DEADLINE_EXCEEDED);
    assert.equal(decodeErrorDetails(error).errorInfo?.reason, 'MODEL_TIMEOUT');
    assert.match(error.details, /sent nothing for 1000 ms/);
    assert.ok(events.some((e) => e.textDelta), 'some text had streamed before the stall');
    assert.ok(elapsedMs < 10_000, `ended after the 1 s of silence allowed, not at the caller's deadline: ${Math.round(elapsedMs)} ms`);
    model.script([], 'ok');
    const next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId });
    assert.equal(next.turnIndex, 1, 'the conversation continues where it was');
  });

  it('gives DEADLINE_EXCEEDED when the model endpoint never answers, after the SDK tried three times', async () => {
    model.script([], 'no-answer');
    const started = performance.now();
    const error = await failureOf(streamTurn(client, QUERY));
    const elapsedMs = performance.now() - started;
    assert.equal(error.code, status.DEADLINE_EXCEEDED);
    assert.equal(decodeErrorDetails(error).errorInfo?.reason, 'MODEL_TIMEOUT');
    assert.equal(model.requests(), 3, 'the SDK tried three times');
    assert.ok(elapsedMs < 20_000, `three 1 s tries and their backoff, not the caller's 5 minutes: ${Math.round(elapsedMs)} ms`);
    model.script([], 'ok');
  });

  it('cancels the tool calls a response had started when its stream is cut, and waits for them', async () => {
    // The cut comes after the second tool_use block: each call starts as its block completes, so
    // the first (and maybe the second) is already running on the worker, for 20 s unless cancelled.
    model.script(['reset-mid-stream']);
    const sleeps = ['a', 'b', 'c'].map((label) => `[[call diagnostics_sleep {"ms": 20000, "label": "${label}"}]]`).join(' ');
    const events: StreamChatResponse__Output[] = [];
    const started = performance.now();
    const error = await failureOf(streamTurn(client, sleeps, { onEvent: (e) => events.push(e) }));
    const elapsedMs = performance.now() - started;
    assert.equal(error.code, status.UNAVAILABLE);
    assert.ok(elapsedMs < 10_000, `the turn failed at once, not after its tools' 20 s (${elapsedMs.toFixed(0)} ms)`);
    const startedCalls = events.flatMap((e) => (e.toolCallStarted ? [e.toolCallStarted.toolCallId] : []));
    const finished = events.flatMap((e) => (e.toolCallFinished?.toolCall ? [e.toolCallFinished.toolCall] : []));
    assert.ok(startedCalls.length >= 1, 'the first tool call started while the model was still streaming');
    assert.ok(startedCalls.length <= 2, 'no call started for a block that never arrived');
    assert.deepEqual(finished.map((call) => call.toolCallId).sort(), [...startedCalls].sort(), 'every started call is reported finished');
    for (const call of finished) {
      assert.equal(call.errorCode, 'CANCELLED');
      assert.match(call.errorMessage ?? '', /model response that asked for this call failed/, 'says why it was cancelled');
    }
  });

  it('ends a turn whose model says tool_use but asks for no tool, instead of sending the model an empty message', async () => {
    model.script(['tool-use-without-calls']);
    const odd = await streamTurn(client, QUERY);
    assert.equal(odd.stopReason, 'STOP_REASON_UNSPECIFIED');
    assert.equal(odd.text, 'Let me check that.');
    assert.equal(odd.iterations, 1);
    model.script([], 'ok');
    const next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: odd.conversationId });
    assert.equal(next.stopReason, 'STOP_REASON_END_TURN', 'the conversation goes on');
  });

  it('names options.model (INVALID_ARGUMENT, MODEL_NOT_FOUND) when the provider has no model the caller asked for; its own default is INTERNAL', async () => {
    model.script(['unknown-model']);
    const named = await failureOf(streamTurn(client, QUERY, { options: { model: 'claude-retired-1' } }));
    assert.equal(named.code, status.INVALID_ARGUMENT, named.details);
    const details = decodeErrorDetails(named);
    assert.deepEqual(details.fieldViolations?.map((v) => v.field), ['options.model']);
    assert.equal(details.errorInfo?.reason, 'MODEL_NOT_FOUND');
    assert.match(named.details, /no model "claude-retired-1" \(model: claude-retired-1\)/);
    assert.equal(model.requests(), 1, 'a 404 is not retried');

    model.script(['unknown-model']);
    const ours = await failureOf(streamTurn(client, QUERY));
    assert.equal(ours.code, status.INTERNAL, ours.details);
    assert.equal(decodeErrorDetails(ours).errorInfo?.reason, 'MODEL_NOT_FOUND');
    assert.match(ours.details, /default model .* set ANTHROPIC_MODEL/);
  });

  it('keeps a response cut at max_tokens after its tool_use blocks out of the way of the next turn', async () => {
    // 45 tokens hold the offline model's preamble and two of the three calls, then the budget is spent.
    model.script([], 'ok');
    const sleeps = ['a', 'b', 'c'].map((label) => `[[call diagnostics_sleep {"ms": 10, "label": "${label}"}]]`).join(' ');
    const cut = await streamTurn(client, sleeps, { options: { maxTokens: 45 } });
    assert.equal(cut.stopReason, 'STOP_REASON_MAX_TOKENS');
    assert.ok(cut.toolCalls.length >= 1, 'the response held complete tool_use blocks');
    for (const call of cut.toolCalls) {
      assert.equal(call.errorCode, 'CANCELLED', 'no result of a cut response reaches the model');
      assert.match(call.errorMessage ?? '', /stopped \(max_tokens\)/);
    }
    const next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: cut.conversationId });
    assert.equal(next.stopReason, 'STOP_REASON_END_TURN', 'the history left by the cut turn is one the model accepts');
    const stored = await getConversation(client, cut.conversationId);
    assert.equal(stored.conversation?.turns.length, 2);
  });
});

describe('faults: the trace backend down and back', function () {
  this.timeout(120_000);
  const setup = traceFaultsMesh('trace-faults');

  it('keeps answering without waiting on a dead backend, counts what it dropped, and delivers again once it is back', async () => {
    const [mesh, client] = [setup.mesh(), setup.client()];
    const backend = localTraceBackend(mesh.tracestoreUrl ?? '');
    const before = await streamTurn(client, QUERY);
    assert.ok((await waitForTrace(backend, before.trace?.rootSpanId ?? '')).length > 0, 'spans arrive while the backend is up');

    mesh.processes.get('tracestore')?.child.kill('SIGKILL');
    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await streamTurn(client, QUERY);
      durations.push(performance.now() - started);
      assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    }
    // Generous: the SDK's retry sleeps alone (1 s + 2 s) would exceed it if a turn waited on tracing.
    assert.ok(Math.max(...durations) < 2_500, `turns did not wait on the dead backend: ${durations.map(Math.round).join(', ')} ms`);

    const report = await waitForReport(setup.conversationLog(), (r) => r.rowsDropped + r.spansDropped > 0);
    assert.ok(report, 'the conversation service logged how many spans it dropped');
    console.log(`      backend down: 5 turns in ${durations.map(Math.round).join(' / ')} ms; the conversation service reported ${JSON.stringify(report)}`);

    await mesh.restart('tracestore');
    const after = await streamTurn(client, QUERY);
    const rows = await waitForTrace(backend, after.trace?.rootSpanId ?? '', {
      timeoutMs: 20_000,
      isComplete: (spans) => spans.some((s) => JSON.stringify(s.span_attributes).includes('server_process_turn')),
    });
    assert.ok(rows.length > 0, 'new spans arrive once the backend is back');
  });
});

describe('faults: the trace backend hanging', function () {
  this.timeout(120_000);
  const maxWaitingRows = 150;
  const setup = traceFaultsMesh('trace-hang', { TRACEMESH_TRACE_MAX_WAITING_ROWS: String(maxWaitingRows) });

  it('keeps answering while the backend accepts connections but never answers, holds a bounded number of span rows, counts the rest, and delivers what it held once the backend answers', async () => {
    const [mesh, client] = [setup.mesh(), setup.client()];
    const backend = localTraceBackend(mesh.tracestoreUrl ?? '');
    const isComplete = (spans: SpanRow[]): boolean => spans.some((s) => JSON.stringify(s.span_attributes).includes('server_process_turn'));
    const warm = await streamTurn(client, QUERY);
    assert.ok((await waitForTrace(backend, warm.trace?.rootSpanId ?? '', { isComplete })).length > 0, 'spans arrive while the backend answers');

    const store = mesh.processes.get('tracestore')?.child;
    assert.ok(store);
    store.kill('SIGSTOP');
    const durations: number[] = [];
    let firstDuringHang = '';
    try {
      // About 20 span rows a turn: far more than may wait.
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        const result = await streamTurn(client, QUERY);
        durations.push(performance.now() - started);
        assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
        if (i === 0) firstDuringHang = result.trace?.rootSpanId ?? '';
      }
    } finally {
      store.kill('SIGCONT');
    }
    assert.ok(Math.max(...durations) < 2_500, `turns did not wait on the hung backend: ${durations.map(Math.round).join(', ')} ms`);

    // Rows past the bound were refused, and reported as dropped.
    const report = await waitForReport(setup.conversationLog(), (r) => r.rowsDropped > 0);
    assert.ok(report, 'the conversation service reported the span rows it refused');
    assert.ok(report.rowsDropped >= 30 * 10 - maxWaitingRows, `most of the hang's rows were refused: ${JSON.stringify(report)}`);

    // What was held is delivered once the backend answers, and new turns are traced again.
    assert.ok((await waitForTrace(backend, firstDuringHang, { timeoutMs: 30_000, isComplete })).length > 0, 'the first turn of the hang has its trace');
    const after = await streamTurn(client, QUERY);
    assert.ok((await waitForTrace(backend, after.trace?.rootSpanId ?? '', { timeoutMs: 30_000, isComplete })).length > 0, 'a turn after the hang has its trace');
  });
});

describe('faults: the conversation database hanging', function () {
  this.timeout(120_000);
  let postgres: TestPostgres;
  let mesh: RunningMesh;
  let client: ConversationServiceClient;
  let stopped: number[] = [];
  const resume = (): void => {
    for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
  };

  before(async () => {
    postgres = await startPostgres();
    mesh = await startMesh({
      dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-db-hang-')),
      env: { DATABASE_URL: postgres.url, TRACEMESH_DB_TIMEOUT_MS: '1500', OFFLINE_MODEL_DELTA_DELAY_MS: '0' },
    });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    resume();
    client?.close();
    await mesh?.stop();
    postgres?.stop();
  });

  it('answers UNAVAILABLE (STORE_UNAVAILABLE) while PostgreSQL hangs instead of waiting on it, and serves again once it answers', async () => {
    const first = await streamTurn(client, QUERY);
    stopped = postgres.processes();
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
    try {
      const started = performance.now();
      const turnError = await failureOf(streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId }));
      const elapsedMs = performance.now() - started;
      assert.equal(turnError.code, status.UNAVAILABLE, turnError.details);
      assert.equal(decodeErrorDetails(turnError).errorInfo?.reason, 'STORE_UNAVAILABLE');
      assert.ok(elapsedMs < 15_000, `ended at the 1.5 s query timeout, not the caller's 5-minute deadline: ${Math.round(elapsedMs)} ms`);
      const readError = await getConversation(client, first.conversationId).then(() => assert.fail('the read should fail'), (error: ServiceError) => error);
      assert.equal(readError.code, status.UNAVAILABLE, readError.details);
    } finally {
      resume();
    }
    const next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId });
    assert.equal(next.turnIndex, 1, 'the conversation goes on where it was');
  });

  it('frees the conversation once PostgreSQL answers again when it hung during a turn (no stale turn lease)', async () => {
    let conversationId = '';
    const turnError = await failureOf(
      streamTurn(client, QUERY, {
        onEvent: (event) => {
          // The turn holds its lease now; its next database work is saving the turn and releasing it.
          if (!event.turnStarted || stopped.length > 0) return;
          conversationId = event.turnStarted.conversationId ?? '';
          stopped = postgres.processes();
          for (const pid of stopped) process.kill(pid, 'SIGSTOP');
        },
      }),
    ).finally(resume);
    assert.equal(turnError.code, status.UNAVAILABLE, turnError.details);
    assert.equal(decodeErrorDetails(turnError).errorInfo?.reason, 'STORE_UNAVAILABLE');
    assert.ok(conversationId, 'the turn started');

    // Without the release being retried, the lease taken before the hang would hold the
    // conversation for its full 60 s: ABORTED (TURN_IN_PROGRESS) until then.
    let next: Awaited<ReturnType<typeof streamTurn>> | undefined;
    const deadline = Date.now() + 10_000;
    while (!next) {
      try {
        next = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId });
      } catch (error) {
        const code = (error as ServiceError).code;
        if (code !== status.ABORTED && code !== status.UNAVAILABLE) throw error;
        if (Date.now() > deadline) assert.fail(`the conversation is still refused 10 s after the database came back: ${(error as ServiceError).details}`);
        await delay(250);
      }
    }
    assert.equal(next.turnIndex, 0, 'the failed turn was not saved; the conversation starts again at turn 0');
  });
});
