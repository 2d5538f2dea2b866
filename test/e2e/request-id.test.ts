// Idempotent turns (AIP-155): a caller that retries a turn with the same request_id — its answer was
// lost, its queue redelivered the message — gets the turn that ran, never a second run of it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { createConversationClient, getConversation, openConverse, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { duringTurn } from '../helpers/busy-conversation.js';
import { failureOf } from '../helpers/call-failure.js';
import { sharedMesh } from '../helpers/shared-mesh.js';

function chat(
  client: ConversationServiceClient,
  request: { message: string; requestId: string; conversationId?: string; options?: { model: string } },
): Promise<TurnResult__Output> {
  return new Promise((resolve, reject) => {
    client.Chat({ conversationId: '', ...request }, new Metadata(), { deadline: Date.now() + 60_000 }, (error, response) =>
      error || !response?.result ? reject(error ?? new Error('no result')) : resolve(response.result),
    );
  });
}

/** The parts of a result that say which turn it is and what it answered. */
function sameTurn(result: TurnResult__Output): unknown {
  return { conversationId: result.conversationId, turnIndex: result.turnIndex, text: result.text, trace: result.trace, toolCalls: result.toolCalls.map((c) => c.toolCallId) };
}

describe('request_id: a retried turn is answered once', function () {
  this.timeout(90_000);
  let client: ConversationServiceClient;

  before(async () => {
    client = createConversationClient((await sharedMesh()).mesh.conversationTarget);
  });
  after(() => client?.close());

  it('Chat retried after it completed gets the stored turn (replayed), in the same new conversation, which holds one turn', async () => {
    const requestId = randomUUID();
    const first = await chat(client, { message: SEED_QUERY, requestId });
    assert.equal(first.replayed, false);
    assert.ok(first.toolCalls.length > 0, 'the turn ran its tools');
    const retry = await chat(client, { message: SEED_QUERY, requestId });
    assert.equal(retry.replayed, true);
    assert.deepEqual(sameTurn(retry), sameTurn(first));
    assert.equal(retry.durationMs, first.durationMs, 'the stored result, not a new run');
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 1);
    // The conversation goes on as usual; a turn without a key is never answered from the store.
    const next = await chat(client, { message: 'Her blood pressure is 150/95.', requestId: '', conversationId: first.conversationId });
    assert.equal(next.turnIndex, 1);
    assert.equal(next.replayed, false);
  });

  it('StreamChat retried sends turn_started and turn_completed of the stored turn only', async () => {
    const requestId = randomUUID();
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.', { requestId });
    const events: StreamChatResponse__Output[] = [];
    const retry = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.', { requestId, conversationId: first.conversationId, onEvent: (event) => events.push(event) });
    assert.deepEqual(events.map((event) => event.event), ['turnStarted', 'turnCompleted']);
    assert.equal(events[0]?.turnStarted?.conversationId, first.conversationId);
    assert.deepEqual(events[0]?.turnStarted?.trace, first.trace, 'the trace of the run that answered');
    assert.equal(events[0]?.turnStarted?.replayed, true, 'a streaming caller knows at once');
    assert.equal(retry.replayed, true);
    assert.deepEqual(sameTurn(retry), sameTurn(first));
  });

  it('a retry while the first try runs is ABORTED (TURN_IN_PROGRESS, RetryInfo); once it ended, the retry gets its turn', async () => {
    const requestId = randomUUID();
    const { finished: first, during: duplicate } = await duringTurn(client, { requestId }, () => failureOf(streamTurn(client, SEED_QUERY, { requestId })));
    const error = await duplicate;
    assert.equal(error.code, status.ABORTED, error.details);
    assert.equal(decodeErrorDetails(error).errorInfo?.reason, 'TURN_IN_PROGRESS');
    assert.equal(decodeErrorDetails(error).errorInfo?.metadata?.conversation_id, first.conversationId, 'the same conversation, not a second one');
    assert.equal(decodeErrorDetails(error).retryDelayMs, 1000);
    const retry = await streamTurn(client, SEED_QUERY, { requestId });
    assert.equal(retry.replayed, true);
    assert.deepEqual(sameTurn(retry), sameTurn(first));
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 1);
  });

  it('a first try that failed stored nothing: its retry runs the turn, in the conversation the first try started', async () => {
    const requestId = randomUUID();
    let startedIn = '';
    const failed = await failureOf(streamTurn(client, SEED_QUERY, { requestId, deadlineMs: 150, onEvent: (event) => (startedIn ||= event.turnStarted?.conversationId ?? '') }));
    assert.equal(failed.code, status.DEADLINE_EXCEEDED);
    assert.ok(startedIn, 'the first try had started');
    const retry = await streamTurn(client, SEED_QUERY, { requestId });
    assert.equal(retry.replayed, false, 'it ran');
    assert.equal(retry.conversationId, startedIn);
    assert.equal(retry.turnIndex, 0);
    assert.equal((await getConversation(client, startedIn)).conversation?.turns.length, 1);
  });

  it('the same request_id for another message, another conversation or another model named, or with bad characters, is INVALID_ARGUMENT on request_id', async () => {
    const requestId = randomUUID();
    const first = await chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId });
    const other = await chat(client, { message: 'A 30-year-old man, 175 cm, 70 kg.', requestId: randomUUID() });
    const failures = [
      await failureOf(chat(client, { message: 'A 61-year-old woman, 160 cm, 70 kg.', requestId })),
      await failureOf(chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId, conversationId: other.conversationId })),
      await failureOf(chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId: 'not a key!' })),
      await failureOf(chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId: 'x'.repeat(129) })),
      await failureOf(chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId, options: { model: 'claude-opus-4-1' } })),
    ];
    for (const error of failures) {
      assert.equal(error.code, status.INVALID_ARGUMENT, error.details);
      assert.deepEqual(decodeErrorDetails(error).fieldViolations?.map((v) => v.field), ['request_id'], error.details);
    }
    assert.match(failures[0]?.details ?? '', /another message/);
    assert.match(failures[1]?.details ?? '', new RegExp(first.conversationId));
    assert.match(failures[4]?.details ?? '', /answered by model "[^"]+", not "claude-opus-4-1"/);
    // The model it ran with, named, is the same request: answered from the store.
    assert.equal((await chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId, options: { model: first.model } })).replayed, true);
    // Nothing ran: each conversation still holds its one turn.
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 1);
    assert.equal((await getConversation(client, other.conversationId)).conversation?.turns.length, 1);
  });

  it('Converse: a message repeated with its request_id on the stream is answered from the stored turn', async () => {
    const requestId = randomUUID();
    const { call, results, events, done } = openConverse(client, { deadlineMs: 60_000 });
    call.write({ message: 'A 50-year-old man, 180 cm, 90 kg.', requestId });
    call.write({ message: 'A 50-year-old man, 180 cm, 90 kg.', requestId });
    call.write({ message: 'His blood pressure is 150/95.' });
    call.end();
    await done;
    assert.deepEqual(results.map((r) => [r.turnIndex, r.replayed]), [[0, false], [0, true], [1, false]]);
    assert.deepEqual(sameTurn(results[1]!), sameTurn(results[0]!));
    assert.equal(events.filter((e) => e.textDelta).length > 0, true);
    assert.equal((await getConversation(client, results[0]!.conversationId)).conversation?.turns.length, 2);
  });
});
