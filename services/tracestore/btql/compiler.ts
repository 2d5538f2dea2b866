// Compiles a BtqlQuery into ONE parameterised SQLite statement over the spans table. User values
// and JSON paths are always bound parameters; the only text spliced into SQL is our own column
// names, operators and placeholders.
import type { JsonValue } from '../../../lib/json.js';
import type { BtqlQuery, Expr, FieldPath } from './ast.js';
import { BtqlError } from './btql-error.js';
import type { BtqlCursor } from './cursor.js';

export type SqlValue = string | number | null;

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 100_000;

/** Fields kept in their own columns (indexed or computed), so filters on them skip JSON parsing. */
const COLUMN_FIELDS: Record<string, { column: string; boolean?: true }> = {
  id: { column: 'id' },
  span_id: { column: 'span_id' },
  root_span_id: { column: 'root_span_id' },
  created: { column: 'created' },
  _xact_id: { column: '_xact_id' },
  _pagination_key: { column: '_pagination_key' },
  is_root: { column: 'is_root', boolean: true },
  'span_attributes.name': { column: 'span_name' },
  'span_attributes.type': { column: 'span_type' },
};

export interface CompiledBtql {
  sql: string;
  params: SqlValue[];
  /** 'star': each result row has a `row_json` column; otherwise one JSON-text column per alias. */
  output: 'star' | string[];
  limit: number;
  /** Default order pages by _pagination_key (keyset); a custom sort pages by offset. */
  paging: 'keyset' | 'offset';
}

export interface CompileOptions {
  /** Only rows written at or before this transaction id. */
  version?: string;
  cursor?: BtqlCursor;
}

export function compileBtql(query: BtqlQuery, options: CompileOptions = {}): CompiledBtql {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) throw new BtqlError(`limit must be at most ${MAX_LIMIT}`, 'limit');
  if (query.from.objectIds.length === 0) throw new BtqlError('from needs at least one object id', 'from');

  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return '?';
  };

  // SELECT list first: its placeholders come first in the statement.
  let columns: string;
  let output: CompiledBtql['output'];
  if (query.select.kind === 'star') {
    columns =
      "json_set(row, '$._xact_id', _xact_id, '$._pagination_key', _pagination_key, " +
      "'$.is_root', json(CASE WHEN is_root THEN 'true' ELSE 'false' END)) AS row_json";
    output = 'star';
  } else {
    const aliases = new Set<string>();
    const parts = query.select.items.map((item, i) => {
      if (aliases.has(item.alias)) throw new BtqlError(`two selected fields are both named "${item.alias}": add AS <alias>`, item.expr.at);
      aliases.add(item.alias);
      return `${compileJson(item.expr, bind)} AS c${i}`;
    });
    columns = parts.join(', ');
    output = query.select.items.map((item) => item.alias);
  }

  const where: string[] = [`object_type = ${bind(query.from.objectType)}`];
  where.push(`object_id IN (${query.from.objectIds.map((id) => bind(id)).join(', ')})`);
  if (options.version !== undefined) where.push(`_xact_id <= ${bind(options.version)}`);
  if (query.filter) where.push(`(${compileScalar(query.filter, bind)})`);

  const paging: CompiledBtql['paging'] = query.sort.length === 0 ? 'keyset' : 'offset';
  const cursor = options.cursor;
  if (cursor && cursor.kind !== paging) throw new BtqlError('this cursor belongs to a query with a different sort', 'cursor');
  if (cursor?.kind === 'keyset') where.push(`_pagination_key < ${bind(cursor.after)}`);

  const orderBy = [
    ...query.sort.map((item) => `${compileScalar(item.expr, bind)} ${item.direction === 'desc' ? 'DESC' : 'ASC'}`),
    '_pagination_key DESC',
  ];
  // One row more than asked, to know whether another page exists.
  let sql = `SELECT ${columns}, _pagination_key AS page_key FROM spans WHERE ${where.join(' AND ')} ORDER BY ${orderBy.join(', ')} LIMIT ${bind(limit + 1)}`;
  if (cursor?.kind === 'offset') sql += ` OFFSET ${bind(cursor.offset)}`;
  return { sql, params, output, limit, paging };
}

type Bind = (value: SqlValue) => string;

/** SQLite JSON path for a field path, e.g. ["metadata","service.name",0] → $."metadata"."service.name"[0]. */
export function jsonPath(path: FieldPath, at?: string): string {
  let result = '$';
  for (const part of path) {
    if (typeof part === 'number') {
      result += `[${part}]`;
      continue;
    }
    // SQLite has no escape inside a quoted path label.
    if (part.includes('"')) throw new BtqlError(`field names cannot contain a double quote: ${JSON.stringify(part)}`, at);
    result += `."${part}"`;
  }
  return result;
}

function columnFor(path: FieldPath): { column: string; boolean?: true } | undefined {
  if (path.some((part) => typeof part !== 'string')) return undefined;
  return COLUMN_FIELDS[path.join('.')];
}

/** An expression as an SQL value (text, number, 0/1 or NULL), for filters and sorts. */
function compileScalar(expr: Expr, bind: Bind): string {
  switch (expr.kind) {
    case 'ident': {
      const column = columnFor(expr.path);
      if (column) return column.column;
      return `(row ->> ${bind(jsonPath(expr.path, expr.at))})`;
    }
    case 'literal':
      return bindLiteral(expr.value, bind);
    case 'list':
      throw new BtqlError('a list is only allowed after IN or INCLUDES', expr.at);
    case 'compare': {
      const sqlOp = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[expr.op];
      return `(${compileScalar(expr.left, bind)} ${sqlOp} ${compileScalar(expr.right, bind)})`;
    }
    case 'like':
      return compileLike(expr.left, expr.pattern, expr.caseInsensitive, expr.negated, expr.at, bind);
    case 'in': {
      const left = compileScalar(expr.left, bind);
      const values = listItems(expr.right);
      if (values.length === 0) return expr.negated ? '1' : '0';
      const placeholders = values.map((value) => compileScalar(value, bind)).join(', ');
      return `(${left} ${expr.negated ? 'NOT IN' : 'IN'} (${placeholders}))`;
    }
    case 'includes': {
      const sql = compileIncludes(expr.haystack, expr.needle, expr.at, bind);
      return expr.negated ? `(NOT ${sql})` : sql;
    }
    case 'logical':
      if (expr.children.length === 0) return expr.op === 'and' ? '1' : '0';
      return `(${expr.children.map((child) => compileScalar(child, bind)).join(expr.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileScalar(expr.expr, bind)})`;
    case 'null_check':
      return `(${compileScalar(expr.expr, bind)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'arithmetic': {
      const sqlOp = { add: '+', sub: '-', mul: '*', div: '/', mod: '%' }[expr.op];
      return `(${compileScalar(expr.left, bind)} ${sqlOp} ${compileScalar(expr.right, bind)})`;
    }
    case 'negate':
      return `(- ${compileScalar(expr.expr, bind)})`;
    case 'call':
      throw new BtqlError(`unknown function "${expr.name}"`, expr.at);
  }
}

/** An expression as JSON text (objects stay objects), for the select list. */
function compileJson(expr: Expr, bind: Bind): string {
  if (expr.kind === 'ident') {
    const column = columnFor(expr.path);
    if (column?.boolean) return `json(CASE WHEN ${column.column} THEN 'true' ELSE 'false' END)`;
    if (column) return `json_quote(${column.column})`;
    return `(row -> ${bind(jsonPath(expr.path, expr.at))})`;
  }
  if (expr.kind === 'literal' && (typeof expr.value === 'object' || typeof expr.value === 'boolean') && expr.value !== null) {
    return `json(${bind(JSON.stringify(expr.value))})`;
  }
  return `json_quote(${compileScalar(expr, bind)})`;
}

function bindLiteral(value: JsonValue, bind: Bind): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return bind(value ? 1 : 0);
  if (typeof value === 'string' || typeof value === 'number') return bind(value);
  // Objects and arrays compare as their minified JSON text, which is what `->>` yields for them.
  return bind(JSON.stringify(value));
}

function listItems(expr: Expr): Expr[] {
  if (expr.kind === 'list') return expr.items;
  if (expr.kind === 'literal' && Array.isArray(expr.value)) return expr.value.map((value) => ({ kind: 'literal', value, at: expr.at }));
  throw new BtqlError('IN needs a list of values, e.g. IN (\'a\', \'b\')', expr.at);
}

// LIKE in SQLite ignores case, so a case-sensitive LIKE runs as GLOB with the pattern translated.
function compileLike(left: Expr, pattern: Expr, caseInsensitive: boolean, negated: boolean, at: string | undefined, bind: Bind): string {
  if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') {
    throw new BtqlError(`${caseInsensitive ? 'ILIKE' : 'LIKE'} needs a quoted string pattern`, pattern.at ?? at);
  }
  const subject = compileScalar(left, bind);
  const not = negated ? 'NOT ' : '';
  if (caseInsensitive) return `(lower(${subject}) ${not}LIKE lower(${bind(pattern.value)}) ESCAPE '\\')`;
  return `(${subject} ${not}GLOB ${bind(likeToGlob(pattern.value))})`;
}

/** LIKE pattern ('%' any run, '_' one char, '\' escapes) → GLOB pattern with GLOB's own specials bracketed. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      glob += globLiteral(pattern[++i]!);
    } else if (ch === '%') {
      glob += '*';
    } else if (ch === '_') {
      glob += '?';
    } else {
      glob += globLiteral(ch);
    }
  }
  return glob;
}

function globLiteral(ch: string): string {
  return ch === '*' || ch === '?' || ch === '[' ? `[${ch}]` : ch;
}

// haystack INCLUDES needle: an array or object holding the value, or a string containing it.
function compileIncludes(haystack: Expr, needle: Expr, at: string | undefined, bind: Bind): string {
  if (haystack.kind !== 'ident') throw new BtqlError('INCLUDES needs a field on its left', haystack.at ?? at);
  const needles = needle.kind === 'list' ? needle.items : needle.kind === 'literal' && Array.isArray(needle.value) ? listItems(needle) : [needle];
  if (needles.length === 0) return '1';
  const column = columnFor(haystack.path);
  const conditions = needles.map((item) => {
    if (column) return `(instr(${column.column}, ${compileScalar(item, bind)}) > 0)`;
    // Placeholders are positional: bind in the order they appear in the text.
    const path = jsonPath(haystack.path, haystack.at);
    let sql = `(CASE json_type(row, ${bind(path)}) `;
    sql += `WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(row, ${bind(path)}) AS e WHERE e.value = ${compileScalar(item, bind)}) `;
    sql += `WHEN 'object' THEN EXISTS (SELECT 1 FROM json_each(row, ${bind(path)}) AS e WHERE e.value = ${compileScalar(item, bind)}) `;
    sql += `WHEN 'text' THEN instr(row ->> ${bind(path)}, ${compileScalar(item, bind)}) > 0 ELSE 0 END)`;
    return sql;
  });
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' AND ')})`;
}
