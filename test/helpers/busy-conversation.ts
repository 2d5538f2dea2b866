// Running turns for tests of what a caller sees while a conversation's turn runs (ABORTED
// TURN_IN_PROGRESS, and retries of it): one turn with an action at its start, or a conversation
// kept busy with turn after turn on one Converse stream.
import { openConverse, streamTurn, type ConversationServiceClient, type StreamTurnOptions, type TurnResult } from '../../clients/node/conversation-client.js';
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

/**
 * Runs a seed-query turn (`options`: its conversation, request id…) and calls `during` once, as
 * soon as the turn has started — so what `during` sends meets a running turn. Resolves with the
 * turn's result and what `during` returned.
 */
export async function duringTurn<T>(
  client: ConversationServiceClient,
  options: Omit<StreamTurnOptions, 'onEvent'>,
  during: () => T,
): Promise<{ finished: TurnResult; during: T }> {
  let sent: { value: T } | undefined;
  const finished = await streamTurn(client, SEED_QUERY, {
    ...options,
    onEvent: (event) => {
      if (event.turnStarted) sent ??= { value: during() };
    },
  });
  if (!sent) throw new Error('the turn ended without a turn_started event');
  return { finished, during: sent.value };
}
