// Tool execution statistics per tool, computed by the backend in one grouped BTQL query: calls,
// errors, error rate, mean and p95 duration (from metrics.start/end; an error is a span with `error`).
import { and, as, call, countRows, eq, field, ge, inList, isNotNull, not, projectLogs, sub, value, type BtqlExpr } from './btql-ast.js';
import type { BtqlClient } from './btql-client.js';
import { numberAt, SPAN, stringAt } from '../span-fields.js';

/**
 * Which spans count as a tool execution:
 * - `calls`: the agent's worker_execute_tool spans, grouped by the tool it asked for — every call,
 *   including ones rejected before any tool ran (unknown tool, worker unreachable);
 * - `tools`: the tools' own spans (type "tool"), grouped by span name — the tool's own run time.
 */
export type ToolSpanSource = 'calls' | 'tools';

export interface ToolStatistics {
  tool: string;
  calls: number;
  errors: number;
  /** errors / calls, 0 to 1. */
  errorRate: number;
  meanMs: number | undefined;
  p95Ms: number | undefined;
}

export interface ToolStatisticsOptions {
  source?: ToolSpanSource;
  /** Only spans created at or after this time. */
  since?: Date;
  /** Only these traces (e.g. the conversations of one dataset). */
  rootSpanIds?: string[];
  /** Not these traces (e.g. eval runs' conversations: conversations.ts traceIdsFromSources). */
  excludeRootSpanIds?: string[];
}

export async function toolStatistics(client: BtqlClient, options: ToolStatisticsOptions = {}): Promise<ToolStatistics[]> {
  const source = options.source ?? 'calls';
  const duration = sub(field('metrics', 'end'), field('metrics', 'start'));
  const conditions: BtqlExpr[] =
    source === 'calls'
      ? [eq(field('span_attributes', 'name'), value(SPAN.toolCall)), isNotNull(field('input', 'tool_name'))]
      : [eq(field('span_attributes', 'type'), value('tool'))];
  if (options.since) conditions.push(ge(field('created'), value(options.since.toISOString())));
  if (options.rootSpanIds) conditions.push(inList(field('root_span_id'), options.rootSpanIds));
  if (options.excludeRootSpanIds && options.excludeRootSpanIds.length > 0) conditions.push(not(inList(field('root_span_id'), options.excludeRootSpanIds)));
  const rows = await client.rows({
    from: projectLogs(await client.projectId()),
    filter: and(...conditions),
    dimensions: [as('tool', source === 'calls' ? field('input', 'tool_name') : field('span_attributes', 'name'))],
    measures: [
      as('calls', countRows()),
      as('errors', call('count', field('error'))),
      as('mean_s', call('avg', duration)),
      as('p95_s', call('percentile', duration, value(0.95))),
    ],
    sort: [{ expr: field('calls'), dir: 'desc' }],
  });
  return rows.map((row) => {
    const calls = numberAt(row, 'calls') ?? 0;
    const errors = numberAt(row, 'errors') ?? 0;
    const mean = numberAt(row, 'mean_s');
    const p95 = numberAt(row, 'p95_s');
    return {
      tool: stringAt(row, 'tool') ?? '',
      calls,
      errors,
      errorRate: calls > 0 ? errors / calls : 0,
      meanMs: mean === undefined ? undefined : mean * 1000,
      p95Ms: p95 === undefined ? undefined : p95 * 1000,
    };
  });
}
