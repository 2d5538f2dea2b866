// The walking skeleton end to end: three real processes (trace store, tool worker, conversation
// service) on free ports, the offline model, and this test process as a traced caller.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { createConversationClient, getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import type { SpanRow } from '../../clients/node/trace-reader.js';
import { ConversationServiceClient as RawConversationClient } from '../../lib/grpc/protos.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, nameOf, nearestAncestorNamed, serviceNames, waitForSpans } from '../helpers/trace-rows.js';

const DRAWN = ['client_conversation', 'client_turn', 'server_process_turn', 'claude_messages_create', 'worker_execute_tool', 'calculate_clinical_metrics'];

function collect(): { events: StreamChatResponse__Output[]; onEvent: (e: StreamChatResponse__Output) => void } {
  const events: StreamChatResponse__Output[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

function assertOneTree(rows: SpanRow[], rootSpanId: string): void {
  assert.ok(rows.length > 0, 'the trace has spans');
  for (const row of rows) assert.equal(row.root_span_id, rootSpanId, `${nameOf(row)} is in the trace`);
  const ids = new Set(rows.map((row) => row.span_id));
  const roots = rows.filter((row) => !row.span_parents || row.span_parents.length === 0);
  assert.equal(roots.length, 1, `exactly one root, got ${roots.map(nameOf).join(', ')}`);
  for (const row of rows) {
    for (const parent of row.span_parents ?? []) assert.ok(ids.has(parent), `${nameOf(row)}'s parent ${parent} is in the same trace`);
  }
}

function assertDrawnParents(rows: SpanRow[]): void {
  const expectParent = (child: string, parent: string): void => {
    for (const row of named(rows, child)) {
      assert.equal(nameOf(nearestAncestorNamed(rows, row, DRAWN) ?? {}), parent, `${child} sits under ${parent}`);
    }
  };
  expectParent('client_turn', 'client_conversation');
  expectParent('server_process_turn', 'client_turn');
  expectParent('claude_messages_create', 'server_process_turn');
  expectParent('worker_execute_tool', 'server_process_turn');
  expectParent('calculate_clinical_metrics', 'worker_execute_tool');
}

describe('walking skeleton (three processes, offline model, local trace store)', function () {
  this.timeout(90_000);
  let shared: SharedMesh;
  let client: ConversationServiceClient;

  before(async () => {
    shared = await sharedMesh();
    client = createConversationClient(shared.mesh.conversationTarget);
  });
  after(() => client?.close());

  it('streams the seed query and records one trace spanning client, conversation service and worker', async () => {
    const conversation = new TracedConversation(client);
    const { events, onEvent } = collect();
    const result = await conversation.turn(SEED_QUERY, { onEvent });
    conversation.finish();
    await shared.tracing.flush();

    const deltas = events.filter((e) => e.textDelta);
    assert.ok(deltas.length > 10, `the answer streamed in many deltas (${deltas.length})`);
    assert.equal(events[0]?.turnStarted?.conversationId, result.conversationId, 'turn_started comes first');
    assert.ok(events.at(-1)?.turnCompleted, 'turn_completed comes last');
    const started = events.filter((e) => e.toolCallStarted).map((e) => e.toolCallStarted?.toolName);
    assert.deepEqual(started.sort(), ['calculate_clinical_metrics', 'check_medications', 'search_medical_knowledge'], 'all three tools, in one round');
    const finished = events.find((e) => e.toolCallFinished?.toolCall?.toolName === 'calculate_clinical_metrics')?.toolCallFinished?.toolCall;
    assert.equal(finished?.isError, false);
    assert.equal((fromStruct(finished?.result).bmi as { value: number }).value, 30.9);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(result.iterations, 2);
    assert.match(result.text, /## Assessment[\s\S]*## Recommendations[\s\S]*## Follow-up/);
    assert.match(result.text, /30\.9/);
    assert.ok((result.usage?.outputTokens ?? 0) > 0);
    assert.equal(result.trace?.rootSpanId, conversation.rootSpanId, 'the server reports the caller\'s trace');
    const streamed = deltas.filter((e) => e.textDelta?.iteration === 1).map((e) => e.textDelta?.text).join('');
    assert.equal(streamed, result.text, 'the final answer is exactly the concatenated deltas of the last model call');

    const rows = await waitForSpans(conversation.rootSpanId, {
      client_conversation: 1, client_turn: 1, server_process_turn: 1, claude_messages_create: 2, worker_execute_tool: 3,
      calculate_clinical_metrics: 1, search_medical_knowledge: 1, check_medications: 1,
    });
    assertOneTree(rows, conversation.rootSpanId);
    assertDrawnParents(rows);
    assert.equal(nameOf(rows.find((r) => !r.span_parents?.length) ?? {}), 'client_conversation');
    const services = serviceNames(rows);
    for (const service of ['test-client', 'conversation', 'toolworker']) assert.ok(services.has(service), `spans from ${service}: ${[...services].join(', ')}`);

    // All three tool spans of the round, each with its online scores.
    for (const [toolName, score] of [['calculate_clinical_metrics', 'health_risk'], ['search_medical_knowledge', 'retrieval_relevance'], ['check_medications', 'interaction_safety']]) {
      const span = named(rows, toolName ?? '')[0];
      assert.ok(span, `${toolName} span`);
      assert.equal(nameOf(nearestAncestorNamed(rows, span, DRAWN.concat(['worker_execute_tool'])) ?? {}), 'worker_execute_tool');
      const value = (span.scores as Record<string, number> | undefined)?.[score ?? ''];
      assert.ok(typeof value === 'number' && value >= 0 && value <= 1, `${toolName} scored ${score}: ${value}`);
    }
    // Without an OTLP collector a tool call is worker_execute_tool > the worker's ExecuteTool server
    // span > the tool: no CLIENT span in between (worker_execute_tool stands for the call).
    const executeSpans = named(rows, 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool');
    assert.equal(executeSpans.length, 3, 'one ExecuteTool span per tool call');
    for (const span of executeSpans) {
      assert.equal((span.metadata as Record<string, unknown>)['otel.kind'], 'server');
      const parent = rows.find((row) => row.span_id === span.span_parents?.[0]);
      assert.equal(nameOf(parent ?? {}), 'worker_execute_tool', 'the server span nests directly under worker_execute_tool');
    }
    const tool = named(rows, 'calculate_clinical_metrics')[0];
    assert.equal((tool?.span_attributes as { type?: string }).type, 'tool');
    assert.deepEqual(tool?.scores, { health_risk: 0.3, bmi_risk: 0.3 });
    assert.equal((tool?.input as { height?: number }).height, 64);
    assert.equal(((tool?.output as { bmi?: { value: number } }).bmi)?.value, 30.9);
    const llm = named(rows, 'claude_messages_create');
    assert.ok(llm.every((row) => (row.span_attributes as { type?: string }).type === 'llm'));
    assert.ok(llm.every((row) => typeof (row.metrics as { tokens?: number }).tokens === 'number'));
    const root = named(rows, 'client_conversation')[0];
    const output = root?.output as Record<string, unknown>;
    assert.equal(output.conversation_id, result.conversationId);
    assert.equal(output.total_turns, 1);
    assert.equal(output.patient_query, SEED_QUERY);
    assert.equal(output.final_response, result.text);
    assert.equal((output.turns as unknown[]).length, 1);
  });

  it('joins the trace of a caller that sends only traceparent (no Braintrust SDK)', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const raw = new RawConversationClient(shared.mesh.conversationTarget, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${callerSpanId}-01`);
    const result = await streamTurn(raw, SEED_QUERY, { metadata });
    raw.close();
    assert.equal(result.trace?.rootSpanId, traceId);

    const rows = await waitForSpans(traceId, { server_process_turn: 1, calculate_clinical_metrics: 1, claude_messages_create: 2 });
    for (const row of rows) assert.equal(row.root_span_id, traceId);
    const entry = rows.filter((row) => row.span_parents?.[0] === callerSpanId);
    assert.equal(entry.length, 1, 'one span continues the caller\'s span');
    assert.equal(nameOf(entry[0] ?? {}), 'tracemesh.conversation.v1.ConversationService/StreamChat');
    const process = named(rows, 'server_process_turn')[0];
    assert.ok(process);
    const tool = named(rows, 'calculate_clinical_metrics')[0];
    assert.ok(tool);
    assert.equal(nameOf(nearestAncestorNamed(rows, tool, ['worker_execute_tool']) ?? {}), 'worker_execute_tool');
  });

  for (const [header, value] of [
    ['x-bt-parent-span', 'not-a-span-export'],
    ['traceparent', '00-zzzz-not-a-trace-01'],
  ] as const) {
    it(`starts a new root when ${header} is malformed, and the call succeeds`, async () => {
      const raw = new RawConversationClient(shared.mesh.conversationTarget, credentials.createInsecure());
      const metadata = new Metadata();
      metadata.set(header, value);
      const result = await streamTurn(raw, 'A 50-year-old man, 180 cm, 90 kg: what is his BMI?', { metadata });
      raw.close();
      const rootSpanId = result.trace?.rootSpanId ?? '';
      assert.match(rootSpanId, /^[0-9a-f]{32}$/);
      const rows = await waitForSpans(rootSpanId, { server_process_turn: 1 });
      const roots = rows.filter((row) => !row.span_parents?.length);
      assert.equal(roots.length, 1);
      assert.equal(nameOf(roots[0] ?? {}), 'tracemesh.conversation.v1.ConversationService/StreamChat');
      assert.equal((roots[0]?.metadata as Record<string, unknown>)['tracemesh.parent_source'], 'none');
    });
  }

  it('keeps 20 concurrent conversations in 20 separate, complete traces', async function () {
    this.timeout(120_000);
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const conversation = new TracedConversation(client, { metadata: { run: String(i) } });
        const query = `Patient ${i}: a ${30 + i}-year-old male, ${160 + i} cm, ${70 + i} kg, with fatigue. Which conditions should I evaluate?`;
        const result = await conversation.turn(query);
        conversation.finish();
        return { conversation, result, query };
      }),
    );
    await shared.tracing.flush();
    const rootIds = new Set(runs.map((run) => run.conversation.rootSpanId));
    assert.equal(rootIds.size, 20, 'twenty distinct traces');
    for (const { conversation, result, query } of runs) {
      const rows = await waitForSpans(conversation.rootSpanId, {
        client_conversation: 1, server_process_turn: 1, claude_messages_create: 2, worker_execute_tool: 1, calculate_clinical_metrics: 1,
      });
      assertOneTree(rows, conversation.rootSpanId);
      assertDrawnParents(rows);
      assert.equal(named(rows, 'server_process_turn').length, 1);
      const processTurn = named(rows, 'server_process_turn')[0];
      assert.equal((processTurn?.input as { conversation_id?: string }).conversation_id, result.conversationId);
      assert.equal((named(rows, 'client_turn')[0]?.input as { message?: string }).message, query);
    }
  });

  it('hands tool errors to the model and still completes the turn (INVALID_ARGUMENT, NOT_FOUND)', async () => {
    const { events, onEvent } = collect();
    const result = await streamTurn(
      client,
      'Check these: [[call no_such_tool {"x": 1}]] [[call calculate_clinical_metrics {"height": 64, "weight": -5}]]',
      { onEvent },
    );
    const calls = events.flatMap((e) => (e.toolCallFinished?.toolCall ? [e.toolCallFinished.toolCall] : []));
    assert.equal(calls.length, 2);
    const unknown = calls.find((c) => c.toolName === 'no_such_tool');
    const invalid = calls.find((c) => c.toolName === 'calculate_clinical_metrics');
    assert.equal(unknown?.isError, true);
    assert.equal(unknown?.errorCode, 'NOT_FOUND');
    assert.equal(invalid?.isError, true);
    assert.equal(invalid?.errorCode, 'INVALID_ARGUMENT');
    assert.match(invalid?.errorMessage ?? '', /weight/);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.ok(result.text.length > 0, 'the model answered after the errors');
    // The tool's own span says what went wrong as a status, without a Node stack: an expected answer, not a crash.
    const rows = await waitForSpans(result.trace?.rootSpanId ?? '', { calculate_clinical_metrics: 1 });
    const toolError = String(named(rows, 'calculate_clinical_metrics')[0]?.error ?? '');
    assert.match(toolError, /^INVALID_ARGUMENT: calculate_clinical_metrics: weight must be > 0$/);
  });

  it('carries history across turns: the second turn sees the first turn\'s facts', async () => {
    const conversation = new TracedConversation(client);
    const first = await conversation.turn(SEED_QUERY);
    const { events, onEvent } = collect();
    const second = await conversation.turn('Her blood pressure today is 150/95. Does that change your assessment?', { onEvent });
    conversation.finish();
    assert.equal(second.conversationId, first.conversationId);
    assert.equal(second.turnIndex, 1);
    const args = fromStruct(events.find((e) => e.toolCallStarted)?.toolCallStarted?.arguments);
    assert.equal(args.height, 64, 'height comes from the first turn');
    assert.equal(args.weight, 180, 'weight comes from the first turn');
    assert.equal(args.systolic_bp, 150);
    assert.equal(args.diastolic_bp, 95);
    const metrics = fromStruct(events.find((e) => e.toolCallFinished)?.toolCallFinished?.toolCall?.result);
    assert.equal((metrics.blood_pressure as { category?: string }).category, 'stage_2_hypertension');

    const stored = await getConversation(client, first.conversationId);
    assert.equal(stored.conversation?.turns.length, 2);
    assert.equal(stored.conversation?.turns[1]?.userMessage, 'Her blood pressure today is 150/95. Does that change your assessment?');
  });

  it('traces a failed call too, with its status on both sides', async () => {
    const conversation = new TracedConversation(client, { conversationId: 'conv_missing' });
    const error = await conversation.turn('hello').then(
      () => assert.fail('the turn should fail'),
      (failure: ServiceError) => failure,
    );
    assert.equal(error.code, status.NOT_FOUND);
    conversation.finish();
    await shared.tracing.flush();
    const method = 'tracemesh.conversation.v1.ConversationService/StreamChat';
    const rows = await waitForSpans(conversation.rootSpanId, { [method]: 2, client_turn: 1 });
    assertOneTree(rows, conversation.rootSpanId);
    for (const row of named(rows, method)) {
      assert.equal((row.metadata as Record<string, unknown>)['rpc.status_code'], 'NOT_FOUND');
    }
    // The status as it came, no client-side Node stack: an expected answer, not a bug in the client.
    const clientError = String(named(rows, 'client_turn')[0]?.error ?? '');
    assert.match(clientError, /^NOT_FOUND: conversation "conv_missing" does not exist/, 'the client_turn span records the error');
    assert.doesNotMatch(clientError, /^ {4}at /m);
  });

  it('answers bad turn requests with INVALID_ARGUMENT or NOT_FOUND', async () => {
    const failure = (promise: Promise<TurnResult__Output>): Promise<ServiceError> =>
      promise.then(() => assert.fail('the call should fail'), (error: ServiceError) => error);
    assert.equal((await failure(streamTurn(client, '   '))).code, status.INVALID_ARGUMENT);
    assert.equal((await failure(streamTurn(client, 'hello', { conversationId: 'conv_missing' }))).code, status.NOT_FOUND);
    assert.equal((await failure(streamTurn(client, 'hello', { conversationId: 'bad id!' }))).code, status.INVALID_ARGUMENT);
  });
});
