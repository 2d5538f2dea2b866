// The trace store's tables. One SQLite file holds everything; the hot fields of each row live in
// their own (indexed) columns, the full row as JSON text in `row`.
export const SCHEMA_VERSION = 1;

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

-- Span rows (and dataset records) keyed by the object they belong to and their row id.
CREATE TABLE IF NOT EXISTS spans (
  object_type     TEXT NOT NULL,   -- project_logs | experiment | dataset | …
  object_id       TEXT NOT NULL,
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
  UNIQUE (object_type, object_id, id)
);
-- Lookups end in _pagination_key so the default order (newest first) comes from the index itself;
-- otherwise SQLite may prefer walking spans_by_page over a whole project to skip a sort.
CREATE INDEX IF NOT EXISTS spans_by_root ON spans (object_type, object_id, root_span_id, _pagination_key);
CREATE INDEX IF NOT EXISTS spans_by_name ON spans (object_type, object_id, span_name, _pagination_key);
CREATE INDEX IF NOT EXISTS spans_by_span_id ON spans (object_type, object_id, span_id);
CREATE INDEX IF NOT EXISTS spans_by_page ON spans (object_type, object_id, _pagination_key);
CREATE INDEX IF NOT EXISTS spans_by_created ON spans (object_type, object_id, created);
-- "Newest spans of one name" (recent conversations: name = 'client_conversation' ORDER BY created DESC)
-- reads this in order instead of walking spans_by_created over the whole project. Added after
-- schema 1 shipped; IF NOT EXISTS builds it when an older database is opened.
CREATE INDEX IF NOT EXISTS spans_by_name_created ON spans (object_type, object_id, span_name, created);

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
