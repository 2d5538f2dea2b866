// `tracemesh query recent|search|tools|since|low-scores|conversation|btql`: the trace analytics
// library from the command line, as aligned tables (or JSON with --json), on the local trace store
// or on Braintrust with BRAINTRUST_API_KEY. Eval runs' live conversations are left out of lists and
// statistics unless --include-evals; failed conversations are listed with their error (--errors: only them).
import type { Command } from 'commander';
import type { ConversationAnalysis } from '../../analytics/conversation-analysis.js';
import { BtqlClient } from '../../analytics/btql-client.js';
import { EVAL_SOURCE, type ConversationFilter, type ConversationSummary } from '../../analytics/conversations.js';
import { tracingConfig } from '../../../../lib/config.js';
import type { JsonObject, JsonValue } from '../../../../lib/json.js';
import { describeBackendFailure } from '../../backend-failure.js';
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

interface ConversationListOptions extends ListOptions {
  errors?: boolean;
  includeEvals?: boolean;
}

interface EvalOptions {
  includeEvals?: boolean;
}

/** What a command found, and a line for stderr about what it left out (stdout stays the table or the JSON). */
interface Outcome<T> {
  result: T;
  note?: string;
}

/** Eval runs' live conversations (root metadata.source "eval") are not production traffic: left out unless asked for. */
const EVAL_SOURCES = [EVAL_SOURCE];

export function registerQueryCommand(program: Command): void {
  const query = program
    .command('query')
    .description('query logged conversations and their traces (tables; --json for JSON)')
    .showHelpAfterError();

  withConversationList(query.command('recent').description('the newest conversations')).action((options: ConversationListOptions) =>
    run(options, (analytics) => conversations(analytics, { kind: 'recent' }, options), conversationsTable),
  );

  withConversationList(
    query.command('search').description('conversations whose patient query or error contains the text (case-insensitive; any message for untraced callers)').argument('<text>'),
  ).action((text: string, options: ConversationListOptions) => run(options, (analytics) => conversations(analytics, { kind: 'search', text }, options), conversationsTable));

  withConversationList(query.command('since').description('conversations started in the last N hours').argument('<hours>')).action(
    (hours: string, options: ConversationListOptions) =>
      run(options, (analytics) => conversations(analytics, { kind: 'since', hours: positiveNumber(hours, 'hours') }, options), conversationsTable),
  );

  withEvals(
    withOutput(
      query
        .command('tools')
        .description('tool execution statistics per tool: calls, errors, error rate, mean and p95 duration')
        .option('--source <calls|tools>', 'calls: the agent\'s tool calls (worker_execute_tool, incl. unknown tools); tools: the tools\' own spans', 'calls')
        .option('--since <hours>', 'only the last N hours'),
    ),
  ).action((options: OutputOptions & EvalOptions & { source: string; since?: string }) =>
    run(
      options,
      async (analytics) => {
        const statistics = {
          source: toolSource(options.source),
          since: options.since === undefined ? undefined : new Date(Date.now() - positiveNumber(options.since, '--since') * 3_600_000),
        };
        const evalTraces = options.includeEvals ? [] : await analytics.traceIdsFromSources(EVAL_SOURCES);
        const result = await analytics.toolStatistics({ ...statistics, excludeRootSpanIds: evalTraces });
        if (evalTraces.length === 0) return { result };
        // The calls left out, counted the same way: what the eval traffic would have added.
        const leftOut = (await analytics.toolStatistics({ ...statistics, rootSpanIds: evalTraces })).reduce((sum, row) => sum + row.calls, 0);
        return { result, note: leftOut > 0 ? `left out ${leftOut} tool calls of eval runs' conversations (--include-evals counts them)` : undefined };
      },
      toolsTable,
    ),
  );

  withEvals(
    withList(
      query
        .command('low-scores')
        .description('spans whose scores.<score> is below a threshold, worst first, with their traces and conversations')
        .argument('<score>', 'the score name, e.g. health_risk')
        .option('--below <value>', 'the threshold (scores strictly below it)', '0.5'),
      '50',
    ),
  ).action((score: string, options: ListOptions & EvalOptions & { below: string }) =>
    run(
      options,
      async (analytics) => {
        const evalTraces = options.includeEvals ? [] : await analytics.traceIdsFromSources(EVAL_SOURCES);
        const result = await analytics.lowScores(score, { below: finiteNumber(options.below, '--below'), limit: positiveInteger(options.limit, '--limit'), excludeRootSpanIds: evalTraces });
        return { result, note: evalTraces.length > 0 ? `left out the spans of ${evalTraces.length} eval conversation${evalTraces.length === 1 ? '' : 's'} (--include-evals shows their scores)` : undefined };
      },
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
        return { result: analysis };
      },
      analysisText,
    ),
  );

  withOutput(
    query
      .command('btql')
      .description("run a BTQL query (SQL or pipe form); `FROM project_logs` without an id is the project's logs")
      .argument('<query>', "e.g. \"SELECT span_attributes.name AS name, count(*) AS spans FROM project_logs GROUP BY 1\"")
      .option('--project <name>', 'the project whose logs project_logs means (default BRAINTRUST_PROJECT, else tracemesh)'),
  ).action((text: string, options: OutputOptions & { project?: string }) => runBtql(text, options));
}

function withOutput(command: Command): Command {
  return command.option('--json', 'print JSON instead of a table');
}

function withList(command: Command, defaultLimit = '20'): Command {
  return withOutput(command).option('--limit <n>', 'at most this many rows', defaultLimit);
}

function withEvals(command: Command): Command {
  return command.option('--include-evals', "count eval runs' live conversations too (left out by default)");
}

function withConversationList(command: Command): Command {
  return withEvals(withList(command).option('--errors', 'only conversations with a failed turn'));
}

/** A conversation listing without eval traffic (unless asked for), saying how many eval conversations it left out. */
async function conversations(analytics: TraceAnalytics, filter: ConversationFilter, options: ConversationListOptions): Promise<Outcome<ConversationSummary[]>> {
  const limit = positiveInteger(options.limit, '--limit');
  const errorsOnly = options.errors === true;
  const excludeSources = options.includeEvals ? [] : EVAL_SOURCES;
  const result = await analytics.listConversations(filter, { limit, errorsOnly, excludeSources });
  // A full list covers the time back to its oldest row: only eval conversations since then took places in it.
  const notBefore = result.length >= limit ? result.at(-1)?.created : undefined;
  const leftOut = await analytics.countConversationsFrom(excludeSources, filter, { errorsOnly, notBefore });
  return { result, note: leftOut > 0 ? `left out ${leftOut} eval conversation${leftOut === 1 ? '' : 's'} (--include-evals lists them)` : undefined };
}

/** A mistake in the command line or an empty answer: printed without a stack trace. */
class UsageError extends Error {}

async function run<T>(options: OutputOptions, load: (analytics: TraceAnalytics) => Promise<Outcome<T>>, render: (result: T) => string): Promise<void> {
  try {
    const { result, note } = await load(new TraceAnalytics());
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${render(result)}\n`);
    if (note) process.stderr.write(`${note}\n`);
  } catch (error) {
    process.stderr.write(`tracemesh query: ${describeBackendFailure(error)}\n`);
    process.exitCode = 1;
  }
}

function toolSource(text: string): ToolSpanSource {
  if (text === 'calls' || text === 'tools') return text;
  throw new UsageError(`--source must be calls or tools, got "${text}"`);
}

// ---- btql ----------------------------------------------------------------------------------------

/**
 * `project_logs` or `project_logs()` outside quotes → `project_logs('<id>')`: nobody knows the
 * project's id by heart. Quoted text ('…', "…", `…`) is left as it is.
 */
export function withProjectId(query: string, projectId: string): string {
  return query.replace(/('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`[^`]*`)|\bproject_logs\b(?:\s*\(\s*\))?(?!\s*\()/gi, (match, quoted: string | undefined) =>
    quoted !== undefined ? match : `project_logs('${projectId}')`,
  );
}

async function runBtql(text: string, options: OutputOptions & { project?: string }): Promise<void> {
  try {
    const config = tracingConfig();
    const client = new BtqlClient(options.project === undefined ? config : { ...config, projectName: options.project });
    const { rows, cursor } = await client.page(withProjectId(text, await client.projectId()));
    process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${rowsTable(rows)}\n`);
    // The store pages a query without LIMIT: say there is more (a query with LIMIT got what it asked for).
    if (cursor && !/\blimit\b/i.test(text)) process.stderr.write(`(more rows: add LIMIT n, or CURSOR '${cursor}' for the next page)\n`);
  } catch (error) {
    // The store's own words (`invalid query: … (at line 1, column 1)`) without the URL that answered them.
    const said = /^\S+ answered 400: (.*)$/s.exec(error instanceof Error ? error.message : '')?.[1];
    process.stderr.write(`tracemesh query btql: ${said ?? describeBackendFailure(error)}\n`);
    process.exitCode = 1;
  }
}

/** Any rows as a table: a column per field, in the order they first appear; objects as JSON. */
function rowsTable(rows: JsonObject[]): string {
  if (rows.length === 0) return '(no rows)';
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return renderTable(
    rows,
    keys.map((key) => ({
      header: key,
      cell: (row: JsonObject) => cellText(row[key]),
      align: rows.every((row) => row[key] === undefined || row[key] === null || typeof row[key] === 'number') ? ('right' as const) : ('left' as const),
      maxWidth: 60,
    })),
  );
}

function cellText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
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
    // Every turn tried; a failed one is not in the history (totalTurns), so it is counted apart.
    { header: 'turns', cell: (row) => String(row.totalTurns + row.failedTurns), align: 'right' },
    { header: 'status', cell: conversationStatus, maxWidth: 60 },
    { header: 'trace', cell: (row) => row.rootSpanId },
    { header: 'patient query', cell: (row) => row.patientQuery, maxWidth: 70 },
  ]);
}

/** ok, failed (every turn did) or "1 of 3 failed", with the last error. */
function conversationStatus(row: ConversationSummary): string {
  if (row.failedTurns === 0) return 'ok';
  const what = row.totalTurns === 0 ? 'failed' : `${row.failedTurns} of ${row.totalTurns + row.failedTurns} failed`;
  return row.error ? `${what}: ${row.error}` : what;
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
