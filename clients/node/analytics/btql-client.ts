// Runs JSON-AST BTQL queries against the trace backend — the local trace store or Braintrust — over
// the HTTP API the Braintrust SDK uses (login → API URL, project register → id, POST /btql).
// Unlike TraceBackend.btql, which reads every page, this stops after `maxRows`: "the newest 10
// conversations" must not page through all of them.
import { tracingConfig, type TracingConfig } from '../../../lib/config.js';
import { isJsonObject, type JsonObject } from '../../../lib/json.js';
import type { BtqlJsonQuery } from './btql-ast.js';

/** Rows per request when a query has no row bound of its own. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 1000;

export class BtqlClient {
  private apiUrl: Promise<string> | undefined;
  private projectIdPromise: Promise<string> | undefined;

  constructor(private readonly config: TracingConfig = tracingConfig(), private readonly timeoutMs = 15_000) {}

  get projectName(): string {
    return this.config.projectName;
  }

  /** The id of the configured project (registering it is idempotent). */
  projectId(): Promise<string> {
    this.projectIdPromise ??= this.post(`${this.config.appUrl}/api/project/register`, { project_name: this.config.projectName }).then((answer) => {
      const project = isJsonObject(answer) && isJsonObject(answer.project) ? answer.project : undefined;
      if (typeof project?.id !== 'string') throw new Error(`project ${this.config.projectName} could not be resolved`);
      return project.id;
    });
    return this.projectIdPromise;
  }

  /** The query's rows, page after page, until `maxRows` rows or the last page. */
  async rows(query: BtqlJsonQuery, maxRows = Number.POSITIVE_INFINITY): Promise<JsonObject[]> {
    const apiUrl = await this.resolveApiUrl();
    const rows: JsonObject[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES && rows.length < maxRows; page++) {
      const limit = Math.min(PAGE_SIZE, maxRows - rows.length);
      const answer = await this.post(`${apiUrl}/btql`, { query: { ...query, limit, ...(cursor ? { cursor } : {}) }, fmt: 'json' });
      const data = isJsonObject(answer) && Array.isArray(answer.data) ? answer.data.filter(isJsonObject) : [];
      rows.push(...data);
      cursor = isJsonObject(answer) && typeof answer.cursor === 'string' && answer.cursor !== '' ? answer.cursor : undefined;
      if (!cursor || data.length === 0) break;
    }
    return rows.slice(0, maxRows);
  }

  private resolveApiUrl(): Promise<string> {
    if (this.config.apiUrl) return Promise.resolve(this.config.apiUrl);
    this.apiUrl ??= this.post(`${this.config.appUrl}/api/apikey/login`, {}).then((answer) => {
      const orgs = isJsonObject(answer) && Array.isArray(answer.org_info) ? answer.org_info : [];
      const first = orgs.find(isJsonObject);
      return typeof first?.api_url === 'string' ? first.api_url : 'https://api.braintrust.dev';
    });
    return this.apiUrl;
  }

  private async post(url: string, body: unknown): Promise<unknown> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.config.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  }
}
