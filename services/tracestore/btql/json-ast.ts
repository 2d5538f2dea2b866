// Reads the JSON AST the Braintrust SDK sends to /btql ({select:[{op:"star"}], from:{op:"function",…},
// filter:{op:"and",children:[…]}, sort, limit, cursor}, or dimensions/measures instead of select, as
// [{alias, expr}]) into the store's BtqlQuery. Errors name the JSON path of the offending node, e.g.
// "query.filter.children[1].op".
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import type { ArithmeticOp, BtqlQuery, BtqlSource, CompareOp, Expr, FieldPath, SelectItem, Selection, SortItem } from './ast.js';
import { OBJECT_TYPES, type ObjectType } from './ast.js';
import { BtqlError } from './btql-error.js';
import { defaultAlias } from './parser.js';

const COMPARE_OPS = new Set<CompareOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const ARITHMETIC_OPS = new Set<ArithmeticOp>(['add', 'sub', 'mul', 'div', 'mod']);
const UNSUPPORTED_KEYS = ['pivot', 'unpivot'];

export function btqlQueryFromJson(value: JsonValue, at = 'query'): BtqlQuery {
  const query = expectObject(value, at);
  for (const key of UNSUPPORTED_KEYS) {
    if (query[key] !== undefined && query[key] !== null) {
      throw new BtqlError(`the ${key} clause is not supported by the local trace store yet`, `${at}.${key}`);
    }
  }
  if (query.from === undefined || query.from === null) throw new BtqlError('the query needs a from clause', `${at}.from`);
  const grouped = isPresent(query.dimensions) || isPresent(query.measures);
  if (grouped && isPresent(query.select)) {
    throw new BtqlError('select cannot be combined with dimensions/measures (put the grouped fields in dimensions)', `${at}.select`);
  }
  const dimensions = grouped ? itemsFromJson(query.dimensions, `${at}.dimensions`) : [];
  const measures = grouped ? itemsFromJson(query.measures, `${at}.measures`) : [];
  return {
    select: grouped ? { kind: 'fields', items: [...dimensions, ...measures] } : selectionFromJson(query.select, `${at}.select`),
    from: sourceFromJson(query.from, `${at}.from`),
    filter: query.filter === undefined || query.filter === null ? undefined : exprFromJson(query.filter, `${at}.filter`),
    ...(grouped ? { groupBy: dimensions.map((item) => item.expr) } : {}),
    sort: sortFromJson(query.sort, `${at}.sort`),
    limit: limitFromJson(query.limit, `${at}.limit`),
    cursor: optionalString(query.cursor, `${at}.cursor`),
  };
}

function selectionFromJson(value: JsonValue | undefined, at: string): Selection {
  if (value === undefined || value === null) return { kind: 'star' };
  if (!Array.isArray(value)) throw new BtqlError('select must be an array', at);
  if (value.some((item) => isJsonObject(item) && item.op === 'star')) {
    if (value.length !== 1) throw new BtqlError('select * cannot be combined with other fields', at);
    return { kind: 'star' };
  }
  return { kind: 'fields', items: itemsFromJson(value, at) };
}

function isPresent(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null;
}

function itemsFromJson(value: JsonValue | undefined, at: string): SelectItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BtqlError('expected an array of {alias, expr}', at);
  return value.map((item, i) => {
    const itemAt = `${at}[${i}]`;
    const object = expectObject(item, itemAt);
    // {alias, expr} is the SDK's shape; a bare expression is accepted too.
    const expr = object.expr !== undefined ? exprFromJson(object.expr, `${itemAt}.expr`) : exprFromJson(item, itemAt);
    const alias = optionalString(object.alias, `${itemAt}.alias`) ?? defaultAlias(expr);
    if (alias === undefined) throw new BtqlError('this select expression needs an alias', itemAt);
    return { expr, alias };
  });
}

function sourceFromJson(value: JsonValue, at: string): BtqlSource {
  const node = expectObject(value, at);
  if (node.op !== 'function') throw new BtqlError('from must be {"op":"function", "name":…, "args":[…]}', `${at}.op`);
  const name = expectObject(node.name ?? null, `${at}.name`);
  const nameParts = name.name;
  const sourceName = Array.isArray(nameParts) && nameParts.length === 1 && typeof nameParts[0] === 'string' ? nameParts[0] : undefined;
  if (!sourceName || !(OBJECT_TYPES as readonly string[]).includes(sourceName)) {
    throw new BtqlError(`unknown source ${JSON.stringify(nameParts)}: expected project_logs, experiment or dataset`, `${at}.name`);
  }
  if (!Array.isArray(node.args) || node.args.length === 0) throw new BtqlError('from needs at least one object id', `${at}.args`);
  const objectIds = node.args.map((arg, i) => {
    const literal = exprFromJson(arg, `${at}.args[${i}]`);
    if (literal.kind !== 'literal' || typeof literal.value !== 'string') {
      throw new BtqlError('object ids must be string literals', `${at}.args[${i}]`);
    }
    return literal.value;
  });
  if (node.shape !== undefined && node.shape !== null && node.shape !== 'spans') {
    throw new BtqlError(`the "${String(node.shape)}" shape is not supported by the local trace store: use spans`, `${at}.shape`);
  }
  return { objectType: sourceName as ObjectType, objectIds };
}

function sortFromJson(value: JsonValue | undefined, at: string): SortItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BtqlError('sort must be an array', at);
  return value.map((item, i) => {
    const itemAt = `${at}[${i}]`;
    const object = expectObject(item, itemAt);
    const direction = object.dir ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') throw new BtqlError('dir must be "asc" or "desc"', `${itemAt}.dir`);
    return { expr: exprFromJson(object.expr ?? null, `${itemAt}.expr`), direction };
  });
}

function limitFromJson(value: JsonValue | undefined, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new BtqlError('limit must be a whole number', at);
  return value;
}

export function exprFromJson(value: JsonValue, at: string): Expr {
  const node = expectObject(value, at);
  const op = node.op;
  if (typeof op !== 'string') throw new BtqlError('an expression needs an "op"', `${at}.op`);
  const child = (key: string): Expr => exprFromJson(node[key] ?? null, `${at}.${key}`);
  switch (op) {
    case 'literal':
      return { kind: 'literal', value: node.value ?? null, at };
    case 'ident':
      return { kind: 'ident', path: pathFromJson(node.name, `${at}.name`), at };
    case 'and':
    case 'or': {
      // {children:[…]} is the SDK's shape; {left, right} is accepted too.
      const children = Array.isArray(node.children)
        ? node.children.map((c, i) => exprFromJson(c, `${at}.children[${i}]`))
        : [child('left'), child('right')];
      return { kind: 'logical', op, children, at };
    }
    case 'not':
      return { kind: 'not', expr: child(node.expr !== undefined ? 'expr' : 'left'), at };
    case 'isnull':
    case 'isnotnull':
      return { kind: 'null_check', negated: op === 'isnotnull', expr: child(node.expr !== undefined ? 'expr' : 'left'), at };
    case 'like':
    case 'ilike':
      return { kind: 'like', caseInsensitive: op === 'ilike', negated: false, left: child('left'), pattern: child('right'), at };
    case 'in':
      return { kind: 'in', negated: false, left: child('left'), right: child('right'), at };
    case 'includes':
    case 'contains': {
      const haystack = node.haystack !== undefined ? child('haystack') : child('left');
      const needle = node.needle !== undefined ? child('needle') : child('right');
      return { kind: 'includes', negated: false, haystack, needle, at };
    }
    case 'neg':
      return { kind: 'negate', expr: child('expr'), at };
    case 'function': {
      const name = pathFromJson(expectObject(node.name ?? null, `${at}.name`).name, `${at}.name.name`);
      const rawArgs = Array.isArray(node.args) ? node.args : [];
      // count(*) arrives as a {"op":"star"} argument: an aggregate with no argument counts rows.
      const countsRows = rawArgs.length === 1 && isJsonObject(rawArgs[0]) && rawArgs[0].op === 'star';
      const args = countsRows ? [] : rawArgs.map((a, i) => exprFromJson(a, `${at}.args[${i}]`));
      return { kind: 'call', name: name.join('.').toLowerCase(), args, at };
    }
    default:
      if (COMPARE_OPS.has(op as CompareOp)) return { kind: 'compare', op: op as CompareOp, left: child('left'), right: child('right'), at };
      if (ARITHMETIC_OPS.has(op as ArithmeticOp)) {
        return { kind: 'arithmetic', op: op as ArithmeticOp, left: child('left'), right: child('right'), at };
      }
      throw new BtqlError(`unknown operator "${op}"`, `${at}.op`);
  }
}

function pathFromJson(value: JsonValue | undefined, at: string): FieldPath {
  if (!Array.isArray(value) || value.length === 0) throw new BtqlError('an identifier name must be a non-empty array', at);
  return value.map((part, i) => {
    if (typeof part === 'string' || (typeof part === 'number' && Number.isInteger(part) && part >= 0)) return part;
    throw new BtqlError('identifier parts must be strings or array indexes', `${at}[${i}]`);
  });
}

function expectObject(value: JsonValue, at: string): JsonObject {
  if (!isJsonObject(value)) throw new BtqlError(`expected an object but found ${JSON.stringify(value)?.slice(0, 60)}`, at);
  return value;
}

function optionalString(value: JsonValue | undefined, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BtqlError('expected a string', at);
  return value;
}
