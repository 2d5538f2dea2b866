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
 *   tokens: number, scores: Record<string, number>
 * }} TraceSummary
 * @typedef {{ project: { id: string, name: string } | null, traces: TraceSummary[], next_cursor: string | null }} TraceList
 * @typedef {Record<string, unknown>} SpanRow
 * @typedef {{
 *   root_span_id: string, object_type: string, object_id: string, object_name: string,
 *   truncated: boolean, summary: TraceSummary | null, spans: SpanRow[], comments: SpanRow[]
 * }} TraceRows
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
 * @param {URLSearchParams} filters project, q, score, op, value, cursor
 * @param {AbortSignal} signal
 * @returns {Promise<TraceList>}
 */
export async function fetchTraceList(filters, signal) {
  return /** @type {TraceList} */ (await getJson(`/ui/api/traces?${filters}`, signal));
}

/**
 * @param {string} rootSpanId
 * @param {AbortSignal} signal
 * @returns {Promise<TraceRows>}
 */
export async function fetchTrace(rootSpanId, signal) {
  return /** @type {TraceRows} */ (await getJson(`/ui/api/traces/${encodeURIComponent(rootSpanId)}`, signal));
}
