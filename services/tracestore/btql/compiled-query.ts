// What a compiled query is (SQL, bound values, how to read its rows) and the select-list rules both
// the plain and the grouped compiler apply.
import type { Expr, SelectItem } from './ast.js';
import { BtqlError } from './btql-error.js';
import type { BtqlCursor } from './cursor.js';
import type { SqlValue } from './expression-sql.js';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 100_000;

/** How the runner turns a result row into a JSON object. */
export type CompiledOutput =
  /** Each row has a `row_json` column: the stored row. */
  | { kind: 'star' }
  /** One JSON-text column `c<i>` per alias. */
  | { kind: 'fields'; aliases: string[] }
  /** Aggregates: an SQL value `s<i>` per column, plus JSON text `j<i>` for fields whose JSON type must survive. */
  | { kind: 'grouped'; columns: Array<{ alias: string; json: boolean }> };

/** A result row: JSON text columns (c<i>, j<i>, row_json), page_key, and plain SQL values s<i> of grouped queries. */
export type ResultRow = Record<string, string | number | null>;

export interface CompiledBtql {
  sql: string;
  params: SqlValue[];
  output: CompiledOutput;
  limit: number;
  /** Default order pages by _pagination_key (keyset); a custom sort and groups page by offset. */
  paging: 'keyset' | 'offset';
}

export interface CompileOptions {
  /** Only rows written at or before this transaction id. */
  version?: string;
  cursor?: BtqlCursor;
}

export function assertDistinctAliases(items: SelectItem[]): void {
  const aliases = new Set<string>();
  for (const item of items) {
    if (aliases.has(item.alias)) throw new BtqlError(`two selected fields are both named "${item.alias}": add AS <alias>`, item.expr.at);
    aliases.add(item.alias);
  }
}

/** `ORDER BY t` after `SELECT metrics.tokens AS t` sorts by metrics.tokens: a lone name that is a select alias means the alias. */
export function selectedExpr(expr: Expr, items: SelectItem[]): Expr {
  if (expr.kind !== 'ident' || expr.path.length !== 1) return expr;
  return items.find((item) => item.alias === expr.path[0])?.expr ?? expr;
}
