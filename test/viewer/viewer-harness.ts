// What the viewer tests share: an in-process trace store over a temporary database (the directory
// is kept when the store closes, minus the database, so screenshots can be looked at), seeding it
// with the real braintrust SDK in a child process, and Debian's Chromium through playwright-core.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTraceStore, type RunningTraceStore } from '../../services/tracestore/trace-store.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// These flags are what Chromium needs to run headless in this sandboxed machine.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface ViewerStore extends RunningTraceStore {
  dir: string;
  screenshotDir: string;
  token: string | undefined;
  /** Closes the store and deletes its database; screenshots stay. */
  dispose(): Promise<void>;
}

export async function startViewerStore(token?: string): Promise<ViewerStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tracemesh-viewer-test-'));
  const screenshotDir = join(dir, 'screenshots');
  mkdirSync(screenshotDir);
  const dbPath = join(dir, 'traces.db');
  const store = await startTraceStore({ port: 0, dbPath, token, logger: pino({ level: 'silent' }) });
  return {
    ...store,
    dir,
    screenshotDir,
    token,
    async dispose() {
      await store.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    },
  };
}

export type SeededTraces = Record<'thirst' | 'healthy' | 'failing' | 'grpcurl', string>;

/** Runs fixtures/log-conversations.ts against the store; resolves with the root span ids. */
export function seedConversations(store: ViewerStore): Promise<SeededTraces> {
  return runSeedFixture<SeededTraces>(store, 'log-conversations.ts');
}

export interface SeededExperiments {
  baseline: string;
  candidate: string;
  /** The logged conversations the cases name in metadata.trace_root_span_id. */
  conversations: Record<'thirst' | 'pressure' | 'checkup', string>;
}

/** Runs fixtures/run-experiments.ts (two Eval runs) against the store; resolves with their ids. */
export function seedExperiments(store: ViewerStore): Promise<SeededExperiments> {
  return runSeedFixture<SeededExperiments>(store, 'run-experiments.ts');
}

export interface SeededWideExperiments {
  baseline: string;
  candidate: string;
  /** The query the candidate runs seven times: seven rows compared with one base case. */
  repeated: string;
}

/** Runs fixtures/run-wide-experiments.ts (two Eval runs shaped like real ones) against the store. */
export function seedWideExperiments(store: ViewerStore): Promise<SeededWideExperiments> {
  return runSeedFixture<SeededWideExperiments>(store, 'run-wide-experiments.ts');
}

// A fixture is a child process (the SDK keeps global state) that prints `RESULT <json>`.
function runSeedFixture<T>(store: ViewerStore, fixture: string): Promise<T> {
  const env: NodeJS.ProcessEnv = {};
  // The fixture is a fresh SDK user: none of this process's Braintrust or OTel settings leak in.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('BRAINTRUST_') && !key.startsWith('OTEL_') && !key.startsWith('TRACESTORE_')) env[key] = value;
  }
  Object.assign(env, { TRACESTORE_TEST_URL: store.url, TRACESTORE_TEST_TOKEN: store.token ?? 'any-key' });
  const script = join(REPO_ROOT, 'test/viewer/fixtures', fixture);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (error || !line) {
        reject(new Error(`seeding failed: ${error?.message ?? 'no RESULT line'}\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

export interface ViewerPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors seen by the page. */
  problems: string[];
}

/** A fresh browser context (own session storage), at a laptop-sized viewport unless another is given. */
export async function openViewerPage(browser: Browser, viewport = { width: 1440, height: 900 }): Promise<ViewerPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { context, page, problems };
}

export async function getJson(url: string, token?: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null, headers: response.headers };
}
