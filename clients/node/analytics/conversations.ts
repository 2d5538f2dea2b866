// Logged conversations, newest first: the `client_conversation` root spans on which a traced Node
// client logs the whole conversation (conversation_id, total_turns, turns, patient_query,
// final_response), and — for conversations from any other caller — what the conversation service
// logged of them, turn by turn (served-conversations.ts).
import type { JsonObject } from '../../../lib/json.js';
import { and, as, containsPattern, eq, field, ge, ilike, isNull, ne, or, projectLogs, spanIdentity, value, type BtqlExpr } from './btql-ast.js';
import { servedConversations } from './served-conversations.js';
import type { BtqlClient } from './btql-client.js';
import { numberAt, SPAN, stringAt } from '../span-fields.js';

export interface ConversationSummary {
  rootSpanId: string;
  spanId: string;
  created: string;
  conversationId: string;
  patientQuery: string;
  finalResponse: string;
  totalTurns: number;
  /** The traces holding its turns: one for a traced client; one per turn for a caller that sends no trace context. */
  traceIds: string[];
}

export interface ListOptions {
  limit?: number;
  /** Leave out conversations the root span tags with one of these `metadata.source` values (e.g. "eval"). */
  excludeSources?: string[];
}

export const DEFAULT_CONVERSATION_LIMIT = 20;

export function recentConversations(client: BtqlClient, options: ListOptions = {}): Promise<ConversationSummary[]> {
  return listConversations(client, undefined, options);
}

/**
 * Conversations whose patient query contains `text` (case-insensitive; % and _ are literal) — for
 * those only the service logged, any of their messages.
 */
export function searchConversations(client: BtqlClient, text: string, options: ListOptions = {}): Promise<ConversationSummary[]> {
  const pattern = containsPattern(text);
  return listConversations(client, {
    logged: or(ilike(field('output', 'patient_query'), pattern), ilike(field('input', 'patient_query'), pattern)),
    served: { matchingTurn: ilike(field('input', 'message'), pattern) },
  }, options);
}

/** Conversations started in the last `hours` hours (by the root span's, or the first turn's, `created`). */
export function conversationsSince(client: BtqlClient, hours: number, options: ListOptions & { now?: Date } = {}): Promise<ConversationSummary[]> {
  if (!(hours > 0)) throw new Error(`hours must be a positive number, got ${hours}`);
  const since = new Date((options.now ?? new Date()).getTime() - hours * 3_600_000).toISOString();
  return listConversations(client, { logged: ge(field('created'), value(since)), served: { startedSince: since } }, options);
}

interface Conditions {
  /** On the client_conversation root. */
  logged: BtqlExpr;
  /** Which conversations the service's turn spans qualify (served-conversations.ts). */
  served: { startedSince?: string; matchingTurn?: BtqlExpr };
}

async function listConversations(client: BtqlClient, conditions: Conditions | undefined, options: ListOptions): Promise<ConversationSummary[]> {
  const limit = options.limit ?? DEFAULT_CONVERSATION_LIMIT;
  const logged = await loggedConversations(client, conditions?.logged, options);
  // With `limit` conversations from client roots, a served one older than all of them cannot make
  // the list: its scan stops there (where every conversation has a root, at once).
  const oldestLogged = logged.length >= limit ? logged.at(-1)?.created : undefined;
  const served = await servedConversations(client, limit, { ...conditions?.served, ...(oldestLogged ? { notBefore: oldestLogged } : {}) });
  // `served` holds only conversations without a client root: each conversation is told once.
  return [...logged, ...served].sort((a, b) => b.created.localeCompare(a.created)).slice(0, limit);
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
      ],
      filter: condition ? and(isConversation, condition) : isConversation,
      sort: [{ expr: field('created'), dir: 'desc' }],
    },
    options.limit ?? DEFAULT_CONVERSATION_LIMIT,
  );
  return rows.map(toSummary);
}

export function toSummary(row: JsonObject): ConversationSummary {
  return {
    rootSpanId: stringAt(row, 'root_span_id') ?? '',
    spanId: stringAt(row, 'span_id') ?? '',
    created: stringAt(row, 'created') ?? '',
    conversationId: stringAt(row, 'conversation_id') ?? '',
    patientQuery: stringAt(row, 'patient_query') ?? stringAt(row, 'input_query') ?? '',
    finalResponse: stringAt(row, 'final_response') ?? '',
    totalTurns: numberAt(row, 'total_turns') ?? 0,
    traceIds: [stringAt(row, 'root_span_id') ?? ''],
  };
}
