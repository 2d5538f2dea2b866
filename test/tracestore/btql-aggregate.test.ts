// GROUP BY in /btql: SQL GROUP BY/HAVING, the pipe form's dimensions/measures and the JSON AST give
// the same groups, checked against values computed by hand from seven spans.
import assert from 'node:assert/strict';
import type { JsonObject } from '../../lib/json.js';
import { btql, btqlRows, postRows, registerProject, startTestStore, type TestStore } from './store-harness.js';

// The seeded spans, for reference:  name    type  duration  error  scores.q  metadata.model
//   t1 lookup tool  1     -      0.2   m1         t5 calc  tool 0.5  -     0.4  m1
//   t2 lookup tool  2     boom   0.9   m1         t6 calc  tool 1.5  bad   -    null
//   t3 lookup tool  3     -      -     m2         t7 turn  task 20   -     -    (none)
//   t4 lookup tool  10    -      -     m2
const SPANS: Array<{ id: string; name: string; type: string; duration: number; error?: string; q?: number; model?: string | null; tags?: string[] }> = [
  { id: 't1', name: 'lookup', type: 'tool', duration: 1, q: 0.2, model: 'm1', tags: ['a'] },
  { id: 't2', name: 'lookup', type: 'tool', duration: 2, error: 'boom', q: 0.9, model: 'm1' },
  { id: 't3', name: 'lookup', type: 'tool', duration: 3, model: 'm2' },
  { id: 't4', name: 'lookup', type: 'tool', duration: 10, model: 'm2' },
  { id: 't5', name: 'calc', type: 'tool', duration: 0.5, q: 0.4, model: 'm1' },
  { id: 't6', name: 'calc', type: 'tool', duration: 1.5, error: 'bad', model: null },
  { id: 't7', name: 'turn', type: 'task', duration: 20 },
];

/** Hand-computed per name: count, errors, mean, sum, min, max, p50 and p95 (linear interpolation) of the durations. */
const BY_NAME = {
  // durations 1 2 3 10: p95 rank 0.95·3 = 2.85 → 3 + 0.85·7 = 8.95; p50 rank 1.5 → 2.5
  lookup: { calls: 4, errors: 1, mean: 4, total: 16, fastest: 1, slowest: 10, p50: 2.5, p95: 8.95 },
  // durations 0.5 1.5: p95 rank 0.95 → 0.5 + 0.95·1 = 1.45
  calc: { calls: 2, errors: 1, mean: 1, total: 2, fastest: 0.5, slowest: 1.5, p50: 1, p95: 1.45 },
  turn: { calls: 1, errors: 0, mean: 20, total: 20, fastest: 20, slowest: 20, p50: 20, p95: 20 },
};

function close(actual: unknown, expected: number, label: string): void {
  assert.equal(typeof actual, 'number', `${label} is a number (${JSON.stringify(actual)})`);
  assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${label}: ${String(actual)} ≈ ${expected}`);
}

describe('trace store /btql GROUP BY and aggregates', () => {
  let store: TestStore;
  let projectId: string;
  const from = (): string => `project_logs('${projectId}')`;
  const fromJson = (): JsonObject => ({ op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [{ op: 'literal', value: projectId }] });

  before(async () => {
    store = await startTestStore();
    projectId = await registerProject(store.url, 'btql-groups');
    await postRows(
      store.url,
      SPANS.map((span, i) => ({
        project_id: projectId,
        log_id: 'g',
        id: span.id,
        span_id: `s${i}`,
        root_span_id: 'r1',
        span_attributes: { name: span.name, type: span.type },
        created: `2024-03-01T00:00:0${i}.000Z`,
        metrics: { start: 100, end: 100 + span.duration },
        ...(span.error ? { error: span.error } : {}),
        ...(span.q === undefined ? {} : { scores: { q: span.q } }),
        ...(span.model === undefined ? {} : { metadata: { model: span.model } }),
        ...(span.tags ? { tags: span.tags } : {}),
      })),
    );
  });
  after(async () => {
    await store.dispose();
  });

  const DURATION = 'metrics.end - metrics.start';

  it('SQL form: count(*), count(x), avg, sum, min, max and percentile per span name', async () => {
    const rows = await btqlRows(
      store.url,
      `SELECT span_attributes.name AS name, count(*) AS calls, count(error) AS errors, avg(${DURATION}) AS mean, sum(${DURATION}) AS total,
              min(${DURATION}) AS fastest, max(${DURATION}) AS slowest, percentile(${DURATION}, 0.5) AS p50, percentile(${DURATION}, 0.95) AS p95
       FROM ${from()} GROUP BY span_attributes.name ORDER BY calls DESC`,
    );
    assert.deepEqual(rows.map((row) => row.name), ['lookup', 'calc', 'turn'], 'ordered by an aggregate alias');
    for (const row of rows) {
      const expected = BY_NAME[row.name as keyof typeof BY_NAME];
      for (const [key, value] of Object.entries(expected)) close(row[key], value, `${String(row.name)}.${key}`);
    }
  });

  it('pipe form (dimensions/measures) and the JSON AST answer exactly like the SQL form', async () => {
    const sql = await btqlRows(
      store.url,
      `SELECT span_attributes.name AS tool, count(1) AS calls, count(error) AS errors, percentile(${DURATION}, 0.95) AS p95
       FROM ${from()} WHERE span_attributes.type = 'tool' GROUP BY tool ORDER BY calls DESC`,
    );
    const pipe = await btqlRows(
      store.url,
      `from: ${from()} | filter: span_attributes.type = 'tool' | dimensions: span_attributes.name as tool
       | measures: count(1) as calls, count(error) as errors, percentile(${DURATION}, 0.95) as p95 | sort: calls desc`,
    );
    const duration: JsonObject = { op: 'sub', left: { op: 'ident', name: ['metrics', 'end'] }, right: { op: 'ident', name: ['metrics', 'start'] } };
    const fn = (name: string, ...args: JsonObject[]): JsonObject => ({ op: 'function', name: { op: 'ident', name: [name] }, args });
    const json = await btqlRows(store.url, {
      from: fromJson(),
      filter: { op: 'eq', left: { op: 'ident', name: ['span_attributes', 'type'] }, right: { op: 'literal', value: 'tool' } },
      dimensions: [{ alias: 'tool', expr: { op: 'ident', name: ['span_attributes', 'name'] } }],
      measures: [
        { alias: 'calls', expr: fn('count', { op: 'star' }) },
        { alias: 'errors', expr: fn('count', { op: 'ident', name: ['error'] }) },
        { alias: 'p95', expr: fn('percentile', duration, { op: 'literal', value: 0.95 }) },
      ],
      sort: [{ expr: { op: 'ident', name: ['calls'] }, dir: 'desc' }],
    });
    assert.deepEqual(sql, [
      { tool: 'lookup', calls: 4, errors: 1, p95: sql[0]!.p95 },
      { tool: 'calc', calls: 2, errors: 1, p95: sql[1]!.p95 },
    ]);
    close(sql[0]!.p95, 8.95, 'lookup p95');
    close(sql[1]!.p95, 1.45, 'calc p95');
    assert.deepEqual(pipe, sql);
    assert.deepEqual(json, sql);
  });

  it('HAVING keeps groups by an aggregate, by an alias or by a repeated aggregate expression', async () => {
    const names = async (query: string): Promise<unknown[]> => (await btqlRows(store.url, query)).map((row) => row.name);
    assert.deepEqual(await names(`SELECT span_attributes.name AS name, count(*) AS n FROM ${from()} GROUP BY name HAVING n >= 2`), ['calc', 'lookup']);
    assert.deepEqual(await names(`SELECT span_attributes.name AS name FROM ${from()} GROUP BY 1 HAVING count(error) = 0`), ['turn']);
    assert.deepEqual(await names(`SELECT span_attributes.name AS name, avg(${DURATION}) AS mean FROM ${from()} GROUP BY name HAVING avg(${DURATION}) > 3 AND NOT max(${DURATION}) > 15`), ['lookup']);
  });

  it('groups by several keys (NULL is a group), keeps JSON types, and orders by the keys by default', async () => {
    const rows = await btqlRows(store.url, `SELECT span_attributes.name AS name, metadata.model AS model, count(*) AS n FROM ${from()} GROUP BY name, model`);
    assert.deepEqual(rows, [
      { name: 'calc', model: null, n: 1 },
      { name: 'calc', model: 'm1', n: 1 },
      { name: 'lookup', model: 'm1', n: 2 },
      { name: 'lookup', model: 'm2', n: 2 },
      { name: 'turn', model: null, n: 1 },
    ]);
    const byRoot = await btqlRows(store.url, `dimensions: is_root, tags | measures: count(1) as n | from: ${from()}`);
    assert.deepEqual(byRoot, [{ is_root: true, tags: null, n: 6 }, { is_root: true, tags: ['a'], n: 1 }]);
  });

  it('count(x) skips nulls, count_distinct counts values, arithmetic on aggregates divides as reals', async () => {
    const rows = await btqlRows(
      store.url,
      `SELECT span_attributes.name AS name, count(metadata.model) AS with_model, count_distinct(metadata.model) AS models,
              count(error) / count(*) AS error_rate, avg(scores.q) AS q
       FROM ${from()} GROUP BY name ORDER BY name`,
    );
    assert.deepEqual(rows.map((row) => [row.name, row.with_model, row.models, row.error_rate]), [
      ['calc', 1, 1, 0.5],
      ['lookup', 4, 2, 0.25],
      ['turn', 0, 0, 0],
    ]);
    close(rows[0]!.q, 0.4, 'calc avg(q) over the one scored span');
    close(rows[1]!.q, 0.55, 'lookup avg(q) = (0.2 + 0.9) / 2');
    assert.equal(rows[2]!.q, null, 'avg over no values is null');
  });

  it('sum, avg and percentile skip values that are not numbers; count(x) counts every non-null value', async () => {
    const mixed = await registerProject(store.url, 'btql-groups-mixed');
    const values = [1, 'abc', 3, '5', true, null];
    await postRows(store.url, values.map((v, i) => ({ project_id: mixed, log_id: 'g', id: `m${i}`, metadata: { v } })));
    const [row] = await btqlRows(store.url, `measures: count(metadata.v) as n, sum(metadata.v) as total, avg(metadata.v) as mean, percentile(metadata.v, 0.5) as median | from: project_logs('${mixed}')`);
    // Numbers 1 and 3, and true as 1 (SQLite reads JSON true as 1); 'abc' and '5' are text.
    assert.deepEqual(row, { n: 5, total: 5, mean: 5 / 3, median: 1 });
  });

  it('aggregates without GROUP BY give one row, also over no rows at all', async () => {
    const [all] = await btqlRows(store.url, `SELECT count(*) AS n, avg(${DURATION}) AS mean, min(created) AS first FROM ${from()}`);
    assert.equal(all!.n, 7);
    close(all!.mean, 38 / 7, 'mean of all durations');
    assert.equal(all!.first, '2024-03-01T00:00:00.000Z');
    const [none] = await btqlRows(store.url, `measures: count(1) as n, sum(metrics.end) as total | from: ${from()} | filter: span_attributes.name = 'nothing'`);
    assert.deepEqual(none, { n: 0, total: null });
  });

  it('orders by an unselected aggregate, limits, and pages groups with the cursor', async () => {
    const slowestFirst = await btqlRows(store.url, `SELECT span_attributes.name AS name FROM ${from()} GROUP BY name ORDER BY max(${DURATION}) DESC LIMIT 2`);
    assert.deepEqual(slowestFirst, [{ name: 'turn' }, { name: 'lookup' }]);
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await btql(store.url, `dimensions: span_attributes.name as name | measures: count(1) as n | from: ${from()} | limit: 2`, cursor ? { cursor } : {});
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      seen.push(...answer.body.data.map((row) => row.name));
      cursor = answer.body.cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, ['calc', 'lookup', 'turn']);
    assert.equal(pages, 2);
  });

  it('answers 400 saying where a grouped query is wrong', async () => {
    const expectError = async (query: string | JsonObject, pattern: RegExp): Promise<void> => {
      const answer = await btql(store.url, query);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.match(String(answer.body.error), pattern);
    };
    await expectError(
      `SELECT span_attributes.name, metadata.model, count(*) FROM ${from()} GROUP BY span_attributes.name`,
      /metadata\.model is neither grouped nor aggregated.*\(at line 1, column 30\)/,
    );
    await expectError(`SELECT * FROM ${from()}\nWHERE count(*) > 1`, /count\(\) is an aggregate function and cannot be used in a filter.*\(at line 2, column 7\)/);
    await expectError(`SELECT percentile(metrics.end, 95) AS p FROM ${from()}`, /between 0 and 1.*\(at line 1, column 32\)/);
    await expectError(`SELECT sum(metrics.end, metrics.start) AS s FROM ${from()}`, /sum\(\) takes 1 argument, got 2 \(at line 1, column 8\)/);
    await expectError(`SELECT avg(count(*)) AS a FROM ${from()}`, /count\(\) is an aggregate function and cannot be used in the argument of avg\(\) \(at line 1, column 12\)/);
    await expectError(`SELECT median(metrics.end) AS m FROM ${from()}`, /unknown function "median".*\(at line 1, column 8\)/);
    await expectError(`SELECT span_attributes.name FROM ${from()} GROUP BY 3`, /GROUP BY 3: there is no select item.*column \d+/);
    await expectError(`SELECT * FROM ${from()} GROUP BY span_attributes.name`, /select \* cannot be grouped/);
    await expectError(`select: id\n| dimensions: span_attributes.name | from: ${from()}`, /select: cannot be combined with dimensions.*\(at line 2, column 3\)/);
    await expectError(`dimensions: span_attributes.name | measures: count(1) | sort: created | from: ${from()}`, /created is neither grouped nor aggregated.*\(at line 1, column 63\)/);
    await expectError({ from: fromJson(), select: [{ op: 'star' }], measures: [] }, /select cannot be combined.*query\.select/);
  });

  it('treats hostile values, field names and aliases as data', async () => {
    const hostile = "x' OR 1=1 --";
    const sql = `SELECT min(span_attributes.name) AS \`n"); DROP TABLE spans; --\`, count(*) AS n FROM ${from()}
                 GROUP BY metadata.\`model') OR 1=1 --\` HAVING min(span_attributes.name) = 'x'' OR 1=1 --' /* comment */`;
    const answer = await btql(store.url, sql);
    // "/*" is not BTQL: the query is rejected before anything runs.
    assert.equal(answer.status, 400);
    const rows = await btqlRows(store.url, sql.replace('/* comment */', '-- comment'));
    assert.deepEqual(rows, []);
    const aliased = await btqlRows(store.url, `SELECT count(*) AS \`n"); DROP TABLE spans; --\` FROM ${from()} WHERE span_attributes.name = '${hostile.replace(/'/g, "''")}'`);
    assert.deepEqual(aliased, [{ 'n"); DROP TABLE spans; --': 0 }]);
    assert.equal((await btqlRows(store.url, `measures: count(1) as n | from: ${from()}`))[0]!.n, 7, 'the table is still there');
  });
});
