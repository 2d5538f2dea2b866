// Compiles an aggregate query — SQL `SELECT keys, agg(…) … GROUP BY … HAVING …` or the pipe form's
// `dimensions: … | measures: …` — into one parameterised statement:
//   SELECT <expr> AS s0, <field json> AS j0, … FROM spans WHERE … GROUP BY … HAVING … ORDER BY … LIMIT ? OFFSET ?
// HAVING and ORDER BY may name a select alias or repeat a selected expression; both resolve to the
// result column s<i> (SQLite accepts result aliases there), so an aggregate is computed once.
import { childrenOf, containsAggregate, isAggregateCall, sameExpr, type BtqlQuery, type Expr, type SelectItem } from './ast.js';
import { BtqlError } from './btql-error.js';
import { assertDistinctAliases, type CompiledBtql, type CompileOptions } from './compiled-query.js';
import { compileJson, compileScalar, type SqlContext, type SqlValue } from './expression-sql.js';
import { compileWhere } from './where-clause.js';

export function compileGroupedQuery(query: BtqlQuery, options: CompileOptions, limit: number): CompiledBtql {
  if (query.select.kind === 'star') {
    throw new BtqlError('select * cannot be grouped: list the grouped fields and the aggregates (or use dimensions: and measures:)', query.groupBy?.[0]?.at);
  }
  const items = query.select.items;
  assertDistinctAliases(items);
  const keys = (query.groupBy ?? []).map((key) => groupKey(key, items));

  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return '?';
  };
  const aggregates: SqlContext = { bind, aggregates: 'allowed' };

  const columns: string[] = [];
  items.forEach((item, i) => {
    assertGrouped(item.expr, keys, () => false);
    columns.push(`${compileScalar(item.expr, aggregates)} AS s${i}`);
    // A grouped field keeps its JSON type (objects, booleans) in the answer.
    if (item.expr.kind === 'ident') columns.push(`${compileJson(item.expr, aggregates)} AS j${i}`);
  });

  const where = compileWhere(query, options.version, bind);
  const keySql = (ctx: SqlContext): string[] => keys.map((key) => compileScalar(key, ctx));
  const groupBy = keySql({ bind, aggregates: { forbiddenIn: 'GROUP BY' } });

  const resultColumn = (expr: Expr): string | undefined => {
    const index = resultColumnIndex(expr, items);
    return index === undefined ? undefined : `s${index}`;
  };
  const isResultColumn = (expr: Expr): boolean => resultColumnIndex(expr, items) !== undefined;
  const afterGrouping: SqlContext = { bind, aggregates: 'allowed', resultColumn };

  let having: string | undefined;
  if (query.having) {
    assertGrouped(query.having, keys, isResultColumn);
    having = compileScalar(query.having, afterGrouping);
  }

  const cursor = options.cursor;
  if (cursor && cursor.kind !== 'offset') throw new BtqlError('this cursor belongs to a query that is not grouped', 'cursor');
  const orderBy = query.sort.map((item) => {
    assertGrouped(item.expr, keys, isResultColumn);
    return `${compileScalar(item.expr, afterGrouping)} ${item.direction === 'desc' ? 'DESC' : 'ASC'}`;
  });
  // The grouping keys last: groups are unique by them, so offset pages never overlap.
  orderBy.push(...keySql(afterGrouping).map((sql) => `${sql} ASC`));

  let sql = `SELECT ${columns.join(', ')} FROM spans WHERE ${where.join(' AND ')}`;
  if (groupBy.length > 0) sql += ` GROUP BY ${groupBy.join(', ')}`;
  if (having) sql += ` HAVING ${having}`;
  if (orderBy.length > 0) sql += ` ORDER BY ${orderBy.join(', ')}`;
  sql += ` LIMIT ${bind(limit + 1)}`;
  if (cursor?.kind === 'offset') sql += ` OFFSET ${bind(cursor.offset)}`;

  const output = { kind: 'grouped' as const, columns: items.map((item) => ({ alias: item.alias, json: item.expr.kind === 'ident' })) };
  return { sql, params, output, limit, paging: 'offset' };
}

/** A GROUP BY entry: an expression, a select alias, or a 1-based select position. */
function groupKey(key: Expr, items: SelectItem[]): Expr {
  let resolved = key;
  if (key.kind === 'literal' && typeof key.value === 'number') {
    const item = Number.isInteger(key.value) ? items[key.value - 1] : undefined;
    if (!item) throw new BtqlError(`GROUP BY ${key.value}: there is no select item at that position`, key.at);
    resolved = item.expr;
  } else if (key.kind === 'ident' && key.path.length === 1) {
    resolved = items.find((item) => item.alias === key.path[0])?.expr ?? key;
  }
  if (containsAggregate(resolved)) throw new BtqlError('a grouping key cannot contain an aggregate', key.at);
  return resolved;
}

function resultColumnIndex(expr: Expr, items: SelectItem[]): number | undefined {
  if (expr.kind === 'ident' && expr.path.length === 1) {
    const byAlias = items.findIndex((item) => item.alias === expr.path[0]);
    if (byAlias >= 0) return byAlias;
  }
  const byExpr = items.findIndex((item) => sameExpr(item.expr, expr));
  return byExpr >= 0 ? byExpr : undefined;
}

/** After grouping only grouping keys, aggregates and result columns have one value per group. */
function assertGrouped(expr: Expr, keys: Expr[], isResultColumn: (expr: Expr) => boolean): void {
  if (isAggregateCall(expr) || isResultColumn(expr) || keys.some((key) => sameExpr(key, expr))) return;
  if (expr.kind === 'ident') {
    const name = expr.path.join('.');
    throw new BtqlError(
      `${name} is neither grouped nor aggregated: add it to GROUP BY (dimensions:) or wrap it in an aggregate such as min(${name})`,
      expr.at,
    );
  }
  for (const child of childrenOf(expr)) assertGrouped(child, keys, isResultColumn);
}
