// Upgrades a trace store file written by an older schema, in one transaction, before the current
// schema's CREATE … IF NOT EXISTS statements run. Schema 1 → 2: span rows name their object by an
// integer key (span_objects) instead of type and id; the span table is rebuilt in its original row
// order (the viewer pages by rowid) and its indexes built again. Schema 2 → 3: the index on span_id
// alone is dropped and the trace index rebuilt to carry span ids (lookups by span id name the trace).
import type { Logger } from '../../../lib/logging.js';
import type { TraceDatabase } from './open-database.js';
import { SCHEMA_VERSION, SPAN_INDEXES_SQL, SPAN_OBJECTS_TABLE_SQL, SPANS_TABLE_SQL } from './schema.js';

const SPAN_COLUMNS = 'id, span_id, root_span_id, span_parents, is_root, span_name, span_type, created, _xact_id, _pagination_key, row';

/** Returns true when it migrated something. */
export function migrateSchema(db: TraceDatabase, log?: Logger): boolean {
  const toSchema2 = migrateToIntegerObjectKeys(db, log);
  const toSchema3 = migrateToSpanIdInTraceIndex(db, log);
  return toSchema2 || toSchema3;
}

/** Schema 2 → 3: spans_by_span_id goes, spans_by_root is built again with span_id at its end. */
function migrateToSpanIdInTraceIndex(db: TraceDatabase, log?: Logger): boolean {
  const schema2 = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'spans_by_span_id'").get();
  if (!schema2) return false;
  const started = performance.now();
  db.transaction(() => {
    db.exec('DROP INDEX spans_by_span_id');
    db.exec('DROP INDEX IF EXISTS spans_by_root');
    db.exec(SPAN_INDEXES_SQL);
  }).immediate();
  log?.info({ ms: Math.round(performance.now() - started) }, 'trace database upgraded to schema 3 (span ids indexed within their trace)');
  return true;
}

function migrateToIntegerObjectKeys(db: TraceDatabase, log?: Logger): boolean {
  const spansTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spans'").get();
  if (!spansTable) return false;
  const columns = db.pragma('table_info(spans)') as Array<{ name: string }>;
  if (columns.some((column) => column.name === 'object_key')) return false;

  const spans = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM spans').get()?.n ?? 0;
  // The rebuilt table gets the current indexes, so a schema-1 file lands on the current schema at once.
  log?.info({ spans }, `upgrading the trace database from schema 1 to ${SCHEMA_VERSION} (integer object keys); this runs once`);
  const started = performance.now();
  db.transaction(() => {
    db.exec(SPAN_OBJECTS_TABLE_SQL);
    db.exec('INSERT OR IGNORE INTO span_objects (object_type, object_id) SELECT DISTINCT object_type, object_id FROM spans');
    const oldIndexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans' AND sql IS NOT NULL").all();
    for (const index of oldIndexes) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
    db.exec('ALTER TABLE spans RENAME TO spans_schema1');
    db.exec(SPANS_TABLE_SQL);
    db.exec(
      `INSERT INTO spans (object_key, ${SPAN_COLUMNS})
       SELECT o.object_key, ${SPAN_COLUMNS.split(', ').map((column) => `s.${column}`).join(', ')}
       FROM spans_schema1 s JOIN span_objects o ON o.object_type = s.object_type AND o.object_id = s.object_id
       ORDER BY s.rowid`,
    );
    db.exec('DROP TABLE spans_schema1');
    db.exec(SPAN_INDEXES_SQL);
  }).immediate();
  log?.info({ spans, ms: Math.round(performance.now() - started) }, `trace database upgraded from schema 1 to ${SCHEMA_VERSION}`);
  return true;
}
