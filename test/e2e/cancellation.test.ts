// A caller who leaves stops the work done for it: cancelling a StreamChat aborts the model stream
// on the conversation service promptly (measured from the trace), and nothing is stored.
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import { createConversationClient, getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';

describe('cancellation', function () {
  this.timeout(60_000);
  let shared: SharedMesh;
  let client: ConversationServiceClient;

  before(async () => {
    shared = await sharedMesh();
    client = createConversationClient(shared.mesh.conversationTarget);
  });
  after(() => client?.close());

  it('aborts the model stream within milliseconds of the caller cancelling', async () => {
    const conversation = new TracedConversation(client);
    const abort = new AbortController();
    let cancelledAt = 0;
    let deltasAfterCancel = 0;
    let answerDeltas = 0;
    let conversationId = '';
    const error = await conversation
      .turn(SEED_QUERY, {
        signal: abort.signal,
        onEvent: (event) => {
          if (event.turnStarted) conversationId = event.turnStarted.conversationId;
          if (cancelledAt > 0) deltasAfterCancel++;
          if (event.textDelta?.iteration === 1 && ++answerDeltas === 5) {
            cancelledAt = Date.now() / 1000;
            abort.abort();
          }
        },
      })
      .then(() => assert.fail('the turn should be cancelled'), (failure: ServiceError) => failure);
    conversation.finish();
    await shared.tracing.flush();
    assert.equal(error.code, status.CANCELLED);
    assert.equal(deltasAfterCancel, 0, 'no event reaches a caller who cancelled');

    const rows = await waitForSpans(conversation.rootSpanId, { claude_messages_create: 2, server_process_turn: 1 });
    const answerCall = named(rows, 'claude_messages_create').find((row) => (row.metadata as { iteration?: number }).iteration === 1);
    const end = (answerCall?.metrics as { end?: number } | undefined)?.end;
    assert.ok(end, 'the aborted model call ended');
    const latencyMs = (end - cancelledAt) * 1000;
    console.log(`      cancellation: model stream aborted ${latencyMs.toFixed(1)} ms after the caller cancelled`);
    assert.ok(latencyMs < 1_000, `the model stream stopped promptly (${latencyMs.toFixed(1)} ms)`);
    const processTurn = named(rows, 'server_process_turn')[0];
    assert.ok(processTurn?.error, 'the turn span records the cancellation');
    const turnMetrics = processTurn?.metrics as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    assert.ok((turnMetrics?.prompt_tokens ?? 0) > 0 && (turnMetrics?.completion_tokens ?? 0) > 0, 'the failed turn counts the tokens its completed model call used');

    const stored = await getConversation(client, conversationId);
    assert.equal(stored.conversation?.turns.length, 0, 'a cancelled turn is not stored');
    const retry = await streamTurn(client, SEED_QUERY, { conversationId });
    assert.equal(retry.turnIndex, 0, 'the conversation is free again');
  });

  it('runs no turn for a signal aborted before the call starts', async () => {
    const abort = new AbortController();
    abort.abort();
    let events = 0;
    const error = await streamTurn(client, SEED_QUERY, { signal: abort.signal, onEvent: () => events++ }).then(
      () => assert.fail('the turn should not run'),
      (failure: ServiceError) => failure,
    );
    assert.equal(error.code, status.CANCELLED);
    assert.equal(events, 0);
  });
});
