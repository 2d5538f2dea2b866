// Opens (creating if needed) the store's SQLite file in WAL mode and applies the schema.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../../lib/logging.js';
import { migrateSchema } from './migrate-schema.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

export type TraceDatabase = Database.Database;

/** SQLite's automatic checkpoint threshold, when no checkpoint worker does it (wal-checkpointer.ts). */
export const AUTOCHECKPOINT_PAGES = 10_000;

/** `log` hears about a schema migration, which on a large file can take a while at start-up. */
export function openDatabase(dbPath: string, log?: Logger): TraceDatabase {
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  // WAL: readers never block the writer; NORMAL sync is durable across process crashes in WAL mode.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Ingest (bench/: tracestore-ingest) touches six indexes per row at scattered (random-id)
  // positions. A 64 MB page cache (default 2 MB) keeps the hot index pages of a few hundred
  // thousand spans in memory, and checkpointing the WAL every ~40 MB instead of every ~4 MB pays
  // the checkpoint's fsync a tenth as often: 8.6k → 12k spans/s on the benchmark machine.
  db.pragma('cache_size = -65536');
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  const stored = hasMeta ? db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get() : undefined;
  if (stored && Number(stored.value) > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${dbPath} was written by a newer trace store (schema ${stored.value}, this one knows ${SCHEMA_VERSION})`);
  }
  migrateSchema(db, log);
  db.exec(SCHEMA_SQL);
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  return db;
}
