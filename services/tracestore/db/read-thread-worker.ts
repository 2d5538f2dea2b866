// Runs in a worker thread (read-threads.ts): the store's reads that may scan — BTQL's compiled
// statements and the viewer's trace list — on a read-only connection of its own. WAL lets it read
// while the request thread writes, so a long query (every span searched for a word) no longer
// holds up ingest and every other request behind it.
// Loaded as CommonJS by startTypeScriptWorker: no import.meta, no top-level await.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ResultRow } from '../btql/compiled-query.js';
import type { SqlValue } from '../btql/expression-sql.js';
import { registerBtqlFunctions } from '../btql/sql-functions.js';
import { StatementCache } from '../btql/statement-cache.js';
import { ViewerQueries, type TraceListPage, type TraceListQuery } from '../viewer/viewer-queries.js';

export interface ReadThreadData {
  dbPath: string;
}

/** The reads a thread does: a compiled BTQL statement, or a page of the viewer's trace list. */
export type ReadJob = { kind: 'btql'; sql: string; params: SqlValue[] } | { kind: 'recent-traces'; query: TraceListQuery };

export interface ReadRequest {
  id: number;
  job: ReadJob;
}

/** `ready` once the database is open; then one `result` or `error` per request. */
export type ReadThreadMessage =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: ResultRow[] | TraceListPage }
  | { kind: 'error'; id: number; error: string };

const { dbPath } = workerData as ReadThreadData;
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
registerBtqlFunctions(db);
const statements = new StatementCache(db);
const viewer = new ViewerQueries(db);

function run(job: ReadJob): ResultRow[] | TraceListPage {
  switch (job.kind) {
    case 'btql':
      return statements.get(job.sql).all(...job.params);
    case 'recent-traces':
      return viewer.recentTraces(job.query);
  }
}

parentPort?.on('message', (request: ReadRequest) => {
  let reply: ReadThreadMessage;
  try {
    reply = { kind: 'result', id: request.id, result: run(request.job) };
  } catch (error) {
    reply = { kind: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ kind: 'ready' } satisfies ReadThreadMessage);
