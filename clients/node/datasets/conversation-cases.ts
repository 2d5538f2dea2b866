// Which logged conversations become dataset cases: the newest, those matching a search term, or the
// complex ones (≥ 2 distinct tools called over all its traces, or ≥ 2 turns). Each conversation once — its newest trace
// when it was logged more than once — and only finished ones (a final response to expect).
import { and, as, countRows, eq, field, inList, isNotNull, projectLogs, value } from '../analytics/btql-ast.js';
import type { BtqlClient } from '../analytics/btql-client.js';
import { recentConversations, searchConversations, type ConversationSummary } from '../analytics/conversations.js';
import { completedTurnsByConversation } from '../analytics/served-conversations.js';
import { SPAN, stringAt } from '../span-fields.js';
import { datasetRowId, toDatasetRow, type DatasetRow } from './dataset-rows.js';

export type CaseSelection = { kind: 'recent' } | { kind: 'search'; term: string } | { kind: 'complex' };

/** Eval runs log their conversations too; they are not production cases. */
const NOT_PRODUCTION = ['eval'];

/** How many recent conversations `complex` looks through for each case it is asked for. */
const COMPLEX_SCAN_FACTOR = 20;
const MAX_COMPLEX_SCAN = 5000;

export async function selectCases(client: BtqlClient, selection: CaseSelection, limit: number): Promise<DatasetRow[]> {
  // Twice the rows asked for leaves room for unfinished conversations and repeats, which are skipped.
  switch (selection.kind) {
    case 'recent':
      return toRows(client, usable(await recentConversations(client, { limit: limit * 2, excludeSources: NOT_PRODUCTION })).slice(0, limit), () => []);
    case 'search': {
      const tag = `search:${selection.term.toLowerCase()}`;
      return toRows(client, usable(await searchConversations(client, selection.term, { limit: limit * 2, excludeSources: NOT_PRODUCTION })).slice(0, limit), () => [tag]);
    }
    case 'complex':
      return complexCases(client, limit);
  }
}

async function complexCases(client: BtqlClient, limit: number): Promise<DatasetRow[]> {
  const candidates = usable(await recentConversations(client, { limit: Math.min(limit * COMPLEX_SCAN_FACTOR, MAX_COMPLEX_SCAN), excludeSources: NOT_PRODUCTION }));
  const tools = await toolsByTrace(client, candidates.flatMap((conversation) => conversation.traceIds));
  const chosen = candidates.filter((conversation) => toolsOf(conversation, tools).length >= 2 || conversation.totalTurns >= 2).slice(0, limit);
  return toRows(client, chosen, (conversation) => {
    const multiTool = toolsOf(conversation, tools).length >= 2;
    return ['complex', ...(multiTool ? ['multi-tool'] : []), ...(conversation.totalTurns >= 2 ? ['multi-turn'] : [])];
  }, tools);
}

/** The distinct tools called over all of a conversation's traces, sorted. */
function toolsOf(conversation: ConversationSummary, byTrace: Map<string, Set<string>>): string[] {
  return [...new Set(conversation.traceIds.flatMap((traceId) => [...(byTrace.get(traceId) ?? [])]))].sort();
}

/**
 * The conversations as rows, each with the tools it called, told by the service's completed turns
 * where the store has them: the first message as the patient query, the later ones as follow-ups,
 * the last answer as expected — so a live eval replays exactly the turns that led to that answer.
 * (A client root tells only its own session of a conversation continued later, and a failed turn
 * is not in the history the model saw.)
 */
async function toRows(
  client: BtqlClient,
  conversations: ConversationSummary[],
  tagsOf: (conversation: ConversationSummary) => string[],
  knownTools?: Map<string, Set<string>>,
): Promise<DatasetRow[]> {
  const ids = conversations.flatMap((conversation) => (conversation.conversationId ? [conversation.conversationId] : []));
  const [tools, completed] = await Promise.all([
    knownTools ?? toolsByTrace(client, conversations.flatMap((conversation) => conversation.traceIds)),
    completedTurnsByConversation(client, ids),
  ]);
  return conversations.map((conversation) => {
    const turns = completed.get(conversation.conversationId) ?? [];
    const [first, last] = [turns[0], turns.at(-1)];
    const told = first && last ? { ...conversation, patientQuery: first.message, finalResponse: last.answer, totalTurns: turns.length } : conversation;
    return toDatasetRow(told, tagsOf(conversation), toolsOf(conversation, tools), turns.slice(1).map((turn) => turn.message));
  });
}

/** The distinct tools each trace's agent called (one grouped query for all of them). */
async function toolsByTrace(client: BtqlClient, rootSpanIds: string[]): Promise<Map<string, Set<string>>> {
  const byTrace = new Map<string, Set<string>>();
  if (rootSpanIds.length === 0) return byTrace;
  const rows = await client.rows({
    from: projectLogs(await client.projectId()),
    filter: and(eq(field('span_attributes', 'name'), value(SPAN.toolCall)), inList(field('root_span_id'), rootSpanIds), isNotNull(field('input', 'tool_name'))),
    dimensions: [as('root_span_id', field('root_span_id')), as('tool', field('input', 'tool_name'))],
    measures: [as('calls', countRows())],
  });
  for (const row of rows) {
    const rootSpanId = stringAt(row, 'root_span_id');
    const tool = stringAt(row, 'tool');
    if (!rootSpanId || !tool) continue;
    const tools = byTrace.get(rootSpanId) ?? new Set<string>();
    tools.add(tool);
    byTrace.set(rootSpanId, tools);
  }
  return byTrace;
}

/** Finished conversations (they have an answer to expect), each once: the list is newest first, so the first copy is kept. */
function usable(conversations: ConversationSummary[]): ConversationSummary[] {
  const seen = new Set<string>();
  return conversations.filter((conversation) => {
    if (conversation.patientQuery === '' || conversation.finalResponse === '') return false;
    const id = datasetRowId(conversation);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
