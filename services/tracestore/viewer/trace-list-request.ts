// The query string of GET /ui/api/traces, checked and typed: which project, a text search, a score
// filter ("health_risk lt 0.5"), a page size and a page cursor. Anything malformed is a 400 naming
// the parameter; nothing here is ever spliced into SQL, every value is bound.
import { badRequest } from '../http/http-error.js';
import { cursorParts, limitParameter, nonEmpty } from './query-parameters.js';

export const SCORE_COMPARISONS = ['lt', 'le', 'gt', 'ge', 'eq'] as const;
export type ScoreComparison = (typeof SCORE_COMPARISONS)[number];

export interface ScoreFilter {
  name: string;
  op: ScoreComparison;
  value: number;
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
  return { name, op, value };
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
