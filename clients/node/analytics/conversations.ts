// Logged conversations: the `client_conversation` root spans on which a traced client logs the whole
// conversation (conversation_id, total_turns, turns, patient_query, final_response). Newest first.
import type { JsonObject } from '../../../lib/json.js';
import { and, as, containsPattern, eq, field, ge, ilike, isNull, ne, or, projectLogs, value, type BtqlExpr } from './btql-ast.js';
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

/** Conversations whose patient query contains `text` (case-insensitive; % and _ are literal). */
export function searchConversations(client: BtqlClient, text: string, options: ListOptions = {}): Promise<ConversationSummary[]> {
  const pattern = containsPattern(text);
  return listConversations(client, or(ilike(field('output', 'patient_query'), pattern), ilike(field('input', 'patient_query'), pattern)), options);
}

/** Conversations started in the last `hours` hours (by the root span's `created`). */
export function conversationsSince(client: BtqlClient, hours: number, options: ListOptions & { now?: Date } = {}): Promise<ConversationSummary[]> {
  if (!(hours > 0)) throw new Error(`hours must be a positive number, got ${hours}`);
  const since = new Date((options.now ?? new Date()).getTime() - hours * 3_600_000).toISOString();
  return listConversations(client, ge(field('created'), value(since)), options);
}

async function listConversations(client: BtqlClient, condition: BtqlExpr | undefined, options: ListOptions): Promise<ConversationSummary[]> {
  const named = eq(field('span_attributes', 'name'), value(SPAN.conversation));
  const source = field('metadata', 'source');
  const excluded = (options.excludeSources ?? []).map((name) => or(isNull(source), ne(source, value(name))));
  const isConversation = excluded.length > 0 ? and(named, ...excluded) : named;
  const rows = await client.rows(
    {
      from: projectLogs(await client.projectId()),
      select: [
        as('root_span_id', field('root_span_id')),
        as('span_id', field('span_id')),
        as('created', field('created')),
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
  };
}
