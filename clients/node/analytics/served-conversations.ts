// Conversations as the conversation service itself logged them: one `server_process_turn` span per
// turn, whoever called it — grpcurl, Python, a generated client, the Node CLI. Only a traced Node
// client also logs a `client_conversation` root; without these, conversations from every other
// caller were missing from the queries and datasets. A caller that sends no trace context makes each
// turn a trace of its own, so one conversation may span several traces (`traceIds`).
import { and, as, eq, field, ge, inList, isNotNull, or, projectLogs, spanIdentity, value, type BtqlExpr } from './btql-ast.js';
import type { JsonObject } from '../../../lib/json.js';
import type { BtqlClient } from './btql-client.js';
import type { ConversationSummary } from './conversations.js';
import { numberAt, SPAN, spanError, stringAt } from '../span-fields.js';

/** A conversation may have at most this many turns (TRACEMESH_MAX_TURNS' default), read back per conversation. */
const MAX_TURNS_READ = 200;

const isServerTurn = (): BtqlExpr => and(eq(field('span_attributes', 'name'), value(SPAN.serverTurn)), isNotNull(field('input', 'conversation_id')));

interface ServedTurn {
  rootSpanId: string;
  spanId: string;
  created: string;
  turnIndex: number;
  message: string;
  answer: string | undefined;
  error: string | undefined;
}

/** A conversation's turns in turn order (a retried turn once, its latest try), and every try that failed. */
interface ServedTurns {
  turns: ServedTurn[];
  failed: ServedTurn[];
}

/** Turn rows read at first per conversation asked for, to find that many distinct ones. */
const ROWS_PER_CONVERSATION = 5;
/** The most turn rows one listing reads while conversations told by client roots are skipped. */
const MAX_ROWS_READ = 20_000;

/**
 * The newest conversations (by their first turn) — or, with `matchingTurn`, those with a turn that
 * matches it, newest match first — that no traced client logged a root for (those are told by
 * their roots, and eval traffic among them is left out there), each summarised from all its turns.
 * Rows are read newest first along the store's time order and only as many as needed: no grouping
 * over every turn stored; more are read while conversations with roots take the places.
 */
export async function servedConversations(
  client: BtqlClient,
  limit: number,
  options: { startedSince?: string; matchingTurn?: BtqlExpr; notBefore?: string } = {},
): Promise<ConversationSummary[]> {
  const projectId = await client.projectId();
  const conditions = [isServerTurn()];
  if (options.matchingTurn) conditions.push(options.matchingTurn);
  else conditions.push(eq(field('input', 'turn_index'), value(0)));
  for (const bound of [options.startedSince, options.notBefore]) if (bound) conditions.push(ge(field('created'), value(bound)));
  const withRoots = new Set<string>();
  const checked = new Set<string>();
  let newest: JsonObject[] = [];
  let ids: string[] = [];
  for (let rowsWanted = limit * ROWS_PER_CONVERSATION; ; rowsWanted *= 4) {
    newest = await client.rows(
      {
        from: projectLogs(projectId),
        filter: and(...conditions),
        select: [as('conversation_id', field('input', 'conversation_id')), as('created', field('created')), as('root_span_id', field('root_span_id'))],
        sort: [{ expr: field('created'), dir: 'desc' }],
      },
      rowsWanted,
    );
    // A first turn tried again is a second turn_index 0 row; several turns of one conversation may match.
    const seen = [...new Set(newest.flatMap((row) => stringAt(row, 'conversation_id') ?? []))];
    const unchecked = seen.filter((id) => !checked.has(id));
    for (const id of await conversationsWithRoots(client, projectId, unchecked, newest)) withRoots.add(id);
    for (const id of unchecked) checked.add(id);
    ids = seen.filter((id) => !withRoots.has(id)).slice(0, limit);
    if (ids.length >= limit || newest.length < rowsWanted || rowsWanted >= MAX_ROWS_READ) break;
  }
  // Listing by first turns, no turn of theirs is older than the oldest first turn listed: the
  // turns are read from there on, not from the whole store.
  const chosen = new Set(ids);
  const firstTurns = newest.filter((row) => chosen.has(stringAt(row, 'conversation_id') ?? '')).flatMap((row) => stringAt(row, 'created') ?? []);
  const since = options.matchingTurn || firstTurns.length === 0 ? undefined : firstTurns.reduce((a, b) => (a < b ? a : b));
  const turns = await turnsOf(client, projectId, ids, since);
  return ids.flatMap((id) => {
    const summary = summarise(id, turns.get(id) ?? { turns: [], failed: [] });
    return summary ? [summary] : [];
  });
}

export interface CompletedTurn {
  message: string;
  answer: string;
}

/**
 * Each conversation's completed turns, in turn order — its history as the model saw it (a failed
 * turn is not in it): what a live eval replays to reach the conversation's last answer.
 */
export async function completedTurnsByConversation(client: BtqlClient, conversationIds: string[]): Promise<Map<string, CompletedTurn[]>> {
  const turns = await turnsOf(client, await client.projectId(), conversationIds);
  return new Map([...turns].map(([id, { turns: list }]) => [id, list.flatMap((turn) => (turn.answer === undefined ? [] : [{ message: turn.message, answer: turn.answer }]))]));
}

/**
 * Which of these conversations a traced client logged a root for (whatever its source): by the
 * root's conversation id, or — when its turn failed before the client learned the id — by the
 * turn's trace being the root's (`turnRows`: conversation_id and root_span_id of their turns).
 */
async function conversationsWithRoots(client: BtqlClient, projectId: string, conversationIds: string[], turnRows: JsonObject[]): Promise<Set<string>> {
  if (conversationIds.length === 0) return new Set();
  const wanted = new Set(conversationIds);
  const conversationOfTrace = new Map<string, string>();
  for (const row of turnRows) {
    const id = stringAt(row, 'conversation_id');
    const trace = stringAt(row, 'root_span_id');
    if (id && trace && wanted.has(id)) conversationOfTrace.set(trace, id);
  }
  const rows = await client.rows({
    from: projectLogs(projectId),
    filter: and(
      eq(field('span_attributes', 'name'), value(SPAN.conversation)),
      or(inList(field('output', 'conversation_id'), conversationIds), inList(field('root_span_id'), [...conversationOfTrace.keys()])),
    ),
    select: [as('conversation_id', field('output', 'conversation_id')), as('root_span_id', field('root_span_id'))],
  });
  return new Set(rows.flatMap((row) => [stringAt(row, 'conversation_id'), conversationOfTrace.get(stringAt(row, 'root_span_id') ?? '')].filter((id): id is string => !!id && wanted.has(id))));
}

async function turnsOf(client: BtqlClient, projectId: string, conversationIds: string[], since?: string): Promise<Map<string, ServedTurns>> {
  const byConversation = new Map<string, ServedTurn[]>();
  const result = new Map<string, ServedTurns>();
  if (conversationIds.length === 0) return result;
  const ofThese = and(isServerTurn(), inList(field('input', 'conversation_id'), conversationIds));
  const rows = await client.rows(
    {
      from: projectLogs(projectId),
      filter: since ? and(ofThese, ge(field('created'), value(since))) : ofThese,
      select: [
        ...spanIdentity(),
        as('conversation_id', field('input', 'conversation_id')),
        as('turn_index', field('input', 'turn_index')),
        as('message', field('input', 'message')),
        as('answer', field('output', 'text')),
        as('error', field('error')),
      ],
    },
    conversationIds.length * MAX_TURNS_READ,
  );
  for (const row of rows) {
    const id = stringAt(row, 'conversation_id');
    const turnIndex = numberAt(row, 'turn_index');
    if (!id || turnIndex === undefined) continue;
    const list = byConversation.get(id) ?? [];
    list.push({
      rootSpanId: stringAt(row, 'root_span_id') ?? '',
      spanId: stringAt(row, 'span_id') ?? '',
      created: stringAt(row, 'created') ?? '',
      turnIndex,
      message: stringAt(row, 'message') ?? '',
      answer: stringAt(row, 'answer'),
      error: spanError(row),
    });
    byConversation.set(id, list);
  }
  // A turn that failed and was tried again has the same index twice: the later one is the history's.
  for (const [id, list] of byConversation) {
    const latest = new Map<number, ServedTurn>();
    for (const turn of list.sort((a, b) => a.created.localeCompare(b.created))) latest.set(turn.turnIndex, turn);
    result.set(id, { turns: [...latest.values()].sort((a, b) => a.turnIndex - b.turnIndex), failed: list.filter((turn) => turn.error !== undefined) });
  }
  return result;
}

function summarise(conversationId: string, { turns, failed }: ServedTurns): ConversationSummary | undefined {
  const first = turns[0];
  if (!first) return undefined;
  const answered = turns.filter((turn) => turn.answer !== undefined);
  const error = failed.at(-1)?.error;
  return {
    rootSpanId: first.rootSpanId,
    spanId: first.spanId,
    created: first.created,
    conversationId,
    patientQuery: first.message,
    finalResponse: answered.at(-1)?.answer ?? '',
    totalTurns: answered.length,
    failedTurns: failed.length,
    ...(error === undefined ? {} : { error }),
    traceIds: [...new Set(turns.map((turn) => turn.rootSpanId))],
  };
}
