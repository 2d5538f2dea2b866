// Compiles a BtqlQuery into ONE parameterised SQLite statement over the spans table. User values
// and JSON paths are always bound parameters; the only text spliced into SQL is our own column
// names, operators and placeholders. Aggregate queries are compiled by grouped-query.ts.
import { containsAggregate, type BtqlQuery } from './ast.js';
import { BtqlError } from './btql-error.js';
import {
  assertDistinctAliases, DEFAULT_LIMIT, MAX_LIMIT, selectedExpr, type CompiledBtql, type CompiledOutput, type CompileOptions,
} from './compiled-query.js';
import { compileJson, compileScalar, type SqlContext, type SqlValue } from './expression-sql.js';
import { compileGroupedQuery } from './grouped-query.js';
import { compileWhere } from './where-clause.js';

export { DEFAULT_LIMIT, MAX_LIMIT, type CompiledBtql, type CompiledOutput, type CompileOptions } from './compiled-query.js';
export { jsonPath, likeToGlob, type SqlValue } from './expression-sql.js';

export function isAggregateQuery(query: BtqlQuery): boolean {
  if (query.groupBy !== undefined || query.having !== undefined) return true;
  return query.select.kind === 'fields' && query.select.items.some((item) => containsAggregate(item.expr));
}

export function compileBtql(query: BtqlQuery, options: CompileOptions = {}): CompiledBtql {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) throw new BtqlError(`limit must be at most ${MAX_LIMIT}`, 'limit');
  if (query.from.objectIds.length === 0) throw new BtqlError('from needs at least one object id', 'from');
  if (isAggregateQuery(query)) return compileGroupedQuery(query, options, limit);
  return compilePlainQuery(query, options, limit);
}

function compilePlainQuery(query: BtqlQuery, options: CompileOptions, limit: number): CompiledBtql {
  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return '?';
  };
  const ctx: SqlContext = { bind, aggregates: { forbiddenIn: 'this query' } };

  // SELECT list first: its placeholders come first in the statement.
  let columns: string;
  let output: CompiledOutput;
  if (query.select.kind === 'star') {
    columns =
      "json_set(row, '$._xact_id', _xact_id, '$._pagination_key', _pagination_key, " +
      "'$.is_root', json(CASE WHEN is_root THEN 'true' ELSE 'false' END)) AS row_json";
    output = { kind: 'star' };
  } else {
    assertDistinctAliases(query.select.items);
    columns = query.select.items.map((item, i) => `${compileJson(item.expr, ctx)} AS c${i}`).join(', ');
    output = { kind: 'fields', aliases: query.select.items.map((item) => item.alias) };
  }

  const where = compileWhere(query, options.version, bind);
  const paging: CompiledBtql['paging'] = query.sort.length === 0 ? 'keyset' : 'offset';
  const cursor = options.cursor;
  if (cursor && cursor.kind !== paging) throw new BtqlError('this cursor belongs to a query with a different sort', 'cursor');
  if (cursor?.kind === 'keyset') where.push(`_pagination_key < ${bind(cursor.after)}`);

  const items = query.select.kind === 'fields' ? query.select.items : [];
  const orderBy = [
    ...query.sort.map((item) => `${compileScalar(selectedExpr(item.expr, items), ctx)} ${item.direction === 'desc' ? 'DESC' : 'ASC'}`),
    '_pagination_key DESC',
  ];
  // One row more than asked, to know whether another page exists.
  let sql = `SELECT ${columns}, _pagination_key AS page_key FROM spans WHERE ${where.join(' AND ')} ORDER BY ${orderBy.join(', ')} LIMIT ${bind(limit + 1)}`;
  if (cursor?.kind === 'offset') sql += ` OFFSET ${bind(cursor.offset)}`;
  return { sql, params, output, limit, paging };
}
