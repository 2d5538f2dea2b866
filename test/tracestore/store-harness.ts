// Test harness for the trace store: an in-process store on a free port over a temporary database,
// JSON helpers for its endpoints, and a runner for SDK scenarios in child processes (the
// braintrust SDK keeps global login/context state, so each scenario gets a fresh process).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { JsonObject, JsonValue } from '../../lib/json.js';
import { startTraceStore, type RunningTraceStore, type TraceStoreOptions } from '../../services/tracestore/trace-store.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface TestStore extends RunningTraceStore {
  dir: string;
  dbPath: string;
  /** Closes the store and deletes its directory. */
  dispose(): Promise<void>;
}

export async function startTestStore(options: Partial<TraceStoreOptions> & { dir?: string } = {}): Promise<TestStore> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tracestore-test-'));
  const dbPath = options.dbPath ?? join(dir, 'traces.db');
  const store = await startTraceStore({ port: 0, dbPath, logger: pino({ level: 'silent' }), ...options });
  let disposed = false;
  return {
    ...store,
    dir,
    dbPath,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface JsonResponse<T = JsonValue> {
  status: number;
  body: T;
}

export async function requestJson<T = JsonValue>(
  url: string,
  init: { method?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; token?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  headers.authorization ??= `Bearer ${init.token ?? 'test-key'}`;
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: typeof init.rawBody === 'string' ? init.rawBody : init.rawBody ? new Blob([new Uint8Array(init.rawBody)]) : init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  // Every answer of the store must be JSON, errors included.
  return { status: response.status, body: JSON.parse(text) as T };
}

export interface BtqlAnswer {
  data: JsonObject[];
  cursor?: string;
}

export async function btql(storeUrl: string, query: string | JsonObject, extra: JsonObject = {}): Promise<JsonResponse<BtqlAnswer & { error?: string }>> {
  return requestJson<BtqlAnswer & { error?: string }>(`${storeUrl}/btql`, { body: { query, ...extra } });
}

/** Rows of a successful query (fails the test with the server's message otherwise). */
export async function btqlRows(storeUrl: string, query: string | JsonObject, extra: JsonObject = {}): Promise<JsonObject[]> {
  const answer = await btql(storeUrl, query, extra);
  if (answer.status !== 200) throw new Error(`btql answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

export async function registerProject(storeUrl: string, name: string, token?: string): Promise<string> {
  const answer = await requestJson<{ project: { id: string } }>(`${storeUrl}/api/project/register`, { body: { project_name: name }, token });
  if (answer.status !== 200) throw new Error(`register answered ${answer.status}`);
  return answer.body.project.id;
}

export async function postRows(storeUrl: string, rows: JsonObject[]): Promise<JsonResponse> {
  return requestJson(`${storeUrl}/logs3`, { body: { rows, api_version: 2 } });
}

/**
 * Runs test/tracestore/fixtures/<name>.ts in a fresh Node process pointed at the store and
 * returns the JSON it prints on its `RESULT ` line.
 */
export function runFixture<T>(name: string, storeUrl: string, extraEnv: Record<string, string> = {}): Promise<T> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('BRAINTRUST_') && !key.startsWith('OTEL_')) env[key] = value;
  }
  Object.assign(env, { TRACESTORE_TEST_URL: storeUrl, BRAINTRUST_APP_URL: storeUrl, BRAINTRUST_API_KEY: 'test-key', ...extraEnv });
  const script = join(REPO_ROOT, 'test/tracestore/fixtures', `${name}.ts`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (error || !line) {
        reject(new Error(`fixture ${name} failed: ${error?.message ?? 'no RESULT line'}\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`));
        return;
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

export function spanName(row: JsonObject): string | undefined {
  const attributes = row.span_attributes as JsonObject | undefined;
  return typeof attributes?.name === 'string' ? attributes.name : undefined;
}

export function byName(rows: JsonObject[], name: string): JsonObject {
  const found = rows.filter((row) => spanName(row) === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length} among ${rows.map(spanName).join(', ')}`);
  return found[0]!;
}
