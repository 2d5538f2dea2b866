// @ts-check
// The viewer's data endpoints (/ui/api/…), with the bearer token when one is known. A 401 opens
// the token dialog and retries; cancelling it surfaces as an ApiError the view can show. Each call
// takes the view's AbortSignal: leaving a page cancels its requests.
import { currentToken, promptForToken } from './access-token.js';

/**
 * @typedef {{ id: string, name: string, last_activity: string | null }} Project
 * @typedef {{
 *   root_span_id: string,
 *   top_span: { id: string, span_id: string | null, name: string | null, type: string | null, is_root: boolean },
 *   created: string, started: number | null, duration_s: number | null, first_query: string | null,
 *   turns: number, span_count: number, tool_count: number, llm_count: number, error_count: number,
 *   first_error: string | null, tokens: number, scores: Record<string, number>, score_min: Record<string, number>
 * }} TraceSummary
 * @typedef {{ project: { id: string, name: string } | null, traces: TraceSummary[], next_cursor: string | null }} TraceList
 * @typedef {Record<string, unknown>} SpanRow
 * @typedef {{
 *   root_span_id: string, object_type: string, object_id: string, object_name: string,
 *   truncated: boolean, summary: TraceSummary | null, spans: SpanRow[], comments: SpanRow[]
 * }} TraceRows
 * @typedef {{ name: string, score: number, diff?: number, improvements: number, regressions: number }} ScoreComparison
 * @typedef {{ name: string, metric: number, unit: string, diff?: number, improvements: number, regressions: number }} MetricComparison
 * @typedef {{
 *   id: string, name: string, created: string, row_count: number, base: { id: string, name: string } | null,
 *   metadata: Record<string, unknown> | null, tags: string[],
 *   scores: Record<string, ScoreComparison>, metrics: Record<string, MetricComparison>
 * }} ExperimentSummary
 * @typedef {{ project: { id: string, name: string } | null, experiments: ExperimentSummary[], next_cursor: string | null }} ExperimentList
 * @typedef {{
 *   root_span_id: string, span_id: string | null, created: string | null, started: number | null, duration_s: number | null,
 *   input: string | null, output: string | null, expected: string | null, error: string | null,
 *   scores: Record<string, number>, base: { root_span_id: string, scores: Record<string, number>, shared_with: number } | null,
 *   scored_trace: string | null
 * }} ExperimentRow
 * @typedef {{
 *   project: { id: string, name: string }, experiment: ExperimentSummary, score_names: string[],
 *   sort: { score?: string, order: 'asc' | 'desc', change?: 'improved' | 'regressed' },
 *   rows: ExperimentRow[], matching_rows: number, truncated: boolean
 * }} ExperimentRows
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} path
 * @param {AbortSignal} signal
 * @returns {Promise<unknown>}
 */
async function getJson(path, signal) {
  for (;;) {
    const token = currentToken();
    const response = await fetch(path, { headers: token === null ? {} : { Authorization: `Bearer ${token}` }, signal });
    if (response.status === 401) {
      signal.throwIfAborted();
      if (await promptForToken(token !== null)) continue;
      throw new ApiError(401, 'This trace store needs its access token to show traces.');
    }
    /** @type {unknown} */
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && typeof body === 'object' && 'error' in body ? String(body.error) : `HTTP ${response.status}`;
      throw new ApiError(response.status, message);
    }
    return body;
  }
}

/**
 * @param {AbortSignal} signal
 * @returns {Promise<Project[]>}
 */
export async function fetchProjects(signal) {
  const body = /** @type {{ projects: Project[] }} */ (await getJson('/ui/api/projects', signal));
  return body.projects;
}

/**
 * @param {URLSearchParams} filters project, q, errors, score, agg, op, value, cursor
 * @param {AbortSignal} signal
 * @returns {Promise<TraceList>}
 */
export async function fetchTraceList(filters, signal) {
  return /** @type {TraceList} */ (await getJson(`/ui/api/traces?${filters}`, signal));
}

/**
 * @param {string} rootSpanId
 * @param {string | null} experimentId read the trace in this experiment (an eval case); null: wherever it is
 * @param {AbortSignal} signal
 * @returns {Promise<TraceRows>}
 */
export async function fetchTrace(rootSpanId, experimentId, signal) {
  const query = experimentId ? `?${new URLSearchParams({ experiment: experimentId })}` : '';
  return /** @type {TraceRows} */ (await getJson(`/ui/api/traces/${encodeURIComponent(rootSpanId)}${query}`, signal));
}

/**
 * @param {URLSearchParams} params project, cursor
 * @param {AbortSignal} signal
 * @returns {Promise<ExperimentList>}
 */
export async function fetchExperimentList(params, signal) {
  return /** @type {ExperimentList} */ (await getJson(`/ui/api/experiments?${params}`, signal));
}

/**
 * @param {string} experimentId
 * @param {URLSearchParams} params score, order, change
 * @param {AbortSignal} signal
 * @returns {Promise<ExperimentRows>}
 */
export async function fetchExperiment(experimentId, params, signal) {
  const query = params.toString();
  return /** @type {ExperimentRows} */ (await getJson(`/ui/api/experiments/${encodeURIComponent(experimentId)}${query ? `?${query}` : ''}`, signal));
}
