// A full analysis of one conversation from its trace(s): turns with their latency, model calls,
// tokens and tools; tool usage; token totals from the llm spans' metrics; and every span that failed.
// Found by trace id (root_span_id) or by conversation id — a conversation may span several traces
// (a client that resumes it later), and callers without a traced client have no root span at all,
// so the server's turn spans (input.conversation_id) are searched too.
import type { JsonObject } from '../../../lib/json.js';
import { and, as, eq, field, inList, or, projectLogs, value } from './btql-ast.js';
import type { BtqlClient } from './btql-client.js';
import { durationMs, numberAt, objectAt, SPAN, spanError, spanName, spanParent, spanStart, spanType, stringAt } from '../span-fields.js';

export interface TokenTotals {
  /** Every input token, those the prompt cache served included (Braintrust's prompt_tokens). */
  prompt: number;
  /** Of prompt, read from the prompt cache. */
  promptCached: number;
  completion: number;
  total: number;
}

export interface TurnAnalysis {
  index: number;
  rootSpanId: string;
  message: string;
  response: string;
  stopReason: string | undefined;
  /** Why the turn failed, when it did (it is then not in the conversation's history; a retry has the same index). */
  error: string | undefined;
  /** The server's turn (server_process_turn) duration. */
  latencyMs: number | undefined;
  /** The caller's view of the turn (client_turn), network included, when the caller was traced. */
  clientLatencyMs: number | undefined;
  llmCalls: number;
  tokens: TokenTotals;
  tools: string[];
  toolErrors: number;
}

export interface ToolUsage {
  tool: string;
  calls: number;
  errors: number;
  meanMs: number | undefined;
}

export interface SpanFailure {
  rootSpanId: string;
  spanId: string;
  spanName: string;
  message: string;
}

export interface ConversationAnalysis {
  conversationId: string;
  rootSpanIds: string[];
  patientQuery: string | undefined;
  finalResponse: string | undefined;
  spans: number;
  turns: TurnAnalysis[];
  tools: ToolUsage[];
  llmCalls: number;
  tokens: TokenTotals;
  /** Every span with an error, in time order (a failed tool call shows on the call, the RPC and the tool). */
  errors: SpanFailure[];
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const MAX_TRACES = 100;

/** Undefined when nothing is logged under that id. */
export async function analyzeConversation(client: BtqlClient, id: string): Promise<ConversationAnalysis | undefined> {
  const projectId = await client.projectId();
  const rootSpanIds = TRACE_ID.test(id) ? [id] : await tracesOfConversation(client, projectId, id);
  if (rootSpanIds.length === 0) return undefined;
  const rows = await client.rows({ from: projectLogs(projectId), filter: inList(field('root_span_id'), rootSpanIds) });
  if (rows.length === 0) return undefined;
  return analyzeSpans(rows, TRACE_ID.test(id) ? undefined : id);
}

async function tracesOfConversation(client: BtqlClient, projectId: string, conversationId: string): Promise<string[]> {
  const rows = await client.rows(
    {
      from: projectLogs(projectId),
      select: [as('root_span_id', field('root_span_id'))],
      filter: or(
        and(eq(field('span_attributes', 'name'), value(SPAN.conversation)), eq(field('output', 'conversation_id'), value(conversationId))),
        and(eq(field('span_attributes', 'name'), value(SPAN.serverTurn)), eq(field('input', 'conversation_id'), value(conversationId))),
      ),
    },
    MAX_TRACES * 20,
  );
  return [...new Set(rows.map((row) => stringAt(row, 'root_span_id')).filter((rootSpanId): rootSpanId is string => rootSpanId !== undefined))].slice(0, MAX_TRACES);
}

/** The analysis of a set of spans (one or more traces of one conversation). */
export function analyzeSpans(rows: JsonObject[], conversationId?: string): ConversationAnalysis {
  const bySpanId = new Map(rows.map((row) => [stringAt(row, 'span_id') ?? '', row]));
  const ancestorNamed = (row: JsonObject, name: string): JsonObject | undefined => {
    const seen = new Set<string>();
    for (let parentId = spanParent(row); parentId && !seen.has(parentId); parentId = spanParent(bySpanId.get(parentId) ?? {})) {
      seen.add(parentId);
      const parent = bySpanId.get(parentId);
      if (parent && spanName(parent) === name) return parent;
    }
    return undefined;
  };
  const inTimeOrder = (spans: JsonObject[]): JsonObject[] => [...spans].sort((a, b) => (spanStart(a) ?? 0) - (spanStart(b) ?? 0));

  const named = (name: string): JsonObject[] => inTimeOrder(rows.filter((row) => spanName(row) === name));
  const roots = named(SPAN.conversation);
  const lastRoot = roots[roots.length - 1];
  const serverTurns = named(SPAN.serverTurn);
  const llmSpans = rows.filter((row) => spanType(row) === 'llm');
  const toolCalls = named(SPAN.toolCall);

  const turns = serverTurns.map((turn, position): TurnAnalysis => {
    const turnLlm = llmSpans.filter((row) => ancestorNamed(row, SPAN.serverTurn) === turn);
    const turnTools = toolCalls.filter((row) => ancestorNamed(row, SPAN.serverTurn) === turn);
    const input = objectAt(turn, 'input');
    const output = objectAt(turn, 'output');
    const clientTurn = ancestorNamed(turn, SPAN.clientTurn);
    return {
      index: numberAt(input, 'turn_index') ?? position,
      rootSpanId: stringAt(turn, 'root_span_id') ?? '',
      message: stringAt(input, 'message') ?? '',
      response: stringAt(output, 'text') ?? '',
      stopReason: stringAt(output, 'stop_reason'),
      error: spanError(turn),
      latencyMs: durationMs(turn),
      clientLatencyMs: clientTurn ? durationMs(clientTurn) : undefined,
      llmCalls: turnLlm.length,
      tokens: tokenTotals(turnLlm),
      tools: turnTools.map(toolNameOf),
      toolErrors: turnTools.filter((row) => spanError(row) !== undefined).length,
    };
  });

  const rootOutput = objectAt(lastRoot, 'output');
  return {
    conversationId:
      conversationId ?? stringAt(rootOutput, 'conversation_id') ?? stringAt(objectAt(serverTurns[0], 'input'), 'conversation_id') ?? '',
    rootSpanIds: [...new Set(inTimeOrder(rows).map((row) => stringAt(row, 'root_span_id') ?? ''))],
    patientQuery: stringAt(objectAt(roots[0], 'output'), 'patient_query') ?? turns[0]?.message,
    finalResponse: stringAt(rootOutput, 'final_response') ?? turns[turns.length - 1]?.response,
    spans: rows.length,
    turns,
    tools: toolUsage(toolCalls),
    llmCalls: llmSpans.length,
    tokens: tokenTotals(llmSpans),
    errors: inTimeOrder(rows).flatMap((row) => {
      const message = spanError(row);
      return message === undefined
        ? []
        : [{ rootSpanId: stringAt(row, 'root_span_id') ?? '', spanId: stringAt(row, 'span_id') ?? '', spanName: spanName(row), message }];
    }),
  };
}

function toolNameOf(call: JsonObject): string {
  return stringAt(objectAt(call, 'input'), 'tool_name') ?? '?';
}

function tokenTotals(llmSpans: JsonObject[]): TokenTotals {
  const totals: TokenTotals = { prompt: 0, promptCached: 0, completion: 0, total: 0 };
  for (const row of llmSpans) {
    const metrics = objectAt(row, 'metrics');
    const prompt = numberAt(metrics, 'prompt_tokens') ?? 0;
    const completion = numberAt(metrics, 'completion_tokens') ?? 0;
    totals.prompt += prompt;
    totals.promptCached += numberAt(metrics, 'prompt_cached_tokens') ?? 0;
    totals.completion += completion;
    totals.total += numberAt(metrics, 'tokens') ?? prompt + completion;
  }
  return totals;
}

function toolUsage(calls: JsonObject[]): ToolUsage[] {
  const byTool = new Map<string, { calls: number; errors: number; durations: number[] }>();
  for (const call of calls) {
    const entry = byTool.get(toolNameOf(call)) ?? { calls: 0, errors: 0, durations: [] };
    entry.calls++;
    if (spanError(call) !== undefined) entry.errors++;
    const duration = durationMs(call);
    if (duration !== undefined) entry.durations.push(duration);
    byTool.set(toolNameOf(call), entry);
  }
  return [...byTool.entries()].map(([tool, { calls: count, errors, durations }]) => ({
    tool,
    calls: count,
    errors,
    meanMs: durations.length > 0 ? durations.reduce((sum, d) => sum + d, 0) / durations.length : undefined,
  }));
}
