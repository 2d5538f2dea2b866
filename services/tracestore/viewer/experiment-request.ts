// The query strings of the viewer's experiment endpoints, checked and typed:
//   GET /ui/api/experiments?project=&limit=&cursor=    which project, a page size, a page cursor
//   GET /ui/api/experiments/:id?score=&order=&change=  sort the rows by a score, keep those it improved or regressed
// Anything malformed is a 400 naming the parameter; every value is bound, never spliced into SQL.
import { badRequest } from '../http/http-error.js';
import { cursorParts, limitParameter, nonEmpty } from './query-parameters.js';

export const DEFAULT_EXPERIMENT_LIMIT = 20;
export const MAX_EXPERIMENT_LIMIT = 100;

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
/** A row's change against its base case on the sorted score. */
export const SCORE_CHANGES = ['improved', 'regressed'] as const;
export type ScoreChange = (typeof SCORE_CHANGES)[number];

export interface ExperimentListRequest {
  projectId?: string;
  limit: number;
  /** List experiments registered before this one (registration order: the objects table's seq). */
  beforeSeq?: number;
}

export interface ExperimentRowsRequest {
  /** Sort by this score (rows without it last) and apply `change` to it; unset: run order. */
  score?: string;
  order: SortOrder;
  change?: ScoreChange;
}

export function parseExperimentListRequest(params: URLSearchParams): ExperimentListRequest {
  const request: ExperimentListRequest = { limit: limitParameter(params, DEFAULT_EXPERIMENT_LIMIT, MAX_EXPERIMENT_LIMIT) };
  const projectId = nonEmpty(params, 'project');
  if (projectId !== undefined) request.projectId = projectId;
  const cursor = nonEmpty(params, 'cursor');
  if (cursor !== undefined) request.beforeSeq = decodeExperimentCursor(cursor);
  return request;
}

export function parseExperimentRowsRequest(params: URLSearchParams): ExperimentRowsRequest {
  const score = nonEmpty(params, 'score');
  const order = nonEmpty(params, 'order') ?? 'asc';
  const change = nonEmpty(params, 'change');
  if (!(SORT_ORDERS as readonly string[]).includes(order)) throw badRequest(`query parameter "order" must be one of ${SORT_ORDERS.join(', ')}`);
  if (change !== undefined && !(SCORE_CHANGES as readonly string[]).includes(change)) {
    throw badRequest(`query parameter "change" must be one of ${SCORE_CHANGES.join(', ')}`);
  }
  // "Improved" says nothing without the score it is measured on.
  if (change !== undefined && score === undefined) throw badRequest('query parameter "score" (the score name) is required with "change"');
  return { order: order as SortOrder, ...(score !== undefined ? { score } : {}), ...(change !== undefined ? { change: change as ScoreChange } : {}) };
}

/** Opaque to clients: base64url of the last listed experiment's registration number. */
export function encodeExperimentCursor(seq: number): string {
  return Buffer.from(JSON.stringify([seq])).toString('base64url');
}

export function decodeExperimentCursor(text: string): number {
  const [seq] = cursorParts(text, (parts) => parts.length === 1 && Number.isSafeInteger(parts[0]));
  return seq as number;
}
