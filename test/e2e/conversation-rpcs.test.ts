// Every ConversationService RPC against the running mesh: Chat, Converse (many turns on one
// stream), GetConversation, ListConversations, DeleteConversation, the iteration bound, concurrent
// turns, and error details.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Metadata, status } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { createConversationClient, deleteConversation, getConversation, listConversations, listTurns, openConverse, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { sharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';
import { duringTurn } from '../helpers/busy-conversation.js';
import { failureOf } from '../helpers/call-failure.js';
import { assertNewestFirstOnce, listAll } from './conversation-listing.js';

function chat(client: ConversationServiceClient, message: string, conversationId = ''): Promise<TurnResult__Output> {
  return new Promise((resolve, reject) => {
    client.Chat({ conversationId, message }, new Metadata(), { deadline: Date.now() + 60_000 }, (error, response) =>
      error || !response?.result ? reject(error ?? new Error('no result')) : resolve(response.result),
    );
  });
}

describe('ConversationService RPCs', function () {
  this.timeout(90_000);
  let client: ConversationServiceClient;

  before(async () => {
    client = createConversationClient((await sharedMesh()).mesh.conversationTarget);
  });
  after(() => client?.close());

  it('Chat answers a whole turn in one response and continues the conversation', async () => {
    const first = await chat(client, SEED_QUERY);
    assert.equal(first.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(first.toolCalls[0]?.toolName, 'calculate_clinical_metrics');
    assert.match(first.text, /BMI 30\.9/);
    const second = await chat(client, 'Her creatinine is 1.0 mg/dL. What is her eGFR?', first.conversationId);
    assert.equal(second.turnIndex, 1);
    const call = second.toolCalls[0];
    assert.equal(call?.toolName, 'calculate_clinical_metrics');
    assert.equal(call?.isError, false);
  });

  it('Converse runs several turns of one conversation on one stream, in order', async () => {
    const { call, events, results, done } = openConverse(client, { deadlineMs: 60_000 });
    call.write({ message: SEED_QUERY });
    call.write({ message: 'Her blood pressure today is 150/95.' });
    call.write({ message: 'Thanks. Anything else to add?' });
    call.end();
    await done;
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((r) => r.turnIndex), [0, 1, 2]);
    const ids = new Set(results.map((r) => r.conversationId));
    assert.equal(ids.size, 1, 'one conversation');
    const starts = events.filter((e) => e.turnStarted);
    assert.equal(starts.length, 3);
    // Each turn's events come between its turn_started and its turn_completed.
    const order = events.map((e) => e.event);
    assert.equal(order[0], 'turnStarted');
    assert.equal(order.at(-1), 'turnCompleted');
    const stored = await getConversation(client, [...ids][0] ?? '');
    assert.equal(stored.conversation?.turns.length, 3);
    assert.ok(Number(stored.conversation?.createTime?.seconds) > 0);
  });

  it('Converse reports a failed turn in the stream and goes on with the next message, in the same conversation', async () => {
    const { call, events, results, failures, done } = openConverse(client, { deadlineMs: 60_000 });
    call.write({ message: 'A 60-year-old man, 180 cm, 95 kg.' });
    call.write({ message: '' }); // a mistake mid-session
    call.write({ message: 'Hello', conversationId: 'conv_somebody_else' }); // another conversation: not on this stream
    call.write({ message: 'His blood pressure today is 150/95.', options: { model: 'claude-nope' } }); // fails in the model call
    call.write({ message: 'His blood pressure today is 150/95.' });
    call.end();
    await done; // the stream ends normally
    assert.deepEqual(events.filter((e) => e.turnCompleted || e.turnFailed).map((e) => e.event), ['turnCompleted', 'turnFailed', 'turnFailed', 'turnFailed', 'turnCompleted']);
    const conversationId = results[0]?.conversationId ?? '';
    assert.deepEqual(failures.map((f) => [f.code, f.conversationId]), [[status.INVALID_ARGUMENT, conversationId], [status.INVALID_ARGUMENT, conversationId], [status.INVALID_ARGUMENT, conversationId]]);
    assert.deepEqual(failures[0]?.fieldViolations.map((v) => v.field), ['message']);
    assert.deepEqual(failures[1]?.fieldViolations.map((v) => v.field), ['conversation_id']);
    assert.equal(failures[2]?.reason, 'MODEL_NOT_FOUND');
    // The turn after the failures continues the conversation, whose history holds only the turns that completed.
    assert.deepEqual(results.map((r) => [r.conversationId, r.turnIndex]), [[conversationId, 0], [conversationId, 1]]);
    assert.match(results[1]?.text ?? '', /hypertension/i, 'the second answer used the first turn');
    assert.equal((await getConversation(client, conversationId)).conversation?.turns.length, 2);

    // A first turn that fails after its conversation was made: the next message goes on with that one.
    const late = openConverse(client, { deadlineMs: 60_000 });
    late.call.write({ message: 'A 40-year-old woman, 165 cm, 60 kg.', options: { model: 'claude-nope' } });
    late.call.write({ message: 'A 40-year-old woman, 165 cm, 60 kg.' });
    late.call.end();
    await late.done;
    const made = late.failures[0]?.conversationId ?? '';
    assert.match(made, /^conv_/, 'the failed first turn names the conversation it made');
    assert.deepEqual(late.results.map((r) => [r.conversationId, r.turnIndex]), [[made, 0]]);

    // A first turn for a conversation that does not exist names none (not the id it was sent).
    const unknown = openConverse(client, { deadlineMs: 60_000 });
    unknown.call.write({ message: 'Hello', conversationId: 'conv_nope' });
    unknown.call.end();
    await unknown.done;
    assert.deepEqual(unknown.failures.map((f) => [f.code, f.conversationId]), [[status.NOT_FOUND, '']]);
  });

  it('Converse stays in the conversation its first message named, though that turn failed (the conversation was busy)', async () => {
    const first = await streamTurn(client, 'A 60-year-old man, 180 cm, 95 kg.');
    let claimed: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (claimed = resolve));
    const busy = streamTurn(client, SEED_QUERY, { conversationId: first.conversationId, onEvent: (event) => event.turnStarted && claimed() });
    await started;
    const session = openConverse(client, { deadlineMs: 60_000 });
    session.call.write({ conversationId: first.conversationId, message: 'Any news?' });
    while (session.failures.length === 0) await delay(10);
    assert.deepEqual([session.failures[0]?.code, session.failures[0]?.reason, session.failures[0]?.conversationId], [status.ABORTED, 'TURN_IN_PROGRESS', first.conversationId]);
    assert.deepEqual([Number(session.failures[0]?.retryDelay?.seconds), session.failures[0]?.retryDelay?.nanos], [1, 0], 'the RetryInfo reaches Converse callers too');
    await busy;
    session.call.write({ message: 'His blood pressure today is 150/95.' }); // no id: the stream's conversation
    session.call.end();
    await session.done;
    assert.deepEqual(session.results.map((r) => [r.conversationId, r.turnIndex]), [[first.conversationId, 2]]);
  });

  it('Converse stops reading a caller who writes faster than its turns finish (flow control), then runs every turn it took, in order', async () => {
    const { call, results: completed, done: ended } = openConverse(client, { deadlineMs: 60_000 });
    // 200 messages of 20 KB: 4 MB the service would otherwise read and hold at once.
    const filler = ' She has been more tired than usual this month.'.repeat(420);
    let taken = 0;
    for (let i = 0; i < 200; i++) call.write({ message: `Note ${i}:${filler}`.slice(0, 20_000) }, () => taken++);
    await delay(1_500);
    assert.ok(taken < 60, `the service stopped taking messages while its turns queued (${taken} of 200 written)`);
    assert.ok(completed.length >= 1, 'turns kept running meanwhile');
    call.cancel();
    await ended.catch(() => undefined); // CANCELLED, as asked

    // A burst just past the bound: the stream pauses and resumes, and every turn runs.
    const burst = openConverse(client, { deadlineMs: 60_000 });
    for (let i = 0; i < 11; i++) burst.call.write({ message: `Thanks. Anything else to add? (${i})` });
    burst.call.end();
    await burst.done;
    assert.deepEqual(burst.results.map((r) => r.turnIndex), Array.from({ length: 11 }, (_, i) => i));
  });

  it('Converse runs 40 turns with tool calls written at once on one stream without a MaxListenersExceededWarning in the service', async () => {
    const { dataDir } = await sharedMesh();
    const { call, results, failures, done } = openConverse(client, { deadlineMs: 120_000 });
    // Each of these turns calls calculate_clinical_metrics: grpc-js leaves a 'cancelled' listener
    // on a child call's parent, and these used to pile up on the stream (11 → the warning).
    for (let i = 0; i < 40; i++) call.write({ message: `${SEED_QUERY} (${i})` });
    call.end();
    await done;
    assert.equal(failures.length, 0, JSON.stringify(failures[0]));
    assert.equal(results.length, 40);
    assert.ok(results.reduce((calls, result) => calls + result.toolCalls.length, 0) >= 40, 'the turns called tools');
    // The service's stderr, where Node prints process warnings (plain text among the JSON lines).
    const log = readFileSync(join(dataDir, 'logs', 'conversation.log'), 'utf8');
    assert.equal(log.split('\n').find((line) => line.includes('MaxListenersExceededWarning')), undefined);
  });

  it('ListConversations pages through every conversation newest first, each once, though new ones are created between pages', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await chat(client, `Note ${i}: a 40-year-old woman, 165 cm, 60 kg.`)).conversationId);
    const during: string[] = [];
    const listed = await listAll([client], 2, async (pageIndex) => {
      if (pageIndex < 3) during.push((await chat(client, 'Thanks. Anything else to add?')).conversationId);
    });
    assertNewestFirstOnce(listed);
    const ids = listed.map((c) => c.conversationId);
    // Newest first: the last one made comes first among them.
    assert.deepEqual(ids.filter((id) => mine.includes(id)), [...mine].reverse());
    // Created after the listing began: newer than where the pages were, so neither shifting nor repeating them.
    assert.deepEqual(ids.filter((id) => during.includes(id)), []);
    const summary = listed.find((c) => c.conversationId === mine[4]);
    assert.equal(summary?.turnCount, 1);
    assert.equal(summary?.firstUserMessage, 'Note 4: a 40-year-old woman, 165 cm, 60 kg.');
    assert.ok(Number(summary?.createTime?.seconds) > 0);
    assert.equal(Object.hasOwn(summary ?? {}, 'turns'), false, 'a summary, not the history');
    // A new listing starts with them.
    const first = await listConversations(client, { pageSize: 3 });
    assert.deepEqual(first.conversations.map((c) => c.conversationId), [...during].reverse());
  });

  it('ListConversations: a bad page_token or a negative page_size is INVALID_ARGUMENT naming it; a page_size past 500 is taken as 500', async () => {
    const forged = Buffer.from(JSON.stringify({ k: "1'; DROP TABLE turns; --", id: 'conv_x' })).toString('base64url');
    for (const pageToken of ['not-a-token', forged, Buffer.from('[]').toString('base64url')]) {
      const error = await failureOf(listConversations(client, { pageToken }));
      assert.equal(error.code, status.INVALID_ARGUMENT, pageToken);
      assert.deepEqual(decodeErrorDetails(error).fieldViolations?.map((v) => v.field), ['page_token']);
    }
    const negative = await failureOf(listConversations(client, { pageSize: -1 }));
    assert.equal(negative.code, status.INVALID_ARGUMENT);
    assert.deepEqual(decodeErrorDetails(negative).fieldViolations?.map((v) => v.field), ['page_size']);
    const large = await listConversations(client, { pageSize: 100_000 });
    assert.ok(large.conversations.length > 0 && large.conversations.length <= 500);
    const defaults = await listConversations(client);
    assert.ok(defaults.conversations.length <= 50);
  });

  it('ListTurns pages through a conversation\'s turns oldest first, as GetConversation has them; its token is for that conversation only', async () => {
    const { call, results, done } = openConverse(client, { deadlineMs: 60_000 });
    for (const age of [40, 41, 42, 43, 44]) call.write({ message: `A ${age}-year-old man, 180 cm, 90 kg.` });
    call.end();
    await done;
    const conversationId = results[0]!.conversationId;
    const pages: number[][] = [];
    let pageToken = '';
    do {
      const page = await listTurns(client, conversationId, { pageSize: 2, pageToken });
      pages.push(page.turns.map((turn) => turn.result!.turnIndex));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    assert.deepEqual(pages, [[0, 1], [2, 3], [4]]);
    const whole = await listTurns(client, conversationId);
    const stored = (await getConversation(client, conversationId)).conversation!.turns;
    assert.deepEqual(whole.turns, stored, 'the same turns as GetConversation, field for field');
    assert.equal(whole.nextPageToken, '');
    assert.match(whole.turns[3]!.userMessage, /43-year-old/);

    const firstPage = await listTurns(client, conversationId, { pageSize: 2 });
    const otherConversation = (await streamTurn(client, 'A 30-year-old woman, 165 cm, 60 kg.')).conversationId;
    const refusals = [
      await failureOf(listTurns(client, otherConversation, { pageToken: firstPage.nextPageToken })),
      await failureOf(listTurns(client, conversationId, { pageToken: 'not-a-token' })),
      await failureOf(listTurns(client, conversationId, { pageSize: -1 })),
      await failureOf(listTurns(client, '')),
    ];
    assert.deepEqual(
      refusals.map((error) => [error.code, decodeErrorDetails(error).fieldViolations?.map((v) => v.field)]),
      [
        [status.INVALID_ARGUMENT, ['page_token']],
        [status.INVALID_ARGUMENT, ['page_token']],
        [status.INVALID_ARGUMENT, ['page_size']],
        [status.INVALID_ARGUMENT, ['conversation_id']],
      ],
    );
    const missing = await failureOf(listTurns(client, 'conv_does_not_exist'));
    assert.equal(missing.code, status.NOT_FOUND);
    assert.equal(decodeErrorDetails(missing).resourceInfo?.resourceName, 'conv_does_not_exist');
  });

  it('DeleteConversation deletes a conversation and its turns: GetConversation is NOT_FOUND, ListConversations leaves it out, a turn on it NOT_FOUND', async () => {
    const first = await chat(client, 'A 70-year-old man, 175 cm, 70 kg.');
    await chat(client, 'His blood pressure today is 150/95.', first.conversationId);
    await deleteConversation(client, first.conversationId);
    const gone = await failureOf(getConversation(client, first.conversationId));
    assert.equal(gone.code, status.NOT_FOUND);
    assert.equal(decodeErrorDetails(gone).resourceInfo?.resourceName, first.conversationId);
    const listed = await listAll([client], 500);
    assert.equal(listed.some((c) => c.conversationId === first.conversationId), false);
    const turn = await failureOf(chat(client, 'Anything else?', first.conversationId));
    assert.equal(turn.code, status.NOT_FOUND, 'a turn does not bring it back');
    const again = await failureOf(deleteConversation(client, first.conversationId));
    assert.equal(again.code, status.NOT_FOUND);
  });

  it('DeleteConversation of a conversation that does not exist is NOT_FOUND with a ResourceInfo; without an id INVALID_ARGUMENT', async () => {
    const missing = await failureOf(deleteConversation(client, 'conv_does_not_exist'));
    assert.equal(missing.code, status.NOT_FOUND);
    const resource = decodeErrorDetails(missing).resourceInfo;
    assert.deepEqual([resource?.resourceType, resource?.resourceName], ['conversation', 'conv_does_not_exist']);
    const empty = await failureOf(deleteConversation(client, ''));
    assert.equal(empty.code, status.INVALID_ARGUMENT);
    assert.deepEqual(decodeErrorDetails(empty).fieldViolations?.map((v) => v.field), ['conversation_id']);
  });

  it('DeleteConversation while a turn runs is ABORTED (TURN_IN_PROGRESS, retry in 1 s); the conversation and the turn survive', async () => {
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
    const { finished, during: refused } = await duringTurn(client, { conversationId: first.conversationId }, () => failureOf(deleteConversation(client, first.conversationId)));
    const error = await refused;
    assert.equal(error.code, status.ABORTED);
    const details = decodeErrorDetails(error);
    assert.equal(details.errorInfo?.reason, 'TURN_IN_PROGRESS');
    assert.equal(details.retryDelayMs, 1000);
    assert.equal(finished.turnIndex, 1);
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 2);
    // Once the turn has ended, the same delete succeeds.
    await deleteConversation(client, first.conversationId);
    assert.equal((await failureOf(getConversation(client, first.conversationId))).code, status.NOT_FOUND);
  });

  it('stops at the iteration bound with STOP_REASON_MAX_ITERATIONS', async () => {
    const result = await streamTurn(client, SEED_QUERY, { options: { maxIterations: 1 } });
    assert.equal(result.stopReason, 'STOP_REASON_MAX_ITERATIONS');
    assert.equal(result.iterations, 1);
    assert.ok(result.toolCalls.length >= 1, 'the tools of the last response still ran');
  });

  it('rejects a second concurrent turn on the same conversation with ABORTED and a RetryInfo', async () => {
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
    const slow = streamTurn(client, SEED_QUERY, { conversationId: first.conversationId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await failureOf(streamTurn(client, 'And his blood pressure is 130/85.', { conversationId: first.conversationId }));
    assert.equal(error.code, status.ABORTED);
    assert.equal(decodeErrorDetails(error).errorInfo?.reason, 'TURN_IN_PROGRESS');
    assert.equal(decodeErrorDetails(error).retryDelayMs, 1000, 'the caller is told when trying again makes sense');
    const finished = await slow;
    assert.equal(finished.turnIndex, 1, 'the running turn was not disturbed');
  });

  it('names the offending fields in google.rpc.BadRequest details', async () => {
    const error = await failureOf(streamTurn(client, '', { options: { maxIterations: 500, maxTokens: 10_000_000 } }));
    assert.equal(error.code, status.INVALID_ARGUMENT);
    const fields = (decodeErrorDetails(error).fieldViolations ?? []).map((v) => v.field).sort();
    assert.deepEqual(fields, ['message', 'options.max_iterations', 'options.max_tokens']);
    const missing = await failureOf(getConversation(client, 'conv_does_not_exist'));
    assert.equal(missing.code, status.NOT_FOUND);
    assert.equal(decodeErrorDetails(missing).resourceInfo?.resourceName, 'conv_does_not_exist');
    const empty = await failureOf(getConversation(client, ''));
    assert.equal(empty.code, status.INVALID_ARGUMENT);
  });

  it('offline too, a model name the provider does not have is INVALID_ARGUMENT on options.model; Claude\'s names are served', async () => {
    const typo = await failureOf(streamTurn(client, 'A 40-year-old man, 180 cm, 80 kg.', { options: { model: 'claude-nope' } }));
    assert.equal(typo.code, status.INVALID_ARGUMENT, typo.details);
    assert.equal(decodeErrorDetails(typo).errorInfo?.reason, 'MODEL_NOT_FOUND');
    assert.deepEqual(decodeErrorDetails(typo).fieldViolations?.map((v) => v.field), ['options.model']);
    const claude = await streamTurn(client, 'A 40-year-old man, 180 cm, 80 kg.', { options: { model: 'claude-sonnet-4-6' } });
    assert.equal(claude.model, 'claude-sonnet-4-6');
  });

  it('ends a turn with DEADLINE_EXCEEDED when the caller\'s deadline passes, and its trace says so', async () => {
    let rootSpanId = '';
    const onEvent = (event: { turnStarted?: { trace?: { rootSpanId?: string } | null } | null }): void => {
      rootSpanId ||= event.turnStarted?.trace?.rootSpanId ?? '';
    };
    const error = await failureOf(streamTurn(client, SEED_QUERY, { deadlineMs: 150, onEvent }));
    assert.equal(error.code, status.DEADLINE_EXCEEDED);
    assert.ok(rootSpanId, 'the turn had started');
    // Debugging a timeout from its trace: the server span has the deadline's status, and the turn's
    // span its reason — not "cancelled" nor the model client's "Request was aborted".
    const rows = await waitForSpans(rootSpanId, { 'tracemesh.conversation.v1.ConversationService/StreamChat': 1, server_process_turn: 1 });
    const server = named(rows, 'tracemesh.conversation.v1.ConversationService/StreamChat')[0];
    assert.equal((server?.metadata as Record<string, unknown> | undefined)?.['rpc.status_code'], 'DEADLINE_EXCEEDED');
    assert.match(String(named(rows, 'server_process_turn')[0]?.error ?? ''), /deadline passed/);
  });
});
