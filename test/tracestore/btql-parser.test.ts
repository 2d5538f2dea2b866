// BTQL front end without a server: tokenizer positions, precedence, the SQL and pipe forms, the
// JSON AST, errors that say where, and compiled SQL that never contains user values.
import assert from 'node:assert/strict';
import type { JsonObject } from '../../lib/json.js';
import type { BtqlQuery, Expr } from '../../services/tracestore/btql/ast.js';
import { BtqlError } from '../../services/tracestore/btql/btql-error.js';
import { compileBtql, likeToGlob } from '../../services/tracestore/btql/compiler.js';
import { btqlQueryFromJson } from '../../services/tracestore/btql/json-ast.js';
import { parseBtqlExpression, parseBtqlText } from '../../services/tracestore/btql/parser.js';
import { tokenize } from '../../services/tracestore/btql/tokenizer.js';

/** The AST without source positions, for comparing forms. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'at' ? undefined : v))) as unknown;
}

function errorOf(fn: () => unknown): BtqlError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BtqlError, `expected a BtqlError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('BTQL parser', () => {
  it('tokenizes with lines and columns, quotes and escapes', () => {
    const tokens = tokenize("a.b >= 'it''s'\n  and `odd field` != \"x\\\"y\" -- comment");
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.text, t.line, t.column]),
      [
        ['word', 'a', 1, 1], ['punct', '.', 1, 2], ['word', 'b', 1, 3], ['punct', '>=', 1, 5], ['string', "it's", 1, 8],
        ['word', 'and', 2, 3], ['quoted_ident', 'odd field', 2, 7], ['punct', '!=', 2, 19], ['string', 'x"y', 2, 22], ['eof', '', 2, 39],
      ],
    );
  });

  it('binds AND tighter than OR, NOT tighter than AND', () => {
    const expr = parseBtqlExpression('a = 1 or not b = 2 and c = 3');
    assert.deepEqual(shape(expr), {
      kind: 'logical',
      op: 'or',
      children: [
        { kind: 'compare', op: 'eq', left: { kind: 'ident', path: ['a'] }, right: { kind: 'literal', value: 1 } },
        {
          kind: 'logical',
          op: 'and',
          children: [
            { kind: 'not', expr: { kind: 'compare', op: 'eq', left: { kind: 'ident', path: ['b'] }, right: { kind: 'literal', value: 2 } } },
            { kind: 'compare', op: 'eq', left: { kind: 'ident', path: ['c'] }, right: { kind: 'literal', value: 3 } },
          ],
        },
      ],
    });
  });

  it('parses the predicate forms', () => {
    const kinds = (text: string): unknown => shape(parseBtqlExpression(text));
    assert.deepEqual(kinds('x IS NOT NULL'), { kind: 'null_check', negated: true, expr: { kind: 'ident', path: ['x'] } });
    assert.deepEqual(kinds("name NOT ILIKE '%a%'"), {
      kind: 'like', caseInsensitive: true, negated: true, left: { kind: 'ident', path: ['name'] }, pattern: { kind: 'literal', value: '%a%' },
    });
    assert.deepEqual(kinds("t IN ('a', 'b')"), {
      kind: 'in', negated: false, left: { kind: 'ident', path: ['t'] },
      right: { kind: 'list', items: [{ kind: 'literal', value: 'a' }, { kind: 'literal', value: 'b' }] },
    });
    assert.deepEqual(kinds("tags includes 'x'"), {
      kind: 'includes', negated: false, haystack: { kind: 'ident', path: ['tags'] }, needle: { kind: 'literal', value: 'x' },
    });
    assert.deepEqual(kinds('input.messages[0].content = -2.5e1'), {
      kind: 'compare', op: 'eq', left: { kind: 'ident', path: ['input', 'messages', 0, 'content'] }, right: { kind: 'literal', value: -25 },
    });
    assert.deepEqual(kinds('metadata.`service.name` = true'), {
      kind: 'compare', op: 'eq', left: { kind: 'ident', path: ['metadata', 'service.name'] }, right: { kind: 'literal', value: true },
    });
  });

  it('reads the SQL and the pipe form into the same query', () => {
    const sql = parseBtqlText(
      "SELECT span_attributes.name, metrics.tokens AS t FROM project_logs('p1') WHERE root_span_id = 'r' AND (a > 1 OR b < 2) ORDER BY created DESC, id LIMIT 5",
    );
    const pipe = parseBtqlText(
      "select: span_attributes.name, metrics.tokens as t\nfrom: project_logs('p1') spans\nfilter: root_span_id = 'r' and (a > 1 or b < 2)\nsort: created desc, id | limit: 5",
    );
    assert.deepEqual(shape(sql), shape(pipe));
    assert.equal(sql.limit, 5);
    assert.deepEqual(sql.select.kind === 'fields' && sql.select.items.map((i) => i.alias), ['name', 't']);
    assert.deepEqual(sql.sort.map((s) => s.direction), ['desc', 'asc']);
    assert.deepEqual(sql.from, { objectType: 'project_logs', objectIds: ['p1'] });
  });

  it('reads the SDK JSON AST into the same query as the text forms', () => {
    const json = btqlQueryFromJson({
      select: [{ op: 'star' }],
      from: { op: 'function', name: { op: 'ident', name: ['dataset'] }, args: [{ op: 'literal', value: 'd1' }] },
      filter: {
        op: 'and',
        children: [
          { op: 'eq', left: { op: 'ident', name: ['root_span_id'] }, right: { op: 'literal', value: 'r' } },
          { op: 'isnull', expr: { op: 'ident', name: ['span_attributes', 'purpose'] } },
        ],
      },
      limit: 10,
    });
    const text = parseBtqlText("select: * | from: dataset('d1') | filter: root_span_id = 'r' and span_attributes.purpose is null | limit: 10");
    assert.deepEqual(shape(json), shape(text));
  });

  it('reads GROUP BY, the pipe form\'s dimensions/measures and the JSON AST into the same grouped query', () => {
    const sql = parseBtqlText(
      "SELECT span_attributes.name AS tool, count(*) AS calls, percentile(metrics.end - metrics.start, 0.95) AS p95 FROM project_logs('p') WHERE span_attributes.type = 'tool' GROUP BY span_attributes.name ORDER BY calls DESC LIMIT 3",
    );
    const pipe = parseBtqlText(
      "from: project_logs('p')\nfilter: span_attributes.type = 'tool'\ndimensions: span_attributes.name as tool\nmeasures: count(*) as calls, percentile(metrics.end - metrics.start, 0.95) as p95\nsort: calls desc\nlimit: 3",
    );
    const ident = (...name: string[]): JsonObject => ({ op: 'ident', name });
    const json = btqlQueryFromJson({
      from: { op: 'function', name: ident('project_logs'), args: [{ op: 'literal', value: 'p' }] },
      filter: { op: 'eq', left: ident('span_attributes', 'type'), right: { op: 'literal', value: 'tool' } },
      dimensions: [{ alias: 'tool', expr: ident('span_attributes', 'name') }],
      measures: [
        { alias: 'calls', expr: { op: 'function', name: ident('count'), args: [{ op: 'star' }] } },
        {
          alias: 'p95',
          expr: { op: 'function', name: ident('percentile'), args: [{ op: 'sub', left: ident('metrics', 'end'), right: ident('metrics', 'start') }, { op: 'literal', value: 0.95 }] },
        },
      ],
      sort: [{ expr: ident('calls'), dir: 'desc' }],
      limit: 3,
    });
    assert.deepEqual(shape(sql), shape(pipe));
    assert.deepEqual(shape(json), shape(pipe));
    assert.deepEqual(shape(sql.groupBy), [{ kind: 'ident', path: ['span_attributes', 'name'] }]);
    assert.deepEqual(sql.select.kind === 'fields' && sql.select.items.map((item) => item.alias), ['tool', 'calls', 'p95']);
    assert.deepEqual(shape(parseBtqlExpression('count(*)')), { kind: 'call', name: 'count', args: [] });
    const having = parseBtqlText("SELECT metadata.model, count(*) FROM dataset('d') GROUP BY 1 HAVING count(*) > 2");
    assert.deepEqual(shape(having.having), { kind: 'compare', op: 'gt', left: { kind: 'call', name: 'count', args: [] }, right: { kind: 'literal', value: 2 } });
    assert.deepEqual(having.select.kind === 'fields' && having.select.items.map((item) => item.alias), ['model', 'count'], 'a call is named after its function');
  });

  it('says where a query is wrong', () => {
    assert.match(errorOf(() => parseBtqlText("SELECT * FROM project_logs('p') WHERE (a = 1")).message, /expected "\)" but found the end of the query \(at line 1, column 45\)/);
    assert.match(errorOf(() => parseBtqlText("SELECT * FROM project_logs('p') WHERE a = 'open")).message, /unterminated string \(at line 1, column 43\)/);
    assert.match(errorOf(() => parseBtqlText("select: *\nfrom: nowhere('p')")).message, /unknown source "nowhere".*line 2, column 7/);
    assert.match(errorOf(() => parseBtqlText("SELECT * WHERE a = 1")).message, /expected FROM/);
    assert.match(errorOf(() => parseBtqlText("select: * | from: project_logs('p') | pivot: a")).message, /pivot clause is not supported.*line 1, column 39/);
    assert.match(errorOf(() => parseBtqlText("select: * | from: project_logs('p') | filter: a = = 1")).message, /line 1, column 51/);
    assert.match(errorOf(() => btqlQueryFromJson({ from: { op: 'function', name: { op: 'ident', name: ['dataset'] }, args: [{ op: 'literal', value: 'd' }] }, filter: { op: 'and', children: [{ op: 'bogus' }] } })).message, /unknown operator "bogus" \(at query\.filter\.children\[0\]\.op\)/);
  });

  it('compiles values and field names to bound parameters only', () => {
    const hostile = "x' OR 1=1 --";
    const query: BtqlQuery = parseBtqlText(`SELECT * FROM project_logs('p') WHERE id = 'x'' OR 1=1 --' OR metadata.\`a') OR 1=1 --\` = 1`);
    const compiled = compileBtql(query);
    assert.ok(!compiled.sql.includes('1=1'), compiled.sql);
    assert.ok(compiled.params.includes(hostile));
    assert.ok(compiled.params.includes(`$."metadata"."a') OR 1=1 --"`));
  });

  it('compiles a grouped query to bound parameters only, reading result columns in HAVING and ORDER BY', () => {
    const compiled = compileBtql(
      parseBtqlText("SELECT metadata.`x' --` AS k, count(*) AS n, percentile(metrics.tokens, 0.9) AS p FROM project_logs('p') WHERE input = 'a''b' GROUP BY k HAVING n > 1 ORDER BY p DESC"),
    );
    assert.ok(!compiled.sql.includes("x'") && !compiled.sql.includes("a'b") && !compiled.sql.includes('0.9'), compiled.sql);
    assert.match(compiled.sql, /GROUP BY \(row ->> \?\) HAVING \(s1 > \?\) ORDER BY s2 DESC, s0 ASC LIMIT \?$/);
    assert.equal(compiled.params.filter((p) => p === '$."metadata"."x\' --"').length, 3, 'the key is selected (value and JSON) and grouped by');
    assert.deepEqual(compiled.output, { kind: 'grouped', columns: [{ alias: 'k', json: true }, { alias: 'n', json: false }, { alias: 'p', json: false }] });
    assert.equal(compiled.paging, 'offset');
  });

  it('translates LIKE patterns to GLOB (case-sensitive, escapes kept)', () => {
    assert.equal(likeToGlob('a%b_c'), 'a*b?c');
    assert.equal(likeToGlob('100\\%*[x]?'), '100%[*][[]x][?]');
  });

  it('rejects what it cannot compile with the node that caused it', () => {
    const compileText = (text: string): unknown => compileBtql(parseBtqlText(text));
    assert.match(errorOf(() => compileText("SELECT * FROM project_logs('p') WHERE lower(a) = 'x'")).message, /unknown function "lower" \(functions: count, .*\) \(at line 1, column 39\)/);
    assert.match(errorOf(() => compileText("SELECT * FROM project_logs('p') WHERE a LIKE b")).message, /LIKE needs a quoted string pattern/);
    assert.match(errorOf(() => compileText("SELECT * FROM project_logs('p') LIMIT 100001")).message, /limit must be at most/);
    const expr: Expr = parseBtqlExpression('a.`has"quote` = 1');
    assert.match(errorOf(() => compileBtql({ select: { kind: 'star' }, from: { objectType: 'dataset', objectIds: ['d'] }, filter: expr, sort: [] })).message, /double quote/);
  });
});
