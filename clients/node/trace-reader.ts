// Reads traces back from the trace backend with BTQL — the local trace store or Braintrust, through
// the same HTTP API the Braintrust SDK uses (login → project → /btql).
import { tracingConfig, type TracingConfig } from '../../lib/config.js';
import { BraintrustApi } from './braintrust-api.js';
import { isJsonObject, type JsonObject } from '../../lib/json.js';

export type SpanRow = JsonObject & {
  id?: string;
  span_id?: string;
  root_span_id?: string;
  span_parents?: string[] | null;
};

const TRACE_ID = /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export class TraceBackend {
  private readonly api: BraintrustApi;

  constructor(config: TracingConfig = tracingConfig(), timeoutMs = 10_000) {
    this.api = new BraintrustApi(config, timeoutMs);
  }

  resolveProjectId(): Promise<string> {
    return this.api.projectId();
  }

  /** Runs a BTQL query (SQL or pipe form, or the JSON AST) and returns every page of rows. */
  async btql(query: string | JsonObject): Promise<SpanRow[]> {
    const rows: SpanRow[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const answer = await this.api.btql({ query: typeof query === 'string' ? query : { ...query, ...(cursor ? { cursor } : {}) }, fmt: 'json' });
      rows.push(...(answer.data as SpanRow[]));
      cursor = answer.cursor;
      if (!cursor || typeof query === 'string') break;
    }
    return rows;
  }

  /**
   * Every span of the trace whose root_span_id is `rootSpanId`: in the project's logs, or with
   * `experimentId` in that experiment (an eval case's trace is there, not in the logs).
   */
  async fetchTrace(rootSpanId: string, experimentId?: string): Promise<SpanRow[]> {
    if (!TRACE_ID.test(rootSpanId)) throw new Error(`"${rootSpanId}" is not a trace id (32 hex characters)`);
    const source = experimentId === undefined ? `project_logs('${await this.resolveProjectId()}')` : `experiment('${quoted(experimentId)}')`;
    return this.btql(`SELECT * FROM ${source} WHERE root_span_id = '${rootSpanId}' LIMIT 1000`);
  }

  /** The id of the project's experiment with this name, or undefined when there is none. */
  async experimentId(name: string): Promise<string | undefined> {
    const answer = await this.api.post(`${this.api.config.appUrl}/api/experiment/get`, { project_name: this.api.projectName, experiment_name: name });
    const first: unknown = Array.isArray(answer) ? answer[0] : undefined;
    return isJsonObject(first) && typeof first.id === 'string' ? first.id : undefined;
  }
}

/** A value for a BTQL string literal: quotes doubled. */
function quoted(text: string): string {
  return text.replace(/'/g, "''");
}
