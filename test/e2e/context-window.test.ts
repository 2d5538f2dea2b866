// A conversation that outgrows the model's context window: the offline model refuses such a
// request as the API does (400 "prompt is too long: N tokens > M maximum"), here with a window of
// 6,000 tokens so that the third turn of a conversation no longer fits. The caller must learn that
// this conversation cannot go on (FAILED_PRECONDITION) — not INTERNAL, which reads as our bug.
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { failureOf } from '../helpers/call-failure.js';
import { suiteMesh } from '../helpers/suite-mesh.js';

const QUERY = 'A 50-year-old man, 180 cm, 90 kg, with fatigue. What should I check?';

describe('context window: a conversation that no longer fits', function () {
  this.timeout(120_000);
  const suite = suiteMesh('context', { OFFLINE_MODEL_CONTEXT_TOKENS: '6000', OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' });

  it('fails the turn that overflows with FAILED_PRECONDITION (CONTEXT_WINDOW_EXCEEDED), keeping the turns before it', async () => {
    const client = suite.client();
    const first = await streamTurn(client, QUERY);
    const conversationId = first.conversationId;
    await streamTurn(client, QUERY, { conversationId });
    const error = await failureOf(streamTurn(client, QUERY, { conversationId }));
    assert.equal(error.code, status.FAILED_PRECONDITION, error.details);
    assert.match(error.details, /no longer fits the model's context window \(prompt is too long: \d+ tokens > 6000 maximum\); start a new conversation/);
    const info = decodeErrorDetails(error).errorInfo;
    assert.equal(info?.reason, 'CONTEXT_WINDOW_EXCEEDED');
    assert.equal(info?.metadata?.conversation_id, conversationId);
    assert.equal(info?.metadata?.previous_turns, '2');
    const stored = await getConversation(client, conversationId);
    assert.equal(stored.conversation?.turns.length, 2, 'the failed turn is not stored; the two before it are');
  });

  it('fails a first message too long for the window with INVALID_ARGUMENT naming the message', async () => {
    const client = suite.client();
    const error = await failureOf(streamTurn(client, `${QUERY} ${'Her notes say she feels tired. '.repeat(900)}`));
    assert.equal(error.code, status.INVALID_ARGUMENT, error.details);
    const details = decodeErrorDetails(error);
    assert.equal(details.errorInfo?.reason, 'CONTEXT_WINDOW_EXCEEDED');
    assert.deepEqual(details.fieldViolations?.map((v) => v.field), ['message']);
  });
});
