// Every BTQL operator, run through /btql in the SQL form, the pipe form and (where the SDK has an
// op for it) the JSON AST, each checked against the rows it must match; then injection attempts.
import assert from 'node:assert/strict';
import type { JsonObject, JsonValue } from '../../lib/json.js';
import { compileBtql } from '../../services/tracestore/btql/compiler.js';
import { parseBtqlText } from '../../services/tracestore/btql/parser.js';
import { btql, btqlRows, postRows, registerProject, startTestStore, type TestStore } from './store-harness.js';

const ROWS: JsonObject[] = [
  { id: 'o1', input: 'Hello World', tags: ['x', 'y'], metadata: { name: 'Alpha', n: 1, kind: 'a', note: "it's", flag: true }, metrics: { start: 10, end: 12 } },
  { id: 'o2', input: 'hello there', tags: ['y'], metadata: { name: 'beta', n: 2, kind: 'b', flag: false }, metrics: { start: 10, end: 15 } },
  { id: 'o3', input: '100% sure_thing', tags: [], metadata: { name: 'Gamma', n: 3, kind: null }, metrics: { start: 20, end: 21 } },
  { id: 'o4', input: null, metadata: { name: 'delta', n: 4 }, output: { items: [1, 2, 3], meta: { k: 'v' } } },
];

/** [BTQL filter, the ids it must match]. */
const CASES: Array<[string, string[]]> = [
  ['metadata.n = 2', ['o2']],
  ['metadata.n == 2', ['o2']],
  ['metadata.n != 2', ['o1', 'o3', 'o4']],
  ['metadata.n <> 2', ['o1', 'o3', 'o4']],
  ['metadata.n < 2', ['o1']],
  ['metadata.n <= 2', ['o1', 'o2']],
  ['metadata.n > 3', ['o4']],
  ['metadata.n >= 3', ['o3', 'o4']],
  ["metadata.name = 'beta' AND metadata.n = 2", ['o2']],
  ["metadata.name = 'beta' OR metadata.n = 4", ['o2', 'o4']],
  ['NOT metadata.n = 1', ['o2', 'o3', 'o4']],
  ['NOT (metadata.n = 1 OR metadata.n = 2) AND metadata.n < 4', ['o3']],
  ["metadata.name LIKE 'a%'", []],
  ["metadata.name LIKE 'A%'", ['o1']],
  ["metadata.name NOT LIKE '%a'", []],
  ["metadata.name LIKE '_eta'", ['o2']],
  ["input LIKE '100\\% %'", ['o3']],
  ["input LIKE '%sure_thing'", ['o3']],
  ["metadata.name ILIKE 'a%'", ['o1']],
  ["metadata.name ILIKE '%A'", ['o1', 'o2', 'o3', 'o4']],
  ["input ILIKE '%HELLO%'", ['o1', 'o2']],
  ["input NOT ILIKE '%hello%'", ['o3']],
  ["metadata.kind IN ('a', 'b')", ['o1', 'o2']],
  ["metadata.kind IN ['a']", ['o1']],
  ["metadata.kind NOT IN ('a')", ['o2']],
  ['metadata.n IN ()', []],
  ["tags INCLUDES 'y'", ['o1', 'o2']],
  ["tags CONTAINS 'x'", ['o1']],
  ["tags NOT INCLUDES 'x'", ['o2', 'o3', 'o4']],
  ["tags INCLUDES ['x', 'y']", ['o1']],
  ['output.items includes 2', ['o4']],
  ["output.meta includes 'v'", ['o4']],
  ["input includes 'World'", ['o1']],
  ['metadata.kind IS NULL', ['o3', 'o4']],
  ['metadata.kind IS NOT NULL', ['o1', 'o2']],
  ['input IS NULL', ['o4']],
  ['tags IS NOT NULL', ['o1', 'o2', 'o3']],
  ['metadata.flag = true', ['o1']],
  ['metadata.flag = false', ['o2']],
  ['metrics.end - metrics.start > 2', ['o2']],
  ['metrics.start + 1 = 11', ['o1', 'o2']],
  ['metadata.n * 2 = 6', ['o3']],
  ['metadata.n / 2 = 1.5', ['o3']],
  ['metadata.n % 2 = 0', ['o2', 'o4']],
  ['-metadata.n = -4', ['o4']],
  ['metadata.n > -1 AND (metadata.n < 2 OR metadata.n > 3)', ['o1', 'o4']],
  ["metadata.note = 'it''s'", ['o1']],
  ['metadata.note = "it\'s"', ['o1']],
  ["metadata.`name` = 'Gamma'", ['o3']],
  ["output['meta'].k = 'v'", ['o4']],
  ['output.items[0] = 1', ['o4']],
];

const ident = (...name: Array<string | number>): JsonObject => ({ op: 'ident', name });
const literal = (value: JsonValue): JsonObject => ({ op: 'literal', value });
const binary = (op: string, left: JsonObject, right: JsonObject): JsonObject => ({ op, left, right });

/** The JSON AST ops the SDK (and other clients) send, with the ids each must match. */
const JSON_CASES: Array<[JsonObject, string[]]> = [
  [binary('eq', ident('metadata', 'n'), literal(2)), ['o2']],
  [binary('ne', ident('metadata', 'n'), literal(2)), ['o1', 'o3', 'o4']],
  [binary('lt', ident('metadata', 'n'), literal(2)), ['o1']],
  [binary('le', ident('metadata', 'n'), literal(2)), ['o1', 'o2']],
  [binary('gt', ident('metadata', 'n'), literal(3)), ['o4']],
  [binary('ge', ident('metadata', 'n'), literal(3)), ['o3', 'o4']],
  [{ op: 'and', children: [binary('ge', ident('metadata', 'n'), literal(2)), binary('le', ident('metadata', 'n'), literal(3))] }, ['o2', 'o3']],
  [{ op: 'or', children: [binary('eq', ident('metadata', 'n'), literal(1)), binary('eq', ident('metadata', 'n'), literal(4))] }, ['o1', 'o4']],
  [{ op: 'not', expr: binary('eq', ident('metadata', 'n'), literal(1)) }, ['o2', 'o3', 'o4']],
  [{ op: 'isnull', expr: ident('metadata', 'kind') }, ['o3', 'o4']],
  [{ op: 'isnotnull', expr: ident('metadata', 'kind') }, ['o1', 'o2']],
  [binary('in', ident('metadata', 'kind'), literal(['a', 'b'])), ['o1', 'o2']],
  [binary('like', ident('metadata', 'name'), literal('%a')), ['o1', 'o2', 'o3', 'o4']],
  [binary('ilike', ident('input'), literal('hello%')), ['o1', 'o2']],
  [binary('includes', ident('tags'), literal('x')), ['o1']],
  [binary('eq', binary('sub', ident('metrics', 'end'), ident('metrics', 'start')), literal(5)), ['o2']],
  [binary('eq', binary('add', ident('metadata', 'n'), literal(1)), literal(2)), ['o1']],
  [binary('eq', binary('mul', ident('metadata', 'n'), literal(3)), literal(12)), ['o4']],
  [binary('eq', binary('div', ident('metadata', 'n'), literal(4)), literal(0.25)), ['o1']],
  [binary('eq', binary('mod', ident('metadata', 'n'), literal(3)), literal(0)), ['o3']],
  [binary('eq', { op: 'neg', expr: ident('metadata', 'n') }, literal(-3)), ['o3']],
];

describe('trace store /btql operators (SQL, pipe and JSON forms)', () => {
  let store: TestStore;
  let projectId: string;
  const from = (): string => `project_logs('${projectId}')`;
  const ids = (rows: JsonObject[]): string[] => rows.map((row) => String(row.id)).sort();

  before(async () => {
    store = await startTestStore();
    projectId = await registerProject(store.url, 'btql-operators');
    await postRows(store.url, ROWS.map((row) => ({ project_id: projectId, log_id: 'g', ...row })));
  });
  after(async () => {
    await store.dispose();
  });

  for (const [filter, expected] of CASES) {
    it(`${filter}  →  ${expected.join(', ') || 'nothing'}`, async () => {
      const sql = await btqlRows(store.url, `SELECT id FROM ${from()} WHERE ${filter}`);
      const pipe = await btqlRows(store.url, `select: id | from: ${from()} | filter: ${filter}`);
      assert.deepEqual(ids(sql), expected, 'SQL form');
      assert.deepEqual(ids(pipe), expected, 'pipe form');
    });
  }

  it('JSON AST: every op the SDK sends', async () => {
    for (const [filter, expected] of JSON_CASES) {
      const rows = await btqlRows(store.url, { select: [{ alias: 'id', expr: ident('id') }], from: { op: 'function', name: ident('project_logs'), args: [literal(projectId)] }, filter });
      assert.deepEqual(ids(rows), expected, JSON.stringify(filter));
    }
  });

  it('ORDER BY every direction and by a select alias; LIMIT', async () => {
    const order = async (query: string): Promise<string[]> => (await btqlRows(store.url, query)).map((row) => String(row.id));
    assert.deepEqual(await order(`SELECT id, metadata.n AS n FROM ${from()} ORDER BY n DESC LIMIT 3`), ['o4', 'o3', 'o2']);
    assert.deepEqual(await order(`select: id, metadata.name as name | from: ${from()} | sort: name asc`), ['o1', 'o3', 'o2', 'o4'], 'binary order: capitals first');
    assert.deepEqual(await order(`SELECT id FROM ${from()} ORDER BY metrics.end - metrics.start DESC, id LIMIT 2`), ['o2', 'o1']);
  });

  describe('injection attempts match nothing or are rejected', () => {
    const hostileValues = ["x' OR '1'='1", "'; DROP TABLE spans; --", 'a" OR "1"="1', "\\' OR 1=1 --", '%', "' UNION SELECT row FROM spans --"];
    for (const value of hostileValues) {
      it(`value ${JSON.stringify(value)}`, async () => {
        const quoted = `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
        assert.deepEqual(await btqlRows(store.url, `SELECT * FROM ${from()} WHERE metadata.name = ${quoted}`), []);
        assert.deepEqual(await btqlRows(store.url, `select: id | from: ${from()} | filter: input = ${quoted} or metadata.kind IN (${quoted})`), []);
        const compiled = compileBtql(parseBtqlText(`SELECT * FROM ${from()} WHERE metadata.name = ${quoted}`));
        assert.ok(compiled.params.includes(value), 'the value is a bound parameter, exactly as written');
        assert.ok(!compiled.sql.includes(value), compiled.sql);
      });
    }

    it('identifiers holding SQL are JSON paths bound as values', async () => {
      for (const field of ["name') OR 1=1 --", 'x`; DROP TABLE spans', "a' || (SELECT row FROM spans) || '"]) {
        const quotedField = `\`${field.replace(/`/g, '``')}\``;
        const rows = await btqlRows(store.url, `SELECT id, metadata.${quotedField} AS v FROM ${from()} WHERE metadata.${quotedField} IS NOT NULL`);
        assert.deepEqual(rows, []);
      }
      const answer = await btql(store.url, `SELECT * FROM ${from()} WHERE metadata.\`a"b\` = 1`);
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.error), /double quote/);
    });

    it('an oversized LIKE pattern is a bad query (400), not a server failure', async () => {
      const answer = await btql(store.url, `SELECT id FROM ${from()} WHERE input ILIKE '${'%a'.repeat(10_000)}'`);
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.error), /pattern may be at most 12500 characters \(at line 1, column \d+\)/);
    });

    it('comments and stacked statements are not BTQL', async () => {
      const rejected = [
        `SELECT * FROM ${from()}; DROP TABLE spans`,
        `SELECT * FROM ${from()} /* x */`,
        `SELECT * FROM ${from()} WHERE id = 'o1' UNION SELECT * FROM spans`,
        `SELECT * FROM project_logs('${projectId}') WHERE id = 'o1' -- ok\n OR 1 = 1; DELETE FROM spans`,
      ];
      for (const query of rejected) {
        const answer = await btql(store.url, query);
        assert.equal(answer.status, 400, `${query} → ${JSON.stringify(answer.body)}`);
        assert.match(String(answer.body.error), /\(at line \d+, column \d+\)/);
      }
      // A trailing -- comment is just a comment: the query still means what it says.
      assert.deepEqual(ids(await btqlRows(store.url, `SELECT id FROM ${from()} WHERE id = 'o1' -- OR 1 = 1`)), ['o1']);
      assert.equal((await btqlRows(store.url, `SELECT id FROM ${from()}`)).length, 4, 'nothing was dropped or deleted');
    });
  });
});
