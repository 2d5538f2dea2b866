// A request_id sent again for a different turn (another message, or a turn of another conversation)
// is refused — and the refusal leaves nothing behind: no empty conversation made from the key, and
// no Converse stream that goes on in the key's conversation (which may be somebody else's).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { createConversationClient, getConversation, openConverse } from '../../clients/node/conversation-client.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { conversationIdForRequest } from '../../services/conversation/turn-request.js';
import { failureOf } from '../helpers/call-failure.js';
import { sharedMesh } from '../helpers/shared-mesh.js';

function chat(client: ConversationServiceClient, request: { message: string; requestId: string; conversationId?: string }): Promise<TurnResult__Output> {
  return new Promise((resolve, reject) => {
    client.Chat({ conversationId: '', ...request }, new Metadata(), { deadline: Date.now() + 60_000 }, (error, response) =>
      error || !response?.result ? reject(error ?? new Error('no result')) : resolve(response.result),
    );
  });
}

describe('request_id: a key reused for another turn is refused and leaves nothing behind', function () {
  this.timeout(90_000);
  let client: ConversationServiceClient;

  before(async () => {
    client = createConversationClient((await sharedMesh()).mesh.conversationTarget);
  });
  after(() => client?.close());

  it('the key of a turn of an existing conversation, sent to start a new one, is INVALID_ARGUMENT and makes no conversation', async () => {
    const existing = await chat(client, { message: 'A 60-year-old woman, 160 cm, 70 kg.', requestId: '' });
    const requestId = randomUUID();
    await chat(client, { message: 'Her blood pressure is 150/95.', requestId, conversationId: existing.conversationId });
    const error = await failureOf(chat(client, { message: 'Her blood pressure is 150/95.', requestId }));
    assert.equal(error.code, status.INVALID_ARGUMENT, error.details);
    assert.deepEqual(decodeErrorDetails(error).fieldViolations?.map((v) => v.field), ['request_id']);
    assert.match(error.details, new RegExp(existing.conversationId));
    const stray = await failureOf(getConversation(client, conversationIdForRequest(requestId)));
    assert.equal(stray.code, status.NOT_FOUND, 'no empty conversation was made from the key');
    assert.equal((await getConversation(client, existing.conversationId)).conversation?.turns.length, 2);
  });

  it("Converse: a first message whose key belongs to another turn joins no conversation — the next message starts the stream's own", async () => {
    // The key's conversation, made by its own turn (another caller's, say).
    const requestId = randomUUID();
    const owner = await chat(client, { message: 'A 70-year-old man, 170 cm, 80 kg.', requestId });
    assert.equal(owner.conversationId, conversationIdForRequest(requestId));
    // Another turn of an existing conversation, whose key is then sent to start one.
    const existing = await chat(client, { message: 'A 30-year-old man, 175 cm, 70 kg.', requestId: '' });
    const otherKey = randomUUID();
    await chat(client, { message: 'His blood pressure is 150/95.', requestId: otherKey, conversationId: existing.conversationId });

    for (const reused of [
      { message: 'A 71-year-old man, 170 cm, 80 kg.', requestId }, // the key's conversation, another message
      { message: 'His blood pressure is 150/95.', requestId: otherKey }, // a turn of another conversation
    ]) {
      const { call, results, failures, done } = openConverse(client, { deadlineMs: 60_000 });
      call.write(reused);
      call.write({ message: 'A 40-year-old woman, 165 cm, 60 kg.' });
      call.end();
      await done;
      assert.equal(failures.length, 1, JSON.stringify(failures));
      assert.equal(failures[0]?.code, status.INVALID_ARGUMENT, failures[0]?.message);
      assert.equal(failures[0]?.conversationId, '', 'the refused turn joined no conversation');
      assert.equal(results.length, 1);
      assert.equal(results[0]?.turnIndex, 0, 'the next message started a conversation of its own');
      assert.notEqual(results[0]?.conversationId, owner.conversationId);
      assert.notEqual(results[0]?.conversationId, conversationIdForRequest(otherKey));
    }
    assert.equal((await getConversation(client, owner.conversationId)).conversation?.turns.length, 1, "the key's conversation is untouched");
    assert.equal((await failureOf(getConversation(client, conversationIdForRequest(otherKey)))).code, status.NOT_FOUND);
  });
});
