// Runs JSON-AST BTQL queries against the trace backend — the local trace store or Braintrust — over
// the HTTP API the Braintrust SDK uses (login → API URL, project register → id, POST /btql).
// Unlike TraceBackend.btql, which reads every page, this stops after `maxRows`: "the newest 10
// conversations" must not page through all of them.
import { tracingConfig, type TracingConfig } from '../../../lib/config.js';
import { BraintrustApi } from '../braintrust-api.js';
import { isJsonObject, type JsonObject } from '../../../lib/json.js';
import type { BtqlJsonQuery } from './btql-ast.js';

/** Rows per request when a query has no row bound of its own. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 1000;

/** Longer than the local trace store's own query limit (30 s), so its 504 — saying what to narrow — arrives. */
const QUERY_TIMEOUT_MS = 40_000;

export class BtqlClient {
  private readonly api: BraintrustApi;

  constructor(config: TracingConfig = tracingConfig(), timeoutMs = QUERY_TIMEOUT_MS) {
    this.api = new BraintrustApi(config, timeoutMs);
  }

  get projectName(): string {
    return this.api.projectName;
  }

  /** The id of the configured project (registering it is idempotent). */
  projectId(): Promise<string> {
    return this.api.projectId();
  }

  /**
   * One page of a query written as text (SQL or pipe form, services/tracestore/btql/README.md), as
   * the backend answers it: its rows, and the cursor of the next page when there is one.
   */
  async page(query: string): Promise<{ rows: JsonObject[]; cursor: string | undefined }> {
    const answer = await this.api.btql({ query, fmt: 'json' });
    return { rows: answer.data.filter(isJsonObject), cursor: answer.cursor };
  }

  /** The query's rows, page after page, until `maxRows` rows or the last page. */
  async rows(query: BtqlJsonQuery, maxRows = Number.POSITIVE_INFINITY): Promise<JsonObject[]> {
    const rows: JsonObject[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES && rows.length < maxRows; page++) {
      const limit = Math.min(PAGE_SIZE, maxRows - rows.length);
      const answer = await this.api.btql({ query: { ...query, limit, ...(cursor ? { cursor } : {}) }, fmt: 'json' });
      const data = answer.data.filter(isJsonObject);
      rows.push(...data);
      cursor = answer.cursor;
      if (!cursor || data.length === 0) break;
    }
    return rows.slice(0, maxRows);
  }
}
