// `tracemesh query recent|search|tools|since|low-scores|conversation`: the trace analytics library
// from the command line, as aligned tables (or JSON with --json), on the local trace store or on
// Braintrust with BRAINTRUST_API_KEY.
import type { Command } from 'commander';
import type { ConversationAnalysis } from '../../analytics/conversation-analysis.js';
import type { ConversationSummary } from '../../analytics/conversations.js';
import type { LowScore } from '../../analytics/low-scores.js';
import { renderFields, renderTable } from '../../analytics/text-table.js';
import { TraceAnalytics } from '../../analytics/trace-analytics.js';
import { finiteNumber, positiveInteger, positiveNumber } from '../number-arguments.js';
import type { ToolSpanSource, ToolStatistics } from '../../analytics/tool-statistics.js';

interface OutputOptions {
  json?: boolean;
}

interface ListOptions extends OutputOptions {
  limit: string;
}

export function registerQueryCommand(program: Command): void {
  const query = program
    .command('query')
    .description('query logged conversations and their traces (tables; --json for JSON)')
    .showHelpAfterError();

  withList(query.command('recent').description('the newest conversations')).action((options: ListOptions) =>
    run(options, (analytics) => analytics.recentConversations({ limit: positiveInteger(options.limit, '--limit') }), conversationsTable),
  );

  withList(query.command('search').description('conversations whose patient query contains the text (case-insensitive)').argument('<text>')).action(
    (text: string, options: ListOptions) =>
      run(options, (analytics) => analytics.searchConversations(text, { limit: positiveInteger(options.limit, '--limit') }), conversationsTable),
  );

  withList(query.command('since').description('conversations started in the last N hours').argument('<hours>')).action(
    (hours: string, options: ListOptions) =>
      run(options, (analytics) => analytics.conversationsSince(positiveNumber(hours, 'hours'), { limit: positiveInteger(options.limit, '--limit') }), conversationsTable),
  );

  withOutput(
    query
      .command('tools')
      .description('tool execution statistics per tool: calls, errors, error rate, mean and p95 duration')
      .option('--source <calls|tools>', 'calls: the agent\'s tool calls (worker_execute_tool, incl. unknown tools); tools: the tools\' own spans', 'calls')
      .option('--since <hours>', 'only the last N hours'),
  ).action((options: OutputOptions & { source: string; since?: string }) =>
    run(
      options,
      (analytics) =>
        analytics.toolStatistics({
          source: toolSource(options.source),
          since: options.since === undefined ? undefined : new Date(Date.now() - positiveNumber(options.since, '--since') * 3_600_000),
        }),
      toolsTable,
    ),
  );

  withList(
    query
      .command('low-scores')
      .description('spans whose scores.<score> is below a threshold, worst first, with their traces and conversations')
      .argument('<score>', 'the score name, e.g. health_risk')
      .option('--below <value>', 'the threshold (scores strictly below it)', '0.5'),
    '50',
  ).action((score: string, options: ListOptions & { below: string }) =>
    run(
      options,
      (analytics) => analytics.lowScores(score, { below: finiteNumber(options.below, '--below'), limit: positiveInteger(options.limit, '--limit') }),
      lowScoresTable,
    ),
  );

  withOutput(
    query
      .command('conversation')
      .description('a full analysis of one conversation: turns, tools, tokens, latency, errors')
      .argument('<id>', 'a conversation id or a trace id (root_span_id)'),
  ).action((id: string, options: OutputOptions) =>
    run(
      options,
      async (analytics) => {
        const analysis = await analytics.analyzeConversation(id);
        if (!analysis) throw new UsageError(`nothing is logged for conversation or trace "${id}"`);
        return analysis;
      },
      analysisText,
    ),
  );
}

function withOutput(command: Command): Command {
  return command.option('--json', 'print JSON instead of a table');
}

function withList(command: Command, defaultLimit = '20'): Command {
  return withOutput(command).option('--limit <n>', 'at most this many rows', defaultLimit);
}

/** A mistake in the command line or an empty answer: printed without a stack trace. */
class UsageError extends Error {}

async function run<T>(options: OutputOptions, load: (analytics: TraceAnalytics) => Promise<T>, render: (result: T) => string): Promise<void> {
  try {
    const result = await load(new TraceAnalytics());
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${render(result)}\n`);
  } catch (error) {
    process.stderr.write(`tracemesh query: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

function toolSource(text: string): ToolSpanSource {
  if (text === 'calls' || text === 'tools') return text;
  throw new UsageError(`--source must be calls or tools, got "${text}"`);
}

// ---- rendering ---------------------------------------------------------------------------------

function when(created: string): string {
  return created ? `${created.slice(0, 10)} ${created.slice(11, 19)}` : '';
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1);
}

function conversationsTable(rows: ConversationSummary[]): string {
  if (rows.length === 0) return '(no conversations)';
  return renderTable(rows, [
    { header: 'created (UTC)', cell: (row) => when(row.created) },
    { header: 'conversation', cell: (row) => row.conversationId || '-' },
    { header: 'turns', cell: (row) => String(row.totalTurns), align: 'right' },
    { header: 'trace', cell: (row) => row.rootSpanId },
    { header: 'patient query', cell: (row) => row.patientQuery, maxWidth: 70 },
  ]);
}

function toolsTable(rows: ToolStatistics[]): string {
  if (rows.length === 0) return '(no tool calls)';
  return renderTable(rows, [
    { header: 'tool', cell: (row) => row.tool },
    { header: 'calls', cell: (row) => String(row.calls), align: 'right' },
    { header: 'errors', cell: (row) => String(row.errors), align: 'right' },
    { header: 'error rate', cell: (row) => `${(row.errorRate * 100).toFixed(1)}%`, align: 'right' },
    { header: 'mean ms', cell: (row) => ms(row.meanMs), align: 'right' },
    { header: 'p95 ms', cell: (row) => ms(row.p95Ms), align: 'right' },
  ]);
}

function lowScoresTable(rows: LowScore[]): string {
  if (rows.length === 0) return '(no low scores)';
  return renderTable(rows, [
    { header: 'score', cell: (row) => row.score.toFixed(2), align: 'right' },
    { header: 'span', cell: (row) => row.spanName },
    { header: 'created (UTC)', cell: (row) => when(row.created) },
    { header: 'trace', cell: (row) => row.rootSpanId },
    { header: 'conversation', cell: (row) => row.conversationId ?? '-' },
    { header: 'patient query', cell: (row) => row.patientQuery ?? '', maxWidth: 60 },
  ]);
}

function analysisText(analysis: ConversationAnalysis): string {
  const sections = [
    renderFields([
      ['conversation', analysis.conversationId || '-'],
      ['traces', analysis.rootSpanIds.join(', ')],
      ['patient query', analysis.patientQuery ?? '-'],
      ['spans', String(analysis.spans)],
      ['model calls', String(analysis.llmCalls)],
      ['tokens', `${analysis.tokens.total} (prompt ${analysis.tokens.prompt}${analysis.tokens.promptCached > 0 ? `, ${analysis.tokens.promptCached} of them from the prompt cache;` : ','} completion ${analysis.tokens.completion})`],
    ]),
    analysis.turns.length === 0
      ? '(no turns)'
      : renderTable(analysis.turns, [
          { header: 'turn', cell: (turn) => String(turn.index), align: 'right' },
          { header: 'latency ms', cell: (turn) => ms(turn.latencyMs), align: 'right' },
          { header: 'client ms', cell: (turn) => ms(turn.clientLatencyMs), align: 'right' },
          { header: 'model calls', cell: (turn) => String(turn.llmCalls), align: 'right' },
          { header: 'tokens', cell: (turn) => String(turn.tokens.total), align: 'right' },
          { header: 'tools', cell: (turn) => turn.tools.join(', ') || '-' },
          { header: 'tool errors', cell: (turn) => String(turn.toolErrors), align: 'right' },
          // A failed turn is not in the history, and the retry that follows has its index: say which is which.
          { header: 'outcome', cell: (turn) => (turn.error ? `failed: ${turn.error}` : (turn.stopReason ?? '-').replace(/^STOP_REASON_/, '').toLowerCase()), maxWidth: 40 },
          { header: 'message', cell: (turn) => turn.message, maxWidth: 50 },
        ]),
  ];
  if (analysis.tools.length > 0) {
    sections.push(
      renderTable(analysis.tools, [
        { header: 'tool', cell: (tool) => tool.tool },
        { header: 'calls', cell: (tool) => String(tool.calls), align: 'right' },
        { header: 'errors', cell: (tool) => String(tool.errors), align: 'right' },
        { header: 'mean ms', cell: (tool) => ms(tool.meanMs), align: 'right' },
      ]),
    );
  }
  sections.push(
    analysis.errors.length === 0
      ? 'errors: none'
      : `errors:\n${renderTable(analysis.errors, [
          { header: 'span', cell: (failure) => failure.spanName },
          { header: 'message', cell: (failure) => failure.message, maxWidth: 100 },
        ])}`,
  );
  return sections.join('\n\n');
}
