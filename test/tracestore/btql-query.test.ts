// /btql against a running store: the three query forms, operators, field selection, cursor
// paging, versions, errors that say where, injection safety and index use.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../lib/json.js';
import { compileBtql } from '../../services/tracestore/btql/compiler.js';
import { parseBtqlText } from '../../services/tracestore/btql/parser.js';
import { btql, btqlRows, postRows, registerProject, requestJson, startTestStore, type TestStore } from './store-harness.js';

describe('trace store /btql', () => {
  let store: TestStore;
  let projectId: string;
  const from = (): string => `project_logs('${projectId}')`;
  const ids = (rows: JsonObject[]): string[] => rows.map((row) => String(row.id)).sort();

  before(async () => {
    store = await startTestStore();
    projectId = await registerProject(store.url, 'btql-tests');
    const log = (row: JsonObject): JsonObject => ({ project_id: projectId, log_id: 'g', ...row });
    await postRows(store.url, [
      log({
        id: 'a-root', span_id: 'a0', root_span_id: 'ra', span_attributes: { name: 'turn', type: 'task' }, created: '2024-01-01T00:00:01.000Z',
        metadata: { model: 'claude', user: "o'brien" }, tags: ['prod', 'eu'], metrics: { start: 1, end: 3, tokens: 10 }, input: 'Hello World',
      }),
      log({
        id: 'a-llm', span_id: 'a1', root_span_id: 'ra', span_parents: ['a0'], span_attributes: { name: 'llm_call', type: 'llm' },
        created: '2024-01-01T00:00:02.000Z', metrics: { start: 1, end: 2, tokens: 7 }, input: 'hello there',
      }),
      log({
        id: 'a-tool', span_id: 'a2', root_span_id: 'ra', span_parents: ['a0'], span_attributes: { name: 'lookup', type: 'tool' },
        created: '2024-01-01T00:00:03.000Z', metadata: { model: null }, output: { hits: ['x', 'y'] },
      }),
      log({
        id: 'b-root', span_id: 'b0', root_span_id: 'rb', span_attributes: { name: 'turn', type: 'task' }, created: '2024-01-01T00:00:04.000Z',
        tags: ['dev'], metrics: { start: 5, end: 10, tokens: 3 }, metadata: { model: 'local' },
      }),
      log({
        id: 'b-score', span_id: 'b1', root_span_id: 'rb', span_parents: ['b0'], span_attributes: { name: 'exact', type: 'score', purpose: 'scorer' },
        created: '2024-01-01T00:00:05.000Z', scores: { exact: 1 },
      }),
    ]);
  });
  after(async () => {
    await store.dispose();
  });

  it('SQL form: rows of one trace, as stored, with _xact_id, is_root and created', async () => {
    const rows = await btqlRows(store.url, `SELECT * FROM ${from()} WHERE root_span_id = 'ra'`);
    assert.deepEqual(ids(rows), ['a-llm', 'a-root', 'a-tool']);
    const root = rows.find((row) => row.id === 'a-root')!;
    assert.equal(root.is_root, true);
    assert.equal(root.created, '2024-01-01T00:00:01.000Z');
    assert.match(String(root._xact_id), /^[0-9]{16}$/);
    assert.deepEqual(root.metadata, { model: 'claude', user: "o'brien" });
    assert.equal(rows.find((row) => row.id === 'a-llm')!.is_root, false);
  });

  it('SQL form: name filters, AND/OR, ORDER BY created DESC, LIMIT', async () => {
    const turns = await btqlRows(store.url, `SELECT * FROM ${from()} WHERE span_attributes.name = 'turn' ORDER BY created DESC`);
    assert.deepEqual(turns.map((row) => row.id), ['b-root', 'a-root']);
    const either = await btqlRows(store.url, `SELECT * FROM ${from()} WHERE span_attributes.name = 'lookup' OR (root_span_id = 'rb' AND is_root = false) ORDER BY created`);
    assert.deepEqual(either.map((row) => row.id), ['a-tool', 'b-score']);
    const limited = await btqlRows(store.url, `SELECT * FROM ${from()} ORDER BY created DESC LIMIT 2`);
    assert.deepEqual(limited.map((row) => row.id), ['b-score', 'b-root']);
  });

  it('selects fields under their last path segment or an alias', async () => {
    const rows = await btqlRows(store.url, `SELECT id, span_attributes.name, metadata.model AS model, is_root, output FROM ${from()} WHERE root_span_id = 'ra' ORDER BY created`);
    assert.deepEqual(rows, [
      { id: 'a-root', name: 'turn', model: 'claude', is_root: true, output: null },
      { id: 'a-llm', name: 'llm_call', model: null, is_root: false, output: null },
      { id: 'a-tool', name: 'lookup', model: null, is_root: false, output: { hits: ['x', 'y'] } },
    ]);
  });

  it('pipe form answers like the SQL form', async () => {
    const pipe = await btqlRows(store.url, `select: * | from: ${from()} | filter: span_attributes.name = 'turn' and metrics.tokens > 5 | sort: created desc | limit: 10`);
    assert.deepEqual(ids(pipe), ['a-root']);
    const multiline = await btqlRows(store.url, `select: id\nfrom: ${from()}\nfilter: root_span_id = "rb"\nsort: id`);
    assert.deepEqual(multiline, [{ id: 'b-root' }, { id: 'b-score' }]);
  });

  it('JSON AST form, as the SDK sends it', async () => {
    const rows = await btqlRows(store.url, {
      select: [{ op: 'star' }],
      from: { op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [{ op: 'literal', value: projectId }] },
      filter: {
        op: 'and',
        children: [
          { op: 'or', children: [{ op: 'eq', left: { op: 'ident', name: ['root_span_id'] }, right: { op: 'literal', value: 'ra' } }, { op: 'eq', left: { op: 'ident', name: ['root_span_id'] }, right: { op: 'literal', value: 'rb' } }] },
          {
            op: 'or',
            children: [
              { op: 'isnull', expr: { op: 'ident', name: ['span_attributes', 'purpose'] } },
              { op: 'ne', left: { op: 'ident', name: ['span_attributes', 'purpose'] }, right: { op: 'literal', value: 'scorer' } },
            ],
          },
          { op: 'in', left: { op: 'ident', name: ['span_attributes', 'type'] }, right: { op: 'literal', value: ['task', 'llm'] } },
        ],
      },
      limit: 1000,
    }, { use_columnstore: false, brainstore_realtime: true, query_source: 'test' });
    assert.deepEqual(ids(rows), ['a-llm', 'a-root', 'b-root']);
  });

  it('supports LIKE (case-sensitive), ILIKE, INCLUDES, IN, IS NULL and arithmetic', async () => {
    const query = async (filter: string): Promise<string[]> => ids(await btqlRows(store.url, `SELECT * FROM ${from()} WHERE ${filter}`));
    assert.deepEqual(await query("input LIKE 'Hello%'"), ['a-root']);
    assert.deepEqual(await query("input ILIKE 'hello%'"), ['a-llm', 'a-root']);
    assert.deepEqual(await query("input NOT LIKE '%World'"), ['a-llm']);
    assert.deepEqual(await query("tags INCLUDES 'eu'"), ['a-root']);
    assert.deepEqual(await query("tags NOT INCLUDES 'eu' AND tags IS NOT NULL"), ['b-root']);
    assert.deepEqual(await query("output.hits includes 'y'"), ['a-tool']);
    assert.deepEqual(await query("span_attributes.type IN ('tool', 'score')"), ['a-tool', 'b-score']);
    assert.deepEqual(await query('metadata.model IS NULL AND root_span_id = \'ra\''), ['a-llm', 'a-tool']);
    assert.deepEqual(await query('metrics.end - metrics.start >= 2'), ['a-root', 'b-root']);
    assert.deepEqual(await query('scores.exact = 1'), ['b-score']);
    assert.deepEqual(await query("metadata.user = 'o''brien'"), ['a-root']);
  });

  it('treats quotes in values as data: no SQL injection', async () => {
    const hostile = "x' OR 1=1 --";
    assert.deepEqual(await btqlRows(store.url, `SELECT * FROM ${from()} WHERE id = 'x'' OR 1=1 --'`), []);
    const viaJson = await btqlRows(store.url, {
      from: { op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [{ op: 'literal', value: projectId }] },
      filter: { op: 'eq', left: { op: 'ident', name: ['span_attributes', 'name'] }, right: { op: 'literal', value: hostile } },
    });
    assert.deepEqual(viaJson, []);
    const hostileField = await btqlRows(store.url, {
      from: { op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [{ op: 'literal', value: projectId }] },
      filter: { op: 'eq', left: { op: 'ident', name: ['metadata', "a') OR 1=1 --"] }, right: { op: 'literal', value: 1 } },
    });
    assert.deepEqual(hostileField, []);
    const hostileSource = await btqlRows(store.url, `SELECT * FROM project_logs('${projectId}'' OR 1=1 --')`);
    assert.deepEqual(hostileSource, []);
  });

  it('pages with an opaque cursor; rows written meanwhile do not shift the pages', async () => {
    const pageProject = await registerProject(store.url, 'btql-paging');
    const rows = Array.from({ length: 12 }, (_, i) => ({ project_id: pageProject, log_id: 'g', id: `p${String(i).padStart(2, '0')}`, created: `2024-02-01T00:00:${String(i).padStart(2, '0')}.000Z` }));
    await postRows(store.url, rows);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await btql(store.url, `select: id | from: project_logs('${pageProject}') | limit: 5${cursor ? ` | cursor: '${cursor}'` : ''}`);
      assert.equal(answer.status, 200);
      seen.push(...answer.body.data.map((row) => String(row.id)));
      cursor = answer.body.cursor;
      if (pages === 0) await postRows(store.url, [{ project_id: pageProject, log_id: 'g', id: 'late' }]);
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, rows.map((row) => row.id).reverse(), 'newest first, each row once, the late row not mixed in');

    // A custom sort pages too (by offset), through the JSON AST's cursor field.
    const sorted: string[] = [];
    cursor = undefined;
    do {
      const answer = await btql(store.url, {
        select: [{ op: 'star' }],
        from: { op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [{ op: 'literal', value: pageProject }] },
        filter: { op: 'ne', left: { op: 'ident', name: ['id'] }, right: { op: 'literal', value: 'late' } },
        sort: [{ expr: { op: 'ident', name: ['created'] }, dir: 'asc' }],
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      sorted.push(...answer.body.data.map((row) => String(row.id)));
      cursor = answer.body.cursor;
    } while (cursor);
    assert.deepEqual(sorted, rows.map((row) => row.id));
  });

  it('honours version: only rows written at or before that transaction', async () => {
    const versionProject = await registerProject(store.url, 'btql-version');
    await postRows(store.url, [{ project_id: versionProject, log_id: 'g', id: 'v1' }]);
    const [first] = await btqlRows(store.url, `SELECT * FROM project_logs('${versionProject}')`);
    await postRows(store.url, [{ project_id: versionProject, log_id: 'g', id: 'v2' }]);
    const pinned = await btqlRows(store.url, `SELECT * FROM project_logs('${versionProject}')`, { version: String(first!._xact_id) });
    assert.deepEqual(ids(pinned), ['v1']);
    assert.deepEqual(ids(await btqlRows(store.url, `SELECT * FROM project_logs('${versionProject}')`)), ['v1', 'v2']);
    assert.deepEqual(await btqlRows(store.url, `SELECT * FROM project_logs('${versionProject}')`, { version: '0' }), []);
  });

  it('answers 400 with where the query is wrong', async () => {
    const expectError = async (query: string | JsonObject, pattern: RegExp, extra: JsonObject = {}): Promise<void> => {
      const answer = await btql(store.url, query, extra);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.match(String(answer.body.error), pattern);
    };
    await expectError(`SELECT * FROM ${from()} WHERE (span_attributes.name = 'x'`, /invalid query: expected "\)" but found the end of the query \(at line 1, column \d+\)/);
    await expectError(`SELECT * FROM ${from()}\nWHERE a = 'x' ORDER created`, /expected BY but found "created" \(at line 2, column 21\)/);
    await expectError(`select: * | from: ${from()} | filter: a ~ 1`, /unexpected character "~" \(at line 1, column \d+\)/);
    await expectError({ from: { op: 'function', name: { op: 'ident', name: ['spans'] }, args: [] } }, /unknown source.*query\.from\.name/);
    await expectError(`SELECT * FROM ${from()}`, /cursor is not one this store issued/, { cursor: 'garbage' });
    await expectError(`SELECT * FROM ${from()}`, /only json/, { fmt: 'parquet' });
    await expectError(`SELECT * FROM ${from()}`, /version must be/, { version: 'abc' });
    await expectError('', /query is empty/);
    const noBody = await requestJson(`${store.url}/btql`, { rawBody: '{"query": ' });
    assert.equal(noBody.status, 400);
    assert.match(String((noBody.body as JsonObject).error), /malformed JSON/);
  });

  it('uses the indexes for trace and span-name lookups', () => {
    const db = new Database(store.dbPath, { readonly: true });
    try {
      const plan = (text: string): string => {
        const compiled = compileBtql(parseBtqlText(text));
        return db.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.params).map((row) => (row as { detail: string }).detail).join('; ');
      };
      assert.match(plan(`SELECT * FROM ${from()} WHERE root_span_id = 'ra'`), /spans_by_root/);
      assert.match(plan(`SELECT * FROM ${from()} WHERE span_attributes.name = 'turn'`), /spans_by_name/);
    } finally {
      db.close();
    }
  });
});
