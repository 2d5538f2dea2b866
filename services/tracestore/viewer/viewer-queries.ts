// The trace viewer's reads, as fixed SQL with bound parameters over the store's tables: projects,
// recent traces with a summary each (optionally narrowed by text or id, by a trace score, to failed
// traces), and one trace's rows. User input only ever reaches SQLite as a parameter value (LIKE patterns escaped).
import type { JsonValue } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';
import { objectKeyOf } from '../db/schema.js';
import type { ListCursor, ScoreFilter } from './trace-list-request.js';

export interface ProjectActivity {
  id: string;
  name: string;
  /** `created` of the project's newest span, null when it has none. */
  last_activity: string | null;
}

/** One trace in the list, as the page shows it. Times are unix seconds (the rows' metrics). */
export interface TraceSummary {
  root_span_id: string;
  /** The trace's top span: its root, or (a caller without the Braintrust SDK) the span whose parent is not stored. */
  top_span: { id: string; span_id: string | null; name: string | null; type: string | null; is_root: boolean };
  created: string;
  started: number | null;
  duration_s: number | null;
  first_query: string | null;
  turns: number;
  span_count: number;
  tool_count: number;
  llm_count: number;
  error_count: number;
  /** The error of the span that failed first (earliest end), clipped; null when no span failed. */
  first_error: string | null;
  tokens: number;
  /** Each score name's mean over the trace's spans (as Braintrust summarises a trace). */
  scores: Record<string, number>;
  /** Each score name's lowest value over the trace's spans: one bad turn shows here, not in the mean. */
  score_min: Record<string, number>;
}

export interface TraceListQuery {
  projectId: string;
  text?: string;
  score?: ScoreFilter;
  errorsOnly?: boolean;
  limit: number;
  cursor?: ListCursor;
}

export interface TraceListPage {
  traces: TraceSummary[];
  /** Where the next page starts; absent when this page holds the rest. */
  next?: ListCursor;
}

export interface TraceLocation {
  object_type: 'project_logs' | 'experiment';
  object_id: string;
  /** The project's or experiment's name. */
  object_name: string;
}

/** A trace's rows as JSON text straight from the table, and whether the row cap cut it short. */
export interface TraceRowsText {
  rows: string[];
  comments: string[];
  truncated: boolean;
}

export const MAX_TRACE_ROWS = 5000;
const FIRST_QUERY_MAX_CHARS = 400;
const FIRST_ERROR_MAX_CHARS = 400;

interface TopSpanRow {
  rowid: number;
  id: string;
  span_id: string | null;
  root_span_id: string;
  span_name: string | null;
  span_type: string | null;
  created: string;
  is_root: number;
  patient_query: string | null;
  input: string | null;
}

interface TraceTotalsRow {
  span_count: number;
  tool_count: number;
  llm_count: number;
  client_turns: number;
  server_turns: number;
  error_count: number;
  started: number | null;
  ended: number | null;
  tokens: number | null;
}

// A span failed when it recorded an error; an empty string is no error (as the page's hasError).
const hasError = (row: string): string => `nullif(${row} ->> '$.error', '') IS NOT NULL`;

// A span is a trace's top when it is the root, or when its parent never reached the store (a
// grpcurl or OTel-only caller's `traceparent`: the mesh's server span continues a span we never see).
const IS_TOP_SPAN = `(s.is_root = 1 OR NOT EXISTS (
    SELECT 1 FROM spans parent
    WHERE parent.object_key = s.object_key
      AND parent.root_span_id = s.root_span_id
      AND parent.span_id = s.span_parents ->> '$[0]'))`;

// Newest top spans first, walked along spans_by_created in chunks after a (created, rowid) cursor.
// The filters are checked per trace, by their own statements: the text search matches any string in
// any span's input, output or error (json_tree atoms, so escaped characters in the stored JSON do not
// get in the way) and the trace's, spans' and rows' ids; the score filter compares the trace's worst
// (min) or mean of that score, aggregate and comparison picked by CASE on bound values so the SQL
// text never varies; errors-only looks for one span with an error. A filtered page examines at most MAX_EXAMINED
// traces and then answers with what it found and a cursor to go on from: a search for something
// rare in a large store costs a bounded amount per page instead of reading every trace at once.
const TOP_SPAN_COLUMNS = `s.rowid AS rowid, s.id, s.span_id, s.root_span_id, s.span_name, s.span_type, s.created, s.is_root,
       s.row ->> '$.input.patient_query' AS patient_query, s.row -> '$.input' AS input`;

/** Exported for its query-plan test (test/tracestore/btql-scale.test.ts). */
export const TOP_SPANS_SQL = `
SELECT ${TOP_SPAN_COLUMNS}
FROM spans s
WHERE s.object_key = ${objectKeyOf("'project_logs'", '@project_id')}
  AND s.root_span_id IS NOT NULL
  AND (@cursor_created IS NULL OR s.created < @cursor_created OR (s.created = @cursor_created AND s.rowid < @cursor_rowid))
  AND ${IS_TOP_SPAN}
ORDER BY s.created DESC, s.rowid DESC
LIMIT @chunk`;

const TRACE_OF = `t.object_key = ${objectKeyOf("'project_logs'", '@project_id')} AND t.root_span_id = @root_span_id`;

// Ids first: they are columns, cheaper than walking the JSON.
const TRACE_HAS_TEXT_SQL = `
SELECT 1 FROM spans t
WHERE ${TRACE_OF}
  AND (t.root_span_id LIKE @pattern ESCAPE '\\' OR t.span_id LIKE @pattern ESCAPE '\\' OR t.id LIKE @pattern ESCAPE '\\'
    OR EXISTS (SELECT 1 FROM json_tree(t.row, '$.input') WHERE atom LIKE @pattern ESCAPE '\\')
    OR EXISTS (SELECT 1 FROM json_tree(t.row, '$.output') WHERE atom LIKE @pattern ESCAPE '\\')
    OR EXISTS (SELECT 1 FROM json_tree(t.row, '$.error') WHERE atom LIKE @pattern ESCAPE '\\'))
LIMIT 1`;

const TRACE_SCORE_MATCHES_SQL = `
SELECT CASE @score_op
         WHEN 'lt' THEN trace_score < @score_value
         WHEN 'le' THEN trace_score <= @score_value
         WHEN 'gt' THEN trace_score > @score_value
         WHEN 'ge' THEN trace_score >= @score_value
         WHEN 'eq' THEN abs(trace_score - @score_value) < 1e-9
       END AS matches
FROM (SELECT CASE @score_aggregate WHEN 'min' THEN min(score.value) ELSE avg(score.value) END AS trace_score
      FROM spans t, json_each(t.row, '$.scores') score
      WHERE ${TRACE_OF} AND score.key = @score_name AND score.type IN ('integer', 'real'))`;

const TRACE_HAS_ERROR_SQL = `SELECT 1 FROM spans t WHERE ${TRACE_OF} AND ${hasError('t.row')} LIMIT 1`;

/**
 * The trace a search text names exactly, by its trace id or a row id of the project's logs: both
 * are index probes (spans_by_root, the (object_key, id) key), so an id pasted in the search box
 * finds its trace however old. Span ids have no index of their own (schema 3); the paged search
 * finds those. Exported for its query-plan test.
 */
export const TRACE_NAMED_BY_ID_SQL = `
SELECT root_span_id FROM (
  SELECT s.root_span_id FROM spans s
  WHERE s.object_key = ${objectKeyOf("'project_logs'", '@project_id')} AND s.root_span_id = @id
  UNION ALL
  SELECT s.root_span_id FROM spans s
  WHERE s.object_key = ${objectKeyOf("'project_logs'", '@project_id')} AND s.id = @id AND s.root_span_id IS NOT NULL
)
LIMIT 1`;

/** Top spans read per statement run. */
const CHUNK = 200;
/** The most traces a filtered page looks at before it answers (with a cursor to go on from). */
export const MAX_EXAMINED = 2_000;

export class ViewerQueries {
  private readonly projectsByActivity;
  private readonly topSpans;
  private readonly traceHasText;
  private readonly traceScoreMatches;
  private readonly traceHasError;
  private readonly traceNamedById;
  private readonly topSpanOfTrace;
  private readonly traceTotals;
  private readonly traceScores;
  private readonly firstTurnMessage;
  private readonly firstError;
  private readonly traceLocation;
  private readonly traceRows;
  private readonly traceComments;

  constructor(db: TraceDatabase) {
    this.projectsByActivity = db.prepare<[], ProjectActivity>(
      `SELECT p.id, p.name,
              (SELECT max(s.created) FROM spans s WHERE s.object_key = ${objectKeyOf("'project_logs'", 'p.id')}) AS last_activity
       FROM projects p
       ORDER BY last_activity IS NULL, last_activity DESC, p.name`,
    );
    this.topSpans = db.prepare<[TopSpanParameters], TopSpanRow>(TOP_SPANS_SQL);
    this.traceHasText = db.prepare<[{ project_id: string; root_span_id: string; pattern: string }], unknown>(TRACE_HAS_TEXT_SQL);
    this.traceScoreMatches = db.prepare<
      [{ project_id: string; root_span_id: string; score_name: string; score_op: string; score_value: number; score_aggregate: string }],
      { matches: number | null }
    >(TRACE_SCORE_MATCHES_SQL);
    this.traceHasError = db.prepare<[{ project_id: string; root_span_id: string }], unknown>(TRACE_HAS_ERROR_SQL);
    this.traceNamedById = db.prepare<[{ project_id: string; id: string }], { root_span_id: string }>(TRACE_NAMED_BY_ID_SQL);
    // The root if stored, else the earliest span whose parent is missing.
    this.topSpanOfTrace = db.prepare<[string, string, string], TopSpanRow>(
      `SELECT ${TOP_SPAN_COLUMNS} FROM spans s
       WHERE s.object_key = ${objectKeyOf('?', '?')} AND s.root_span_id = ? AND ${IS_TOP_SPAN}
       ORDER BY s.is_root DESC, s.row ->> '$.metrics.start' LIMIT 1`,
    );
    this.traceTotals = db.prepare<[string, string, string], TraceTotalsRow>(
      `SELECT count(*) AS span_count,
              coalesce(sum(span_type = 'tool'), 0) AS tool_count,
              coalesce(sum(span_type = 'llm'), 0) AS llm_count,
              coalesce(sum(span_name = 'client_turn'), 0) AS client_turns,
              coalesce(sum(span_name = 'server_process_turn'), 0) AS server_turns,
              coalesce(sum(${hasError('row')}), 0) AS error_count,
              min(row ->> '$.metrics.start') AS started,
              max(row ->> '$.metrics.end') AS ended,
              sum(CASE WHEN span_type = 'llm' THEN row ->> '$.metrics.tokens' END) AS tokens
       FROM spans WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ?`,
    );
    this.traceScores = db.prepare<[string, string, string], { name: string; mean: number; lowest: number }>(
      `SELECT score.key AS name, avg(score.value) AS mean, min(score.value) AS lowest
       FROM spans t, json_each(t.row, '$.scores') score
       WHERE t.object_key = ${objectKeyOf('?', '?')} AND t.root_span_id = ? AND score.type IN ('integer', 'real')
       GROUP BY score.key ORDER BY score.key`,
    );
    // The first span to fail (earliest end; a span still running, last) is the likeliest cause:
    // its parents fail after it, often with a vaguer message.
    this.firstError = db.prepare<[string, string, string], { error: string }>(
      `SELECT row ->> '$.error' AS error FROM spans
       WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ? AND ${hasError('row')}
       ORDER BY row ->> '$.metrics.end' IS NULL, row ->> '$.metrics.end', row ->> '$.metrics.start' LIMIT 1`,
    );
    this.firstTurnMessage = db.prepare<[string, string, string], { message: string | null }>(
      `SELECT row ->> '$.input.message' AS message FROM spans
       WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ? AND span_name = 'server_process_turn'
       ORDER BY row ->> '$.metrics.start' LIMIT 1`,
    );
    // Project logs first (the conversations), then experiments (eval cases), each probed by index.
    this.traceLocation = db.prepare<[string], TraceLocation>(
      `SELECT candidate.object_type, candidate.object_id, candidate.object_name FROM (
         SELECT 'project_logs' AS object_type, id AS object_id, name AS object_name, 0 AS preference FROM projects
         UNION ALL
         SELECT 'experiment', id, name, 1 FROM objects WHERE kind = 'experiment'
       ) candidate
       WHERE EXISTS (SELECT 1 FROM spans s
                     WHERE s.object_key = ${objectKeyOf('candidate.object_type', 'candidate.object_id')} AND s.root_span_id = ?)
       ORDER BY candidate.preference LIMIT 1`,
    );
    this.traceRows = db.prepare<[string, string, string, number], { row: string }>(
      `SELECT row FROM spans WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ?
       ORDER BY row ->> '$.metrics.start', _pagination_key LIMIT ?`,
    );
    this.traceComments = db.prepare<[string, string, string, string, string], { row: string }>(
      `SELECT c.row FROM comments c
       WHERE c.object_type = ? AND c.object_id = ?
         AND c.origin_id IN (SELECT id FROM spans WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ?)
       ORDER BY c.created`,
    );
  }

  /** Every project, the most recently active first. */
  projects(): ProjectActivity[] {
    return this.projectsByActivity.all();
  }

  recentTraces(query: TraceListQuery): TraceListPage {
    const named = this.traceNamedByText(query);
    if (named) return { traces: named.rows.map((top) => this.summarise('project_logs', query.projectId, top)) };
    const tops = this.pageOfTopSpans(query);
    const page: TraceListPage = { traces: tops.rows.map((top) => this.summarise('project_logs', query.projectId, top)) };
    if (tops.last && tops.more) page.next = { created: tops.last.created, rowid: tops.last.rowid };
    return page;
  }

  /** The list's summary of one trace (for the trace page's header); undefined if it has no spans. */
  traceSummary(location: TraceLocation, rootSpanId: string): TraceSummary | undefined {
    const top = this.topSpanOfTrace.get(location.object_type, location.object_id, rootSpanId);
    return top && this.summarise(location.object_type, location.object_id, top);
  }

  /** Which object holds the trace: a project's logs, else an experiment. */
  locateTrace(rootSpanId: string): TraceLocation | undefined {
    return this.traceLocation.get(rootSpanId);
  }

  traceRowsText(location: TraceLocation, rootSpanId: string): TraceRowsText {
    const rows = this.traceRows.all(location.object_type, location.object_id, rootSpanId, MAX_TRACE_ROWS + 1).map((r) => r.row);
    const truncated = rows.length > MAX_TRACE_ROWS;
    const comments = this.traceComments
      .all(location.object_type, location.object_id, location.object_type, location.object_id, rootSpanId)
      .map((r) => r.row);
    return { rows: truncated ? rows.slice(0, MAX_TRACE_ROWS) : rows, comments, truncated };
  }

  // A search text that is a trace id (or a row id) of this project: that trace alone (if the other
  // filters keep it), one page with nothing after it. Undefined when the text names no trace.
  private traceNamedByText(query: TraceListQuery): { rows: TopSpanRow[] } | undefined {
    if (query.text === undefined || query.cursor !== undefined) return undefined;
    const named = this.traceNamedById.get({ project_id: query.projectId, id: query.text });
    if (!named) return undefined;
    const top = this.topSpanOfTrace.get('project_logs', query.projectId, named.root_span_id);
    if (!top) return undefined;
    return { rows: this.matches(query, top.root_span_id) ? [top] : [] };
  }

  // A trace still being written can have a second parentless span for a moment; it is listed once.
  private pageOfTopSpans(query: TraceListQuery): { rows: TopSpanRow[]; last?: TopSpanRow; more: boolean } {
    const filtered = query.text !== undefined || query.score !== undefined || query.errorsOnly === true;
    const rows: TopSpanRow[] = [];
    const seen = new Set<string>();
    let last: TopSpanRow | undefined;
    let examined = 0;
    let cursor = query.cursor;
    for (;;) {
      const chunk = this.topSpans.all({ project_id: query.projectId, cursor_created: cursor?.created ?? null, cursor_rowid: cursor?.rowid ?? null, chunk: CHUNK });
      for (const row of chunk) {
        if (seen.has(row.root_span_id)) {
          last = row;
          continue;
        }
        if (filtered && examined === MAX_EXAMINED) return { rows, last, more: true };
        if (rows.length === query.limit) return { rows, last, more: true };
        seen.add(row.root_span_id);
        examined++;
        if (this.matches(query, row.root_span_id)) rows.push(row);
        last = row;
      }
      if (chunk.length < CHUNK) return { rows, last, more: false };
      const end = chunk[chunk.length - 1]!;
      cursor = { created: end.created, rowid: end.rowid };
    }
  }

  private matches(query: TraceListQuery, rootSpanId: string): boolean {
    const trace = { project_id: query.projectId, root_span_id: rootSpanId };
    // Cheapest first: the error probe stops at the first failed span, the text search walks JSON.
    if (query.errorsOnly === true && this.traceHasError.get(trace) === undefined) return false;
    if (query.score !== undefined) {
      const { name, op, value, aggregate } = query.score;
      if (this.traceScoreMatches.get({ ...trace, score_name: name, score_op: op, score_value: value, score_aggregate: aggregate })?.matches !== 1) return false;
    }
    if (query.text !== undefined && this.traceHasText.get({ ...trace, pattern: `%${escapeLikePattern(query.text)}%` }) === undefined) return false;
    return true;
  }

  private summarise(objectType: string, objectId: string, top: TopSpanRow): TraceSummary {
    // An aggregate without GROUP BY always yields exactly one row.
    const totals = this.traceTotals.get(objectType, objectId, top.root_span_id)!;
    const scores: Record<string, number> = {};
    const scoreMin: Record<string, number> = {};
    for (const { name, mean, lowest } of this.traceScores.all(objectType, objectId, top.root_span_id)) {
      scores[name] = mean;
      scoreMin[name] = lowest;
    }
    const firstError = totals.error_count > 0 ? this.firstError.get(objectType, objectId, top.root_span_id)?.error : undefined;
    const started = finiteOrNull(totals.started);
    const ended = finiteOrNull(totals.ended);
    return {
      root_span_id: top.root_span_id,
      top_span: { id: top.id, span_id: top.span_id, name: top.span_name, type: top.span_type, is_root: top.is_root === 1 },
      created: top.created,
      started,
      duration_s: started !== null && ended !== null && ended >= started ? ended - started : null,
      first_query: this.firstQuery(objectType, objectId, top),
      // Turns as the caller counted them; a caller without the SDK has only the server's.
      turns: totals.client_turns > 0 ? totals.client_turns : totals.server_turns,
      span_count: totals.span_count,
      tool_count: totals.tool_count,
      llm_count: totals.llm_count,
      error_count: totals.error_count,
      first_error: firstError === undefined ? null : clip(firstError, FIRST_ERROR_MAX_CHARS),
      tokens: totals.tokens ?? 0,
      scores,
      score_min: scoreMin,
    };
  }

  // The conversation's opening question: the root's patient_query, else the first turn's message,
  // else (a trace from some other app) the top span's input itself.
  private firstQuery(objectType: string, objectId: string, top: TopSpanRow): string | null {
    if (top.patient_query) return clip(top.patient_query);
    const message = this.firstTurnMessage.get(objectType, objectId, top.root_span_id)?.message;
    if (message) return clip(message);
    if (top.input === null) return null;
    const input = JSON.parse(top.input) as JsonValue;
    if (input === null) return null;
    return clip(typeof input === 'string' ? input : JSON.stringify(input));
  }
}

interface TopSpanParameters {
  project_id: string;
  cursor_created: string | null;
  cursor_rowid: number | null;
  chunk: number;
}

/** `100%_done` matches itself, not "100 anything done": LIKE's wildcards and the escape are escaped. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function clip(text: string, maxChars = FIRST_QUERY_MAX_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

function finiteOrNull(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
