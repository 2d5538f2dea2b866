// Low-score detection for any score name: spans whose scores.<name> is below a threshold, worst
// first, with their trace ids and (when the trace is a logged conversation) its conversation.
import { and, as, eq, field, inList, lt, projectLogs, value } from './btql-ast.js';
import type { BtqlClient } from './btql-client.js';
import { numberAt, SPAN, stringAt } from '../span-fields.js';

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
}

export async function lowScores(client: BtqlClient, scoreName: string, options: LowScoreOptions = {}): Promise<LowScore[]> {
  if (scoreName.trim() === '') throw new Error('the score name is empty');
  const below = options.below ?? 0.5;
  const projectId = await client.projectId();
  // The score name is one path segment: "a.b" names the score "a.b", not a nested field.
  const score = field('scores', scoreName);
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
      filter: lt(score, value(below)),
      sort: [{ expr: score, dir: 'asc' }, { expr: field('created'), dir: 'desc' }],
    },
    options.limit ?? 50,
  );
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
