// Reads one trace back from the trace backend with BTQL — the local trace store or Braintrust,
// through the same HTTP API the Braintrust SDK uses (login → project → /btql).
import { tracingConfig, type TracingConfig } from '../../lib/config.js';
import type { JsonObject } from '../../lib/json.js';

export type SpanRow = JsonObject & {
  id?: string;
  span_id?: string;
  root_span_id?: string;
  span_parents?: string[] | null;
};

const TRACE_ID = /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export class TraceBackend {
  private apiUrl: string | undefined;
  private projectId: string | undefined;

  constructor(private readonly config: TracingConfig = tracingConfig(), private readonly timeoutMs = 10_000) {}

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

  private async resolveApiUrl(): Promise<string> {
    if (this.apiUrl) return this.apiUrl;
    if (this.config.apiUrl) return (this.apiUrl = this.config.apiUrl);
    const login = (await this.post(`${this.config.appUrl}/api/apikey/login`, {})) as { org_info?: Array<{ api_url?: string }> };
    this.apiUrl = login.org_info?.[0]?.api_url ?? 'https://api.braintrust.dev';
    return this.apiUrl;
  }

  async resolveProjectId(): Promise<string> {
    if (this.projectId) return this.projectId;
    const registered = (await this.post(`${this.config.appUrl}/api/project/register`, { project_name: this.config.projectName })) as {
      project?: { id?: string };
    };
    if (!registered.project?.id) throw new Error(`project ${this.config.projectName} could not be resolved`);
    this.projectId = registered.project.id;
    return this.projectId;
  }

  /** Runs a BTQL query (SQL or pipe form, or the JSON AST) and returns every page of rows. */
  async btql(query: string | JsonObject): Promise<SpanRow[]> {
    const apiUrl = await this.resolveApiUrl();
    const rows: SpanRow[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const body = typeof query === 'string' ? { query, fmt: 'json' } : { query: { ...query, ...(cursor ? { cursor } : {}) }, fmt: 'json' };
      const answer = (await this.post(`${apiUrl}/btql`, body)) as { data?: SpanRow[]; cursor?: string };
      rows.push(...(answer.data ?? []));
      cursor = answer.cursor;
      if (!cursor || typeof query === 'string') break;
    }
    return rows;
  }

  /** Every span of the trace whose root_span_id is `rootSpanId`. */
  async fetchTrace(rootSpanId: string): Promise<SpanRow[]> {
    if (!TRACE_ID.test(rootSpanId)) throw new Error(`"${rootSpanId}" is not a trace id (32 hex characters)`);
    const projectId = await this.resolveProjectId();
    return this.btql(`SELECT * FROM project_logs('${projectId}') WHERE root_span_id = '${rootSpanId}' LIMIT 1000`);
  }
}
