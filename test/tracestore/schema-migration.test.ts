// Trace store files written by older schemas open under the current one with every row, its order
// and its queries intact, and take new writes: schema 1 (spans keyed by object type and id, before
// the integer object key) and schema 2 (an index on span_id alone, before span ids joined the trace index).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../services/tracestore/db/schema.js';
import { btqlRows, postRows, registerProject, requestJson, startTestStore } from './store-harness.js';

// The span table and indexes exactly as schema 1 created them.
const SCHEMA_1_SPANS = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE spans (
  object_type TEXT NOT NULL, object_id TEXT NOT NULL, id TEXT NOT NULL, span_id TEXT, root_span_id TEXT,
  span_parents TEXT, is_root INTEGER NOT NULL, span_name TEXT, span_type TEXT, created TEXT,
  _xact_id TEXT NOT NULL, _pagination_key TEXT NOT NULL, row TEXT NOT NULL,
  UNIQUE (object_type, object_id, id)
);
CREATE INDEX spans_by_root ON spans (object_type, object_id, root_span_id, _pagination_key);
CREATE INDEX spans_by_name ON spans (object_type, object_id, span_name, _pagination_key);
CREATE INDEX spans_by_span_id ON spans (object_type, object_id, span_id);
CREATE INDEX spans_by_page ON spans (object_type, object_id, _pagination_key);
CREATE INDEX spans_by_created ON spans (object_type, object_id, created);
CREATE INDEX spans_by_name_created ON spans (object_type, object_id, span_name, created);
INSERT INTO meta VALUES ('schema_version', '1'), ('xact_seq', '3'), ('row_seq', '6');
`;

function schema1Row(objectType: string, objectId: string, n: number, root: string): unknown[] {
  const row = { id: `r${n}`, span_id: `s${n}`, root_span_id: root, project_id: objectId, log_id: 'g', span_attributes: { name: `step${n}`, type: 'task' }, created: `2026-01-01T00:00:0${n}Z` };
  return [objectType, objectId, row.id, row.span_id, root, null, 1, row.span_attributes.name, 'task', row.created, '1000000000000001', `p${String(n).padStart(20, '0')}`, JSON.stringify(row)];
}

describe('trace store schema migration', () => {
  it('upgrades a schema-1 file: rows, their order and lookups survive, and new spans can be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracestore-migrate-'));
    const dbPath = join(dir, 'traces.db');
    const old = new Database(dbPath);
    old.exec(SCHEMA_1_SPANS);
    const insert = old.prepare('INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    // Two projects' rows, interleaved, as a live store writes them.
    for (let n = 1; n <= 6; n++) insert.run(...schema1Row('project_logs', n % 2 ? 'proj-a' : 'proj-b', n, n % 2 ? 'trace-a' : 'trace-b'));
    old.close();

    const store = await startTestStore({ dir, dbPath });
    try {
      const a = await btqlRows(store.url, "SELECT id FROM project_logs('proj-a') WHERE root_span_id = 'trace-a'");
      assert.deepEqual(a.map((r) => r.id), ['r5', 'r3', 'r1'], "proj-a's trace, newest first");
      const b = await btqlRows(store.url, "SELECT id FROM project_logs('proj-b')");
      assert.deepEqual(b.map((r) => r.id), ['r6', 'r4', 'r2']);
      assert.deepEqual(await btqlRows(store.url, "SELECT id FROM project_logs('proj-a') WHERE root_span_id = 'trace-b'"), [], 'objects stay apart');

      const written = await postRows(store.url, [{ id: 'r7', span_id: 's7', root_span_id: 'trace-a', project_id: 'proj-a', log_id: 'g', span_attributes: { name: 'step7', type: 'task' } }]);
      assert.equal(written.status, 200);
      const after = await btqlRows(store.url, "SELECT id FROM project_logs('proj-a') WHERE root_span_id = 'trace-a'");
      assert.deepEqual(after.map((r) => r.id), ['r7', 'r5', 'r3', 'r1'], 'new rows page after the migrated ones');
    } finally {
      await store.close();
    }

    const migrated = new Database(dbPath, { readonly: true });
    try {
      const columns = (migrated.pragma('table_info(spans)') as Array<{ name: string }>).map((c) => c.name);
      assert.ok(columns.includes('object_key') && !columns.includes('object_type'), columns.join(', '));
      assert.equal(migrated.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get()?.value, String(SCHEMA_VERSION));
      const ids = migrated.prepare<[], { id: string }>('SELECT id FROM spans ORDER BY rowid').all().map((r) => r.id);
      assert.deepEqual(ids, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'], 'rows keep their original order');
      const indexes = migrated.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans' AND sql IS NOT NULL").all();
      assert.deepEqual(indexes.length, 5);
      for (const index of indexes) assert.match(index.sql, /ON spans \(object_key, /);
      assert.ok(!indexes.some((index) => index.sql.includes('spans_by_span_id')));
    } finally {
      migrated.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a schema-2 file: the span_id index goes, the trace index carries span ids, OTLP spans still merge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracestore-migrate-'));
    const dbPath = join(dir, 'traces.db');
    const created = await startTestStore({ dir, dbPath });
    const projectId = await registerProject(created.url, 'schema2');
    const trace = '0af7651916cd43dd8448eb211c80319c';
    const sdkRow = { project_id: projectId, log_id: 'g', id: 'sdk-row', span_id: 'abcdefabcdefabcd', root_span_id: trace, input: 'from the SDK', span_attributes: { name: 'sdk_span', type: 'task' } };
    assert.equal((await postRows(created.url, [sdkRow])).status, 200);
    await created.close();
    // Put the file back to schema 2's indexes.
    const old = new Database(dbPath);
    old.exec(`DROP INDEX spans_by_root;
      CREATE INDEX spans_by_root ON spans (object_key, root_span_id, _pagination_key);
      CREATE INDEX spans_by_span_id ON spans (object_key, span_id);
      UPDATE meta SET value = '2' WHERE key = 'schema_version';`);
    old.close();

    const store = await startTestStore({ dir, dbPath });
    try {
      const otlp = await requestJson(`${store.url}/otel/v1/traces`, {
        method: 'POST',
        headers: { 'x-bt-parent': `project_id:${projectId}` },
        body: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: trace, spanId: 'abcdefabcdefabcd', name: 'sdk_span', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', attributes: [{ key: 'extra', value: { stringValue: 'from otel' } }] }] }] }] },
      });
      assert.equal(otlp.status, 200, JSON.stringify(otlp.body));
      const rows = await btqlRows(store.url, `SELECT * FROM project_logs('${projectId}') WHERE root_span_id = '${trace}'`);
      assert.equal(rows.length, 1, 'the OTel span merged into the SDK row of the same trace and span id');
      assert.equal(rows[0]!.input, 'from the SDK');
      assert.equal((rows[0]!.metadata as Record<string, unknown>).extra, 'from otel');
    } finally {
      await store.close();
    }
    const migrated = new Database(dbPath, { readonly: true });
    try {
      const indexSql = (name: string): string | undefined =>
        migrated.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name)?.sql;
      assert.equal(indexSql('spans_by_span_id'), undefined);
      assert.match(indexSql('spans_by_root') ?? '', /\(object_key, root_span_id, _pagination_key, span_id\)/);
      assert.equal(migrated.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get()?.value, String(SCHEMA_VERSION));
    } finally {
      migrated.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
