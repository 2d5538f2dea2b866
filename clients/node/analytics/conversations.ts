// Logged conversations, newest first: the `client_conversation` root spans on which a traced Node
// client logs the whole conversation (conversation_id, total_turns, failed_turns, turns,
// patient_query, final_response, last_error), and — for conversations from any other caller — what
// the conversation service logged of them, turn by turn (served-conversations.ts). Failed turns are
// counted and their errors searchable: a conversation whose every turn failed is listed like any other.
import type { JsonObject } from '../../../lib/json.js';
import { and, as, containsPattern, countRows, eq, field, ge, ilike, inList, isNotNull, isNull, ne, or, projectLogs, spanIdentity, value, type BtqlExpr } from './btql-ast.js';
import { servedConversations } from './served-conversations.js';
import type { BtqlClient } from './btql-client.js';
import { numberAt, SPAN, spanError, stringAt } from '../span-fields.js';

export interface ConversationSummary {
  rootSpanId: string;
  spanId: string;
  created: string;
  conversationId: string;
  patientQuery: string;
  finalResponse: string;
  /** Completed turns: those in the conversation's history (a failed turn is not; see failedTurns). */
  totalTurns: number;
  /** Turns that failed (a passed deadline, a cancelled call…); 0 for a conversation without failures. */
  failedTurns: number;
  /** The last failed turn's error, when a turn failed. */
  error?: string;
  /** The traces holding its turns: one for a traced client; one per turn for a caller that sends no trace context. */
  traceIds: string[];
}

export interface ListOptions {
  limit?: number;
  /** Leave out conversations the root span tags with one of these `metadata.source` values (e.g. "eval"). */
  excludeSources?: string[];
  /** Only conversations with a failed turn. */
  errorsOnly?: boolean;
}

/** Which conversations a listing asks for. */
export type ConversationFilter = { kind: 'recent' } | { kind: 'search'; text: string } | { kind: 'since'; hours: number; now?: Date };

export const DEFAULT_CONVERSATION_LIMIT = 20;

/** The `metadata.source` an eval run's live conversations carry on their root (clients/node/evals/eval-tasks.ts). */
export const EVAL_SOURCE = 'eval';

export function recentConversations(client: BtqlClient, options: ListOptions = {}): Promise<ConversationSummary[]> {
  return listConversations(client, { kind: 'recent' }, options);
}

/**
 * Conversations whose patient query or error contains `text` (case-insensitive; % and _ are
 * literal) — for those only the service logged, any of their messages or errors.
 */
export function searchConversations(client: BtqlClient, text: string, options: ListOptions = {}): Promise<ConversationSummary[]> {
  return listConversations(client, { kind: 'search', text }, options);
}

/** Conversations started in the last `hours` hours (by the root span's, or the first turn's, `created`). */
export function conversationsSince(client: BtqlClient, hours: number, options: ListOptions & { now?: Date } = {}): Promise<ConversationSummary[]> {
  return listConversations(client, { kind: 'since', hours, now: options.now }, options);
}

interface Conditions {
  /** On the client_conversation root. */
  logged: BtqlExpr | undefined;
  /** Which conversations the service's turn spans qualify (served-conversations.ts). */
  served: { startedSince?: string; matchingTurn?: BtqlExpr };
}

/** A root that tells of a failure: an error on it, a failed turn counted, or (logged before failed turns were counted) no turn at all. */
const rootWithFailure = (): BtqlExpr =>
  or(isNotNull(field('error')), ge(field('output', 'failed_turns'), value(1)), eq(field('output', 'total_turns'), value(0)));

function conditionsOf(filter: ConversationFilter, errorsOnly: boolean): Conditions {
  const conditions = baseConditions(filter);
  if (!errorsOnly) return conditions;
  const failedTurn = isNotNull(field('error'));
  return {
    logged: conditions.logged ? and(conditions.logged, rootWithFailure()) : rootWithFailure(),
    served: { ...conditions.served, matchingTurn: conditions.served.matchingTurn ? and(conditions.served.matchingTurn, failedTurn) : failedTurn },
  };
}

function baseConditions(filter: ConversationFilter): Conditions {
  switch (filter.kind) {
    case 'recent':
      return { logged: undefined, served: {} };
    case 'search': {
      const pattern = containsPattern(filter.text);
      return {
        logged: or(
          ilike(field('output', 'patient_query'), pattern),
          ilike(field('input', 'patient_query'), pattern),
          ilike(field('output', 'last_error'), pattern),
          ilike(field('error'), pattern),
        ),
        served: { matchingTurn: or(ilike(field('input', 'message'), pattern), ilike(field('error'), pattern)) },
      };
    }
    case 'since': {
      if (!(filter.hours > 0)) throw new Error(`hours must be a positive number, got ${filter.hours}`);
      const since = new Date((filter.now ?? new Date()).getTime() - filter.hours * 3_600_000).toISOString();
      return { logged: ge(field('created'), value(since)), served: { startedSince: since } };
    }
  }
}

export async function listConversations(client: BtqlClient, filter: ConversationFilter, options: ListOptions = {}): Promise<ConversationSummary[]> {
  const conditions = conditionsOf(filter, options.errorsOnly === true);
  const limit = options.limit ?? DEFAULT_CONVERSATION_LIMIT;
  // A root also matches through its trace's server turns (any message, the server's error): roots
  // logged before failed turns were counted, and later messages of a conversation, are found too.
  const viaTurns = conditions.served.matchingTurn ? await tracesWithMatchingTurns(client, conditions.served.matchingTurn, limit) : [];
  const rootCondition = conditions.logged && viaTurns.length > 0 ? or(conditions.logged, inList(field('root_span_id'), viaTurns)) : conditions.logged;
  const logged = await withServerTurns(client, await loggedConversations(client, rootCondition, options));
  // With `limit` conversations from client roots, a served one older than all of them cannot make
  // the list: its scan stops there (where every conversation has a root, at once).
  const oldestLogged = logged.length >= limit ? logged.at(-1)?.created : undefined;
  const served = await servedConversations(client, limit, { ...conditions.served, ...(oldestLogged ? { notBefore: oldestLogged } : {}) });
  // `served` holds only conversations without a client root: each conversation is told once.
  return [...logged, ...served].sort((a, b) => b.created.localeCompare(a.created)).slice(0, limit);
}

/** Rows of matching server turns read per conversation asked for. */
const TURN_ROWS_PER_CONVERSATION = 5;

/** The traces of the newest server turns that match (their roots, if any, are the conversations). */
async function tracesWithMatchingTurns(client: BtqlClient, matchingTurn: BtqlExpr, limit: number): Promise<string[]> {
  const rows = await client.rows(
    {
      from: projectLogs(await client.projectId()),
      select: [as('root_span_id', field('root_span_id'))],
      filter: and(eq(field('span_attributes', 'name'), value(SPAN.serverTurn)), matchingTurn),
      sort: [{ expr: field('created'), dir: 'desc' }],
    },
    limit * TURN_ROWS_PER_CONVERSATION,
  );
  return [...new Set(rows.flatMap((row) => stringAt(row, 'root_span_id') ?? []))];
}

/**
 * How many conversations whose root is tagged with one of `sources` match the filter (the ones a
 * listing with `excludeSources` left out) — with `notBefore`, only those created since then.
 */
export async function countConversationsFrom(
  client: BtqlClient,
  sources: string[],
  filter: ConversationFilter,
  options: { errorsOnly?: boolean; notBefore?: string } = {},
): Promise<number> {
  if (sources.length === 0) return 0;
  const { logged } = conditionsOf(filter, options.errorsOnly === true);
  const conditions = [eq(field('span_attributes', 'name'), value(SPAN.conversation)), inList(field('metadata', 'source'), sources)];
  if (logged) conditions.push(logged);
  if (options.notBefore) conditions.push(ge(field('created'), value(options.notBefore)));
  const rows = await client.rows({ from: projectLogs(await client.projectId()), filter: and(...conditions), measures: [as('conversations', countRows())] });
  return numberAt(rows[0], 'conversations') ?? 0;
}

/** The trace ids of the conversations whose root is tagged with one of `sources` (to leave their spans out of statistics). */
export async function traceIdsFromSources(client: BtqlClient, sources: string[]): Promise<string[]> {
  if (sources.length === 0) return [];
  const rows = await client.rows({
    from: projectLogs(await client.projectId()),
    select: [as('root_span_id', field('root_span_id'))],
    filter: and(eq(field('span_attributes', 'name'), value(SPAN.conversation)), inList(field('metadata', 'source'), sources)),
  });
  return [...new Set(rows.flatMap((row) => stringAt(row, 'root_span_id') ?? []))];
}

async function loggedConversations(client: BtqlClient, condition: BtqlExpr | undefined, options: ListOptions): Promise<ConversationSummary[]> {
  const named = eq(field('span_attributes', 'name'), value(SPAN.conversation));
  const source = field('metadata', 'source');
  const excluded = (options.excludeSources ?? []).map((name) => or(isNull(source), ne(source, value(name))));
  const isConversation = excluded.length > 0 ? and(named, ...excluded) : named;
  const rows = await client.rows(
    {
      from: projectLogs(await client.projectId()),
      select: [
        ...spanIdentity(),
        as('conversation_id', field('output', 'conversation_id')),
        as('patient_query', field('output', 'patient_query')),
        as('input_query', field('input', 'patient_query')),
        as('final_response', field('output', 'final_response')),
        as('total_turns', field('output', 'total_turns')),
        as('completed_turns', field('output', 'completed_turns')),
        as('failed_turns', field('output', 'failed_turns')),
        as('last_error', field('output', 'last_error')),
        as('error', field('error')),
      ],
      filter: condition ? and(isConversation, condition) : isConversation,
      sort: [{ expr: field('created'), dir: 'desc' }],
    },
    options.limit ?? DEFAULT_CONVERSATION_LIMIT,
  );
  return rows.map(toSummary);
}

export function toSummary(row: JsonObject): ConversationSummary {
  const totalTurns = numberAt(row, 'total_turns');
  // Roots logged before failed turns were counted have only total_turns (the completed ones); one
  // with none at all had its every turn fail (a root is started by the first turn tried).
  const failedTurns = numberAt(row, 'failed_turns') ?? (totalTurns === 0 ? 1 : 0);
  const error = stringAt(row, 'last_error') ?? spanError(row);
  return {
    rootSpanId: stringAt(row, 'root_span_id') ?? '',
    spanId: stringAt(row, 'span_id') ?? '',
    created: stringAt(row, 'created') ?? '',
    conversationId: stringAt(row, 'conversation_id') ?? '',
    patientQuery: stringAt(row, 'patient_query') || stringAt(row, 'input_query') || '',
    finalResponse: stringAt(row, 'final_response') ?? '',
    totalTurns: numberAt(row, 'completed_turns') ?? (totalTurns ?? 0) - (numberAt(row, 'failed_turns') ?? 0),
    failedTurns,
    ...(error === undefined ? {} : { error }),
    traceIds: [stringAt(row, 'root_span_id') ?? ''],
  };
}

/**
 * What a root does not tell, from the service's turn spans in its trace: the conversation id when
 * the client never learned it (its only turn failed before starting), and for a failed one logged
 * before failed turns were counted its message and the turn's error.
 */
async function withServerTurns(client: BtqlClient, summaries: ConversationSummary[]): Promise<ConversationSummary[]> {
  const incomplete = summaries.filter((s) => s.conversationId === '' || s.patientQuery === '' || (s.failedTurns > 0 && s.error === undefined));
  if (incomplete.length === 0) return summaries;
  const rows = await client.rows({
    from: projectLogs(await client.projectId()),
    select: [
      as('root_span_id', field('root_span_id')),
      as('created', field('created')),
      as('conversation_id', field('input', 'conversation_id')),
      as('message', field('input', 'message')),
      as('error', field('error')),
    ],
    filter: and(eq(field('span_attributes', 'name'), value(SPAN.serverTurn)), inList(field('root_span_id'), incomplete.map((s) => s.rootSpanId))),
    sort: [{ expr: field('created'), dir: 'asc' }],
  });
  return summaries.map((summary) => {
    const turns = rows.filter((row) => stringAt(row, 'root_span_id') === summary.rootSpanId);
    if (turns.length === 0 || !incomplete.includes(summary)) return summary;
    const errors = turns.flatMap((row) => spanError(row) ?? []);
    const error = summary.error ?? errors.at(-1);
    return {
      ...summary,
      conversationId: summary.conversationId || (turns.map((row) => stringAt(row, 'conversation_id')).find(Boolean) ?? ''),
      patientQuery: summary.patientQuery || (stringAt(turns[0], 'message') ?? ''),
      ...(error === undefined ? {} : { error }),
    };
  });
}
