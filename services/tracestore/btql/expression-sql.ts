// Compiles one BTQL expression to SQLite SQL over the spans table. User values and JSON paths are
// always bound parameters (through `bind`); the only text spliced into SQL is our own column names,
// operators, function names and placeholders.
import type { JsonValue } from '../../../lib/json.js';
import { isAggregateCall, type Expr, type FieldPath } from './ast.js';
import { BtqlError } from './btql-error.js';
import { NUMBER_FUNCTION, PERCENTILE_FUNCTION } from './sql-functions.js';

export type SqlValue = string | number | null;
export type Bind = (value: SqlValue) => string;

export interface SqlContext {
  bind: Bind;
  /** Aggregate calls are compiled when allowed; otherwise the clause named here rejects them. */
  aggregates: 'allowed' | { forbiddenIn: string };
  /** Grouped queries: a select alias or a selected expression that is already a result column. */
  resultColumn?: (expr: Expr) => string | undefined;
}

/** SQLite's SQLITE_MAX_LIKE_PATTERN_LENGTH (bytes) over 4, so any pattern of this many characters fits. */
const MAX_PATTERN_LENGTH = 12_500;

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

/** An expression as an SQL value (text, number, 0/1 or NULL), for filters, sorts and groups. */
export function compileScalar(expr: Expr, ctx: SqlContext): string {
  const resolved = ctx.resultColumn?.(expr);
  if (resolved) return resolved;
  const { bind } = ctx;
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
      return `(${compileScalar(expr.left, ctx)} ${sqlOp} ${compileScalar(expr.right, ctx)})`;
    }
    case 'like':
      return compileLike(expr.left, expr.pattern, expr.caseInsensitive, expr.negated, expr.at, ctx);
    case 'in': {
      const values = listItems(expr.right);
      // Nothing may be bound for an empty list: a bound value without its placeholder shifts the rest.
      if (values.length === 0) return expr.negated ? '1' : '0';
      const left = compileScalar(expr.left, ctx);
      const placeholders = values.map((value) => compileScalar(value, ctx)).join(', ');
      return `(${left} ${expr.negated ? 'NOT IN' : 'IN'} (${placeholders}))`;
    }
    case 'includes': {
      const sql = compileIncludes(expr.haystack, expr.needle, expr.at, ctx);
      return expr.negated ? `(NOT ${sql})` : sql;
    }
    case 'logical':
      if (expr.children.length === 0) return expr.op === 'and' ? '1' : '0';
      return `(${expr.children.map((child) => compileScalar(child, ctx)).join(expr.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileScalar(expr.expr, ctx)})`;
    case 'null_check':
      return `(${compileScalar(expr.expr, ctx)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'arithmetic': {
      // JSON has one number type: 1 / 4 is 0.25 (as in Braintrust), not SQLite's integer 0.
      if (expr.op === 'div') return `(CAST(${compileScalar(expr.left, ctx)} AS REAL) / ${compileScalar(expr.right, ctx)})`;
      const sqlOp = { add: '+', sub: '-', mul: '*', mod: '%' }[expr.op];
      return `(${compileScalar(expr.left, ctx)} ${sqlOp} ${compileScalar(expr.right, ctx)})`;
    }
    case 'negate':
      return `(- ${compileScalar(expr.expr, ctx)})`;
    case 'call':
      return compileAggregate(expr, ctx);
  }
}

/** An expression as JSON text (objects stay objects), for the select list of a plain query. */
export function compileJson(expr: Expr, ctx: SqlContext): string {
  if (expr.kind === 'ident') {
    const column = columnFor(expr.path);
    if (column?.boolean) return `json(CASE WHEN ${column.column} THEN 'true' ELSE 'false' END)`;
    if (column) return `json_quote(${column.column})`;
    return `(row -> ${ctx.bind(jsonPath(expr.path, expr.at))})`;
  }
  if (expr.kind === 'literal' && (typeof expr.value === 'object' || typeof expr.value === 'boolean') && expr.value !== null) {
    return `json(${ctx.bind(JSON.stringify(expr.value))})`;
  }
  return `json_quote(${compileScalar(expr, ctx)})`;
}

function compileAggregate(expr: Extract<Expr, { kind: 'call' }>, ctx: SqlContext): string {
  if (!isAggregateCall(expr)) {
    throw new BtqlError(`unknown function "${expr.name}" (functions: count, count_distinct, sum, avg, min, max, percentile)`, expr.at);
  }
  if (ctx.aggregates !== 'allowed') {
    throw new BtqlError(`${expr.name}() is an aggregate function and cannot be used in ${ctx.aggregates.forbiddenIn}`, expr.at);
  }
  // An aggregate's argument is evaluated per row: no aggregate may nest inside it.
  const inner: SqlContext = { bind: ctx.bind, aggregates: { forbiddenIn: `the argument of ${expr.name}()` } };
  const arity = (expected: number): void => {
    if (expr.args.length !== expected) {
      throw new BtqlError(`${expr.name}() takes ${expected} argument${expected === 1 ? '' : 's'}, got ${expr.args.length}`, expr.at);
    }
  };
  switch (expr.name) {
    case 'count':
      if (expr.args.length === 0) return 'COUNT(*)';
      arity(1);
      return `COUNT(${compileScalar(expr.args[0]!, inner)})`;
    case 'count_distinct':
      arity(1);
      return `COUNT(DISTINCT ${compileScalar(expr.args[0]!, inner)})`;
    case 'sum':
    case 'avg':
      arity(1);
      // Only numbers are summed: SQLite would count a text value as 0.
      return `${expr.name.toUpperCase()}(${NUMBER_FUNCTION}(${compileScalar(expr.args[0]!, inner)}))`;
    case 'min':
    case 'max':
      arity(1);
      return `${expr.name.toUpperCase()}(${compileScalar(expr.args[0]!, inner)})`;
    case 'percentile': {
      arity(2);
      const fraction = expr.args[1]!;
      if (fraction.kind !== 'literal' || typeof fraction.value !== 'number' || fraction.value < 0 || fraction.value > 1) {
        throw new BtqlError('the second argument of percentile() must be a number between 0 and 1, e.g. percentile(x, 0.95)', fraction.at ?? expr.at);
      }
      return `${PERCENTILE_FUNCTION}(${compileScalar(expr.args[0]!, inner)}, ${ctx.bind(fraction.value)})`;
    }
  }
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
function compileLike(left: Expr, pattern: Expr, caseInsensitive: boolean, negated: boolean, at: string | undefined, ctx: SqlContext): string {
  if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') {
    throw new BtqlError(`${caseInsensitive ? 'ILIKE' : 'LIKE'} needs a quoted string pattern`, pattern.at ?? at);
  }
  // SQLite refuses longer patterns at run time; say so here, as a bad query rather than a failure.
  if (pattern.value.length > MAX_PATTERN_LENGTH) {
    throw new BtqlError(`a ${caseInsensitive ? 'ILIKE' : 'LIKE'} pattern may be at most ${MAX_PATTERN_LENGTH} characters`, pattern.at ?? at);
  }
  const subject = compileScalar(left, ctx);
  const not = negated ? 'NOT ' : '';
  if (caseInsensitive) return `(lower(${subject}) ${not}LIKE lower(${ctx.bind(pattern.value)}) ESCAPE '\\')`;
  return `(${subject} ${not}GLOB ${ctx.bind(likeToGlob(pattern.value))})`;
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
function compileIncludes(haystack: Expr, needle: Expr, at: string | undefined, ctx: SqlContext): string {
  if (haystack.kind !== 'ident') throw new BtqlError('INCLUDES needs a field on its left', haystack.at ?? at);
  const needles = needle.kind === 'list' ? needle.items : needle.kind === 'literal' && Array.isArray(needle.value) ? listItems(needle) : [needle];
  if (needles.length === 0) return '1';
  const column = columnFor(haystack.path);
  const { bind } = ctx;
  const conditions = needles.map((item) => {
    if (column) return `(instr(${column.column}, ${compileScalar(item, ctx)}) > 0)`;
    // Placeholders are positional: bind in the order they appear in the text.
    const path = jsonPath(haystack.path, haystack.at);
    let sql = `(CASE json_type(row, ${bind(path)}) `;
    sql += `WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(row, ${bind(path)}) AS e WHERE e.value = ${compileScalar(item, ctx)}) `;
    sql += `WHEN 'object' THEN EXISTS (SELECT 1 FROM json_each(row, ${bind(path)}) AS e WHERE e.value = ${compileScalar(item, ctx)}) `;
    sql += `WHEN 'text' THEN instr(row ->> ${bind(path)}, ${compileScalar(item, ctx)}) > 0 ELSE 0 END)`;
    return sql;
  });
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' AND ')})`;
}
