// Runs in a worker thread (btql-readers.ts): BTQL's compiled statements on a read-only connection
// of its own. WAL lets it read while the request thread writes, so a long query — a scan of every
// span for a word — no longer holds up ingest and every other request behind it.
// Loaded as CommonJS by startTypeScriptWorker: no import.meta, no top-level await.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ResultRow } from './compiled-query.js';
import type { SqlValue } from './expression-sql.js';
import { registerBtqlFunctions } from './sql-functions.js';
import { StatementCache } from './statement-cache.js';

export interface BtqlReaderData {
  dbPath: string;
}

export interface BtqlReadRequest {
  id: number;
  sql: string;
  params: SqlValue[];
}

/** `ready` once the database is open; then one `rows` or `error` per request. */
export type BtqlReaderMessage = { kind: 'ready' } | { kind: 'rows'; id: number; rows: ResultRow[] } | { kind: 'error'; id: number; error: string };

const { dbPath } = workerData as BtqlReaderData;
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
registerBtqlFunctions(db);
const statements = new StatementCache(db);

parentPort?.on('message', (request: BtqlReadRequest) => {
  let reply: BtqlReaderMessage;
  try {
    reply = { kind: 'rows', id: request.id, rows: statements.get(request.sql).all(...request.params) };
  } catch (error) {
    reply = { kind: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ kind: 'ready' } satisfies BtqlReaderMessage);
