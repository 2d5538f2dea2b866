// Keeps a conversation busy with turn after turn on one Converse stream, for tests of what a
// caller sees while a conversation's turn runs (ABORTED TURN_IN_PROGRESS, and retries of it).
import { openConverse, type ConversationServiceClient } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';

/**
 * Queues `turns` seed-query turns on `conversationId`; resolves once the first has started, with
 * `done`, which resolves when the stream has run them all. A few seconds of busy conversation for 20–30 turns.
 */
export async function keepConversationBusy(client: ConversationServiceClient, conversationId: string, turns: number): Promise<{ done: Promise<void> }> {
  const busy = openConverse(client, { deadlineMs: 60_000 });
  const started = new Promise<void>((resolve) => busy.call.on('data', (event: { turnStarted?: unknown }) => event.turnStarted && resolve()));
  for (let i = 0; i < turns; i++) busy.call.write({ conversationId, message: SEED_QUERY });
  busy.call.end();
  await started;
  return { done: busy.done };
}
