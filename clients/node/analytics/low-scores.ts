// Low-score detection for any score name: spans whose scores.<name> is below a threshold, worst
// first, with their trace ids and (when the trace is a logged conversation) its conversation.
import { and, as, eq, field, inList, isNotNull, lt, not, projectLogs, value, type BtqlExpr } from './btql-ast.js';
import type { BtqlClient } from './btql-client.js';
import { numberAt, objectAt, SPAN, stringAt } from '../span-fields.js';

export interface LowScore {
  rootSpanId: string;
  spanId: string;
  spanName: string;
  score: number;
  created: string;
  conversationId: string | undefined;
  patientQuery: string | undefined;
}

export interface LowScoreOptions {
  /** Scores strictly below this are low (default 0.5). */
  below?: number;
  limit?: number;
  /** Not in these traces (e.g. eval runs' conversations: conversations.ts traceIdsFromSources). */
  excludeRootSpanIds?: string[];
}

/** A score name no span in the project's logs has: most likely a typo, so say which names there are. */
export class UnknownScoreError extends Error {
  constructor(readonly score: string, readonly known: string[]) {
    super(`no span in the project's logs has a score named "${score}"${known.length > 0 ? ` (scores logged: ${known.join(', ')})` : ' (no scores are logged yet)'}`);
  }
}

/** How many of the newest scored spans are read to name the scores there are. */
const SCORED_SPANS_SAMPLED = 2000;

export async function lowScores(client: BtqlClient, scoreName: string, options: LowScoreOptions = {}): Promise<LowScore[]> {
  if (scoreName.trim() === '') throw new Error('the score name is empty');
  const below = options.below ?? 0.5;
  const projectId = await client.projectId();
  // The score name is one path segment: "a.b" names the score "a.b", not a nested field.
  const score = field('scores', scoreName);
  const conditions: BtqlExpr[] = [lt(score, value(below))];
  if (options.excludeRootSpanIds && options.excludeRootSpanIds.length > 0) conditions.push(not(inList(field('root_span_id'), options.excludeRootSpanIds)));
  const spans = await client.rows(
    {
      from: projectLogs(projectId),
      select: [
        as('root_span_id', field('root_span_id')),
        as('span_id', field('span_id')),
        as('span_name', field('span_attributes', 'name')),
        as('score', score),
        as('created', field('created')),
      ],
      filter: and(...conditions),
      sort: [{ expr: score, dir: 'asc' }, { expr: field('created'), dir: 'desc' }],
    },
    options.limit ?? 50,
  );
  // None low: tell "none below the threshold" from "no such score" (a typo would look like all is well).
  if (spans.length === 0 && !(await isLogged(client, projectId, scoreName))) throw new UnknownScoreError(scoreName, await knownScores(client, projectId));
  const conversations = await conversationsOf(client, projectId, [...new Set(spans.map((row) => stringAt(row, 'root_span_id') ?? ''))]);
  return spans.map((row) => {
    const rootSpanId = stringAt(row, 'root_span_id') ?? '';
    const conversation = conversations.get(rootSpanId);
    return {
      rootSpanId,
      spanId: stringAt(row, 'span_id') ?? '',
      spanName: stringAt(row, 'span_name') ?? '',
      score: numberAt(row, 'score') ?? Number.NaN,
      created: stringAt(row, 'created') ?? '',
      conversationId: conversation?.conversationId,
      patientQuery: conversation?.patientQuery,
    };
  });
}

async function conversationsOf(
  client: BtqlClient,
  projectId: string,
  rootSpanIds: string[],
): Promise<Map<string, { conversationId: string | undefined; patientQuery: string | undefined }>> {
  const found = new Map<string, { conversationId: string | undefined; patientQuery: string | undefined }>();
  if (rootSpanIds.length === 0) return found;
  const rows = await client.rows({
    from: projectLogs(projectId),
    select: [as('root_span_id', field('root_span_id')), as('conversation_id', field('output', 'conversation_id')), as('patient_query', field('output', 'patient_query'))],
    filter: and(eq(field('span_attributes', 'name'), value(SPAN.conversation)), inList(field('root_span_id'), rootSpanIds)),
  });
  for (const row of rows) {
    found.set(stringAt(row, 'root_span_id') ?? '', { conversationId: stringAt(row, 'conversation_id'), patientQuery: stringAt(row, 'patient_query') });
  }
  return found;
}

async function isLogged(client: BtqlClient, projectId: string, scoreName: string): Promise<boolean> {
  const rows = await client.rows({ from: projectLogs(projectId), select: [as('span_id', field('span_id'))], filter: isNotNull(field('scores', scoreName)) }, 1);
  return rows.length > 0;
}

/** The score names on the newest scored spans, sorted. */
export async function knownScores(client: BtqlClient, projectId: string): Promise<string[]> {
  const rows = await client.rows(
    { from: projectLogs(projectId), select: [as('scores', field('scores'))], filter: isNotNull(field('scores')), sort: [{ expr: field('created'), dir: 'desc' }] },
    SCORED_SPANS_SAMPLED,
  );
  return [...new Set(rows.flatMap((row) => Object.keys(objectAt(row, 'scores') ?? {})))].sort();
}
