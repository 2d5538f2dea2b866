// A retry answered from its stored turn (a repeated request_id) says so in the retry's own trace:
// a server_replay_turn span under the service's RPC span, naming the run whose result it repeats.
// Without it the retry's trace held an RPC span with nothing under it, and nothing said why.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { credentials, Metadata } from '@grpc/grpc-js';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import { named, nameOf, parentOf, waitForSpans } from '../helpers/trace-rows.js';
import { sharedMesh } from '../helpers/shared-mesh.js';

describe('a replayed turn in the trace', function () {
  this.timeout(60_000);

  it("is a server_replay_turn span in the retry's trace, pointing at the run that answered", async () => {
    const shared = await sharedMesh();
    // A bare client, as grpcurl or Python would call, sending its own traceparent.
    const client = new ConversationServiceClient(shared.mesh.conversationTarget, credentials.createInsecure());
    try {
      const requestId = randomUUID();
      const message = 'A 50-year-old man, 180 cm, 90 kg: BMI?';
      const first = await streamTurn(client, message, { requestId });
      const traceId = randomBytes(16).toString('hex');
      const metadata = new Metadata();
      metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      const retry = await streamTurn(client, message, { requestId, metadata });
      assert.equal(retry.replayed, true);

      const rows = await waitForSpans(traceId, { server_replay_turn: 1 }, 10_000);
      const [replay] = named(rows, 'server_replay_turn');
      assert.ok(replay, `the retry's trace has a server_replay_turn span: ${rows.map(nameOf).join(', ')}`);
      assert.equal(nameOf(parentOf(rows, replay) ?? replay), 'tracemesh.conversation.v1.ConversationService/StreamChat');
      assert.deepEqual(replay.metadata, {
        ...(replay.metadata as object),
        replayed: true,
        replay_of_root_span_id: first.trace?.rootSpanId,
        replay_of_span_id: first.trace?.spanId,
      });
      assert.deepEqual(replay.input, { conversation_id: first.conversationId, turn_index: first.turnIndex, message, request_id: requestId });
      assert.deepEqual(named(rows, 'server_process_turn'), [], 'nothing ran again');
    } finally {
      client.close();
    }
  });

  it("a traced client's replayed client_turn says so and counts no tokens (the run it repeats did)", async () => {
    const shared = await sharedMesh();
    const client = createConversationClient(shared.mesh.conversationTarget);
    try {
      const requestId = randomUUID();
      const message = 'A 60-year-old woman, 165 cm, 70 kg: BMI?';
      const first = await new TracedConversation(client).turn(message, { requestId });
      const retry = new TracedConversation(client);
      await retry.turn(message, { requestId });
      retry.finish();
      await shared.tracing.flush();
      const rows = await waitForSpans(retry.rootSpanId, { client_turn: 1, server_replay_turn: 1 }, 10_000);
      const [turn] = named(rows, 'client_turn');
      assert.deepEqual(turn?.metadata, { ...(turn?.metadata as object), replayed: true, replay_of_root_span_id: first.trace?.rootSpanId });
      assert.equal((turn?.metrics as Record<string, unknown> | undefined)?.prompt_tokens, undefined, 'no tokens counted twice');
    } finally {
      client.close();
    }
  });
});
