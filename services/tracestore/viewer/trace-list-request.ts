// The query string of GET /ui/api/traces, checked and typed: which project, a text search, a score
// filter ("health_risk lt 0.5", over the trace's worst span or its mean), errors only, a page size
// and a page cursor. Anything malformed is a 400 naming
// the parameter; nothing here is ever spliced into SQL, every value is bound.
import { badRequest } from '../http/http-error.js';
import { cursorParts, limitParameter, nonEmpty } from './query-parameters.js';

export const SCORE_COMPARISONS = ['lt', 'le', 'gt', 'ge', 'eq'] as const;
export type ScoreComparison = (typeof SCORE_COMPARISONS)[number];

/** What a trace's score is, for the filter: its worst (lowest) span score or the mean over its spans. */
export const SCORE_AGGREGATES = ['min', 'mean'] as const;
export type ScoreAggregate = (typeof SCORE_AGGREGATES)[number];

export interface ScoreFilter {
  name: string;
  op: ScoreComparison;
  value: number;
  aggregate: ScoreAggregate;
}

/** Where the previous page stopped: the last top span's `created` and its rowid (the index order). */
export interface ListCursor {
  created: string;
  rowid: number;
}

export interface TraceListRequest {
  projectId?: string;
  text?: string;
  score?: ScoreFilter;
  /** Only traces with at least one span that recorded an error. */
  errorsOnly?: boolean;
  limit: number;
  cursor?: ListCursor;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

export function parseTraceListRequest(params: URLSearchParams): TraceListRequest {
  const request: TraceListRequest = { limit: limitParameter(params, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT) };
  const projectId = nonEmpty(params, 'project');
  if (projectId !== undefined) request.projectId = projectId;
  const text = nonEmpty(params, 'q');
  if (text !== undefined) request.text = text;
  const score = parseScoreFilter(params);
  if (score) request.score = score;
  if (parseErrorsOnly(params)) request.errorsOnly = true;
  const cursor = nonEmpty(params, 'cursor');
  if (cursor !== undefined) request.cursor = decodeListCursor(cursor);
  return request;
}

// A score filter needs all three parts; a half-filled one is a mistake worth reporting.
function parseScoreFilter(params: URLSearchParams): ScoreFilter | undefined {
  const name = nonEmpty(params, 'score');
  const op = nonEmpty(params, 'op');
  const rawValue = nonEmpty(params, 'value');
  if (name === undefined && op === undefined && rawValue === undefined) return undefined;
  if (name === undefined) throw badRequest('query parameter "score" (the score name) is required with "op" and "value"');
  if (!isScoreComparison(op)) throw badRequest(`query parameter "op" must be one of ${SCORE_COMPARISONS.join(', ')}`);
  const value = Number(rawValue);
  if (rawValue === undefined || !Number.isFinite(value)) throw badRequest('query parameter "value" must be a number');
  const aggregate = nonEmpty(params, 'agg') ?? defaultScoreAggregate(op);
  if (!isScoreAggregate(aggregate)) throw badRequest(`query parameter "agg" must be one of ${SCORE_AGGREGATES.join(', ')}`);
  return { name, op, value, aggregate };
}

/**
 * "score < 0.5" asks for traces with a bad span: a mean hides one bad turn among good ones, so a
 * below-threshold filter looks at the worst span; the other comparisons keep the mean.
 */
export function defaultScoreAggregate(op: ScoreComparison): ScoreAggregate {
  return op === 'lt' || op === 'le' ? 'min' : 'mean';
}

function isScoreAggregate(aggregate: string): aggregate is ScoreAggregate {
  return (SCORE_AGGREGATES as readonly string[]).includes(aggregate);
}

// `errors=1` (or `true`) keeps failed traces only; `0`, `false` or blank is the same as leaving it out.
function parseErrorsOnly(params: URLSearchParams): boolean {
  const raw = nonEmpty(params, 'errors');
  if (raw === undefined || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw badRequest('query parameter "errors" must be 1 or 0');
}

function isScoreComparison(op: string | undefined): op is ScoreComparison {
  return (SCORE_COMPARISONS as readonly string[]).includes(op ?? '');
}

/** Opaque to clients: base64url of `[created, rowid]`. */
export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.created, cursor.rowid])).toString('base64url');
}

export function decodeListCursor(text: string): ListCursor {
  const [created, rowid] = cursorParts(text, (parts) => parts.length === 2 && typeof parts[0] === 'string' && Number.isSafeInteger(parts[1]));
  return { created: created as string, rowid: rowid as number };
}
