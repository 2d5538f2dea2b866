// Typed builders for BTQL's JSON AST — the query form the Braintrust SDK itself sends. Queries built
// here carry user values as literals and field names as path segments, never as text to be parsed,
// so a search term or a score name cannot change what a query means (local store and Braintrust alike).
import type { JsonValue } from '../../../lib/json.js';

export type BtqlExpr =
  | { op: 'ident'; name: string[] }
  | { op: 'literal'; value: JsonValue }
  | { op: 'star' }
  | { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'like' | 'ilike' | 'in' | 'includes' | 'add' | 'sub' | 'mul' | 'div'; left: BtqlExpr; right: BtqlExpr }
  | { op: 'and' | 'or'; children: BtqlExpr[] }
  | { op: 'not' | 'isnull' | 'isnotnull'; expr: BtqlExpr }
  | { op: 'function'; name: { op: 'ident'; name: string[] }; args: BtqlExpr[] };

export interface Aliased {
  alias: string;
  expr: BtqlExpr;
}

export interface BtqlJsonQuery {
  from: { op: 'function'; name: { op: 'ident'; name: string[] }; args: BtqlExpr[] };
  select?: Aliased[];
  dimensions?: Aliased[];
  measures?: Aliased[];
  filter?: BtqlExpr;
  sort?: Array<{ expr: BtqlExpr; dir: 'asc' | 'desc' }>;
  limit?: number;
  cursor?: string;
}

/** A dotted field path: field('output', 'patient_query'). */
export const field = (...path: string[]): BtqlExpr => ({ op: 'ident', name: path });
export const value = (literal: JsonValue): BtqlExpr => ({ op: 'literal', value: literal });

export const eq = (left: BtqlExpr, right: BtqlExpr): BtqlExpr => ({ op: 'eq', left, right });
export const lt = (left: BtqlExpr, right: BtqlExpr): BtqlExpr => ({ op: 'lt', left, right });
export const ge = (left: BtqlExpr, right: BtqlExpr): BtqlExpr => ({ op: 'ge', left, right });
export const ilike = (left: BtqlExpr, pattern: string): BtqlExpr => ({ op: 'ilike', left, right: value(pattern) });
export const inList = (left: BtqlExpr, values: JsonValue[]): BtqlExpr => ({ op: 'in', left, right: value(values) });
export const sub = (left: BtqlExpr, right: BtqlExpr): BtqlExpr => ({ op: 'sub', left, right });
export const and = (...children: BtqlExpr[]): BtqlExpr => ({ op: 'and', children });
export const or = (...children: BtqlExpr[]): BtqlExpr => ({ op: 'or', children });
export const isNotNull = (expr: BtqlExpr): BtqlExpr => ({ op: 'isnotnull', expr });
export const isNull = (expr: BtqlExpr): BtqlExpr => ({ op: 'isnull', expr });
export const ne = (left: BtqlExpr, right: BtqlExpr): BtqlExpr => ({ op: 'ne', left, right });
export const not = (expr: BtqlExpr): BtqlExpr => ({ op: 'not', expr });
export const call = (name: string, ...args: BtqlExpr[]): BtqlExpr => ({ op: 'function', name: { op: 'ident', name: [name] }, args });
export const countRows = (): BtqlExpr => call('count', { op: 'star' });

export const as = (alias: string, expr: BtqlExpr): Aliased => ({ alias, expr });

/** Which span a row is, and when it was made: root_span_id, span_id, created. */
export const spanIdentity = (): Aliased[] => [as('root_span_id', field('root_span_id')), as('span_id', field('span_id')), as('created', field('created'))];

export function projectLogs(projectId: string): BtqlJsonQuery['from'] {
  return { op: 'function', name: { op: 'ident', name: ['project_logs'] }, args: [value(projectId)] };
}

/** `%text%` for ILIKE with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
