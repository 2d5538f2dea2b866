// The trace store's tables. One SQLite file holds everything; the hot fields of each row live in
// their own (indexed) columns, the full row as JSON text in `row`.
//
// Schema 2: spans name their object (project logs, experiment, dataset…) by a small integer
// `object_key` (table span_objects) instead of the ~50-byte type and id that every index entry
// used to repeat — smaller indexes and faster ingest (bench/: tracestore-ingest). Queries find the
// key with a constant subquery, so each is still one index probe.
//
// Schema 3: no index on span_id alone. Span ids are random, so that index took one scattered page
// write per span (a third of ingest's WAL bytes, bench/: tracestore-ingest); every lookup by span
// id the store makes names the trace too (root_span_id) and reads spans_by_root, which carries
// the span id.
// migrate-schema.ts upgrades schema-1 and schema-2 files.
export const SCHEMA_VERSION = 3;

/** The span table's indexes (built again after a migration rebuilds the table). */
export const SPAN_INDEXES_SQL = `
-- Lookups end in _pagination_key so the default order (newest first) comes from the index itself;
-- otherwise SQLite may prefer walking spans_by_page over a whole project to skip a sort.
-- span_id ends spans_by_root so that finding a span within its trace reads the index alone.
CREATE INDEX IF NOT EXISTS spans_by_root ON spans (object_key, root_span_id, _pagination_key, span_id);
CREATE INDEX IF NOT EXISTS spans_by_name ON spans (object_key, span_name, _pagination_key);
CREATE INDEX IF NOT EXISTS spans_by_page ON spans (object_key, _pagination_key);
CREATE INDEX IF NOT EXISTS spans_by_created ON spans (object_key, created);
-- "Newest spans of one name" (recent conversations: name = 'client_conversation' ORDER BY created DESC)
-- reads this in order instead of walking spans_by_created over the whole project.
CREATE INDEX IF NOT EXISTS spans_by_name_created ON spans (object_key, span_name, created);
`;

/** The span table as schema 2 and 3 have it. */
export const SPANS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS spans (
  object_key      INTEGER NOT NULL,   -- span_objects.object_key
  id              TEXT NOT NULL,
  span_id         TEXT,
  root_span_id    TEXT,
  span_parents    TEXT,            -- JSON array, NULL for a root
  is_root         INTEGER NOT NULL,
  span_name       TEXT,
  span_type       TEXT,
  created         TEXT,
  _xact_id        TEXT NOT NULL,   -- fixed-width digits: string order = numeric order
  _pagination_key TEXT NOT NULL,   -- 'p' + fixed-width digits, set when the row is first written
  row             TEXT NOT NULL,   -- the full row as JSON
  UNIQUE (object_key, id)
);
`;

export const SPAN_OBJECTS_TABLE_SQL = `
-- The objects span rows belong to, each with a small integer key for the span indexes.
CREATE TABLE IF NOT EXISTS span_objects (
  object_key  INTEGER PRIMARY KEY,
  object_type TEXT NOT NULL,   -- project_logs | experiment | dataset | prompt_session | project_prompts
  object_id   TEXT NOT NULL,
  UNIQUE (object_type, object_id)
);
`;

/**
 * SQL for "the key of this object" inside a query: a constant (or correlated) subquery, so SQLite
 * can probe a span index with it. Unknown objects give NULL, which matches no span.
 */
export function objectKeyOf(objectType: string, objectId: string): string {
  return `(SELECT object_key FROM span_objects WHERE object_type = ${objectType} AND object_id = ${objectId})`;
}

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS projects (
  id      TEXT PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  org_id  TEXT NOT NULL,
  created TEXT NOT NULL
);

-- Datasets and experiments: named objects inside a project.
CREATE TABLE IF NOT EXISTS objects (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind IN ('dataset', 'experiment')),
  id         TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL REFERENCES projects(id),
  name       TEXT NOT NULL,
  created    TEXT NOT NULL,
  info       TEXT NOT NULL,   -- JSON: description, metadata, tags, base_exp_id, dataset_id, …
  UNIQUE (kind, project_id, name)
);

${SPAN_OBJECTS_TABLE_SQL}
-- Span rows (and dataset records) keyed by the object they belong to and their row id.
${SPANS_TABLE_SQL}
${SPAN_INDEXES_SQL}
-- Feedback comments (audit entries), kept apart from the spans they comment on.
CREATE TABLE IF NOT EXISTS comments (
  object_type TEXT NOT NULL,
  object_id   TEXT NOT NULL,
  id          TEXT NOT NULL,
  origin_id   TEXT,
  created     TEXT,
  _xact_id    TEXT NOT NULL,
  row         TEXT NOT NULL,
  PRIMARY KEY (object_type, object_id, id)
);
CREATE INDEX IF NOT EXISTS comments_by_origin ON comments (object_type, object_id, origin_id);
`;
