// A conversation that outgrows the model's context window: the offline model refuses such a
// request as the API does (400 "prompt is too long: N tokens > M maximum"), here with a window of
// 6,000 tokens so that the third turn of a conversation no longer fits. The caller must learn that
// this conversation cannot go on (FAILED_PRECONDITION) — not INTERNAL, which reads as our bug.
// Tool results that fill the window are the tools' doing, not the caller's message: one result past
// TRACEMESH_MAX_TOOL_RESULT_CHARS reaches the model as an is_error result, and results under it that
// still overflow fail the turn RESOURCE_EXHAUSTED.
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { failureOf } from '../helpers/call-failure.js';
import { suiteMesh } from '../helpers/suite-mesh.js';

const QUERY = 'A 50-year-old man, 180 cm, 90 kg, with fatigue. What should I check?';

describe('context window: a conversation that no longer fits', function () {
  this.timeout(120_000);
  const suite = suiteMesh('context', {
    OFFLINE_MODEL_CONTEXT_TOKENS: '6000',
    OFFLINE_MODEL_DELTA_DELAY_MS: '0',
    TRACEMESH_TRACING: 'off',
    TOOLWORKER_DIAGNOSTIC_TOOLS: '1',
    TRACEMESH_MAX_TOOL_RESULT_CHARS: '50000',
  });

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

  it('passes a tool result past TRACEMESH_MAX_TOOL_RESULT_CHARS to the model as an is_error result, and the turn goes on', async () => {
    const client = suite.client();
    const result = await streamTurn(client, 'Check the padding. [[call diagnostics_sleep {"ms": 0, "padding_chars": 60000}]]');
    const call = result.toolCalls[0];
    assert.equal(call?.toolName, 'diagnostics_sleep');
    assert.equal(call?.isError, true);
    assert.equal(call?.errorCode, 'RESOURCE_EXHAUSTED');
    assert.match(call?.errorMessage ?? '', /the result is 600\d\d characters, more than the 50000 this service passes to the model/);
    assert.equal(call?.result, null, 'the oversized result is not sent to the caller either');
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
  });

  it('fails a turn whose tool results overflow the window with RESOURCE_EXHAUSTED, not INVALID_ARGUMENT on the message', async () => {
    const client = suite.client();
    const error = await failureOf(streamTurn(client, 'Check the padding. [[call diagnostics_sleep {"ms": 0, "padding_chars": 40000}]]'));
    assert.equal(error.code, status.RESOURCE_EXHAUSTED, error.details);
    assert.match(error.details, /this turn's tool results \(400\d\d characters\) no longer fit the model's context window \(prompt is too long/);
    const details = decodeErrorDetails(error);
    assert.equal(details.errorInfo?.reason, 'CONTEXT_WINDOW_EXCEEDED');
    assert.match(details.errorInfo?.metadata?.tool_result_chars ?? '', /^400\d\d$/);
    assert.equal(details.fieldViolations, undefined, 'no field of the request is blamed');
  });
});
