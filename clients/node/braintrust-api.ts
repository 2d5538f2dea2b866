// The Braintrust HTTP API as the SDK uses it — login (→ the API URL), project registration (→ its
// id), POST /btql — against the local trace store or Braintrust, with a deadline on every request.
import { tracingConfig, type TracingConfig } from '../../lib/config.js';
import { isJsonObject } from '../../lib/json.js';

export class BraintrustApi {
  private apiUrlPromise: Promise<string> | undefined;
  private projectIdPromise: Promise<string> | undefined;

  constructor(readonly config: TracingConfig = tracingConfig(), private readonly timeoutMs = 15_000) {}

  get projectName(): string {
    return this.config.projectName;
  }

  async post(url: string, body: unknown): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.config.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') throw new Error(`${url} did not answer within ${this.timeoutMs} ms`);
      throw error;
    }
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${errorMessageOf(text)}`);
    return JSON.parse(text) as unknown;
  }

  /** Where /btql lives: known up front for the local store, from the login response for Braintrust. */
  apiUrl(): Promise<string> {
    if (this.config.apiUrl) return Promise.resolve(this.config.apiUrl);
    this.apiUrlPromise ??= this.post(`${this.config.appUrl}/api/apikey/login`, {}).then((answer) => {
      const orgs = isJsonObject(answer) && Array.isArray(answer.org_info) ? answer.org_info : [];
      const first = orgs.find(isJsonObject);
      return typeof first?.api_url === 'string' ? first.api_url : 'https://api.braintrust.dev';
    });
    return this.apiUrlPromise;
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

  /** One /btql request. */
  async btql(body: { query: unknown; fmt: 'json' }): Promise<{ data: unknown[]; cursor: string | undefined }> {
    const answer = await this.post(`${await this.apiUrl()}/btql`, body);
    const data = isJsonObject(answer) && Array.isArray(answer.data) ? answer.data : [];
    const cursor = isJsonObject(answer) && typeof answer.cursor === 'string' && answer.cursor !== '' ? answer.cursor : undefined;
    return { data, cursor };
  }
}

/** The backend's own words from an error body ({"error": "…"} or {"message": "…"}), else its start. */
function errorMessageOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isJsonObject(body)) {
      const said = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : undefined;
      if (said) return said;
    }
  } catch {
    // Not JSON: show it as it came.
  }
  return text.slice(0, 300);
}
