// The one query shape every BTQL input form (SQL text, pipe text, the SDK's JSON AST) is turned
// into before it is compiled to SQLite. `at` says where a node came from, for error messages.
import type { JsonValue } from '../../../lib/json.js';

export type ObjectType = 'project_logs' | 'experiment' | 'dataset';
export const OBJECT_TYPES: readonly ObjectType[] = ['project_logs', 'experiment', 'dataset'];

/** A field path: strings are object keys, numbers are array indexes. */
export type FieldPath = (string | number)[];

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'mod';

interface Located {
  /** Human-readable origin: "line 1, column 12" or "query.filter.children[0]". */
  at?: string;
}

export type Expr =
  | (Located & { kind: 'ident'; path: FieldPath })
  | (Located & { kind: 'literal'; value: JsonValue })
  | (Located & { kind: 'list'; items: Expr[] })
  | (Located & { kind: 'compare'; op: CompareOp; left: Expr; right: Expr })
  | (Located & { kind: 'like'; caseInsensitive: boolean; negated: boolean; left: Expr; pattern: Expr })
  | (Located & { kind: 'in'; negated: boolean; left: Expr; right: Expr })
  | (Located & { kind: 'includes'; negated: boolean; haystack: Expr; needle: Expr })
  | (Located & { kind: 'logical'; op: 'and' | 'or'; children: Expr[] })
  | (Located & { kind: 'not'; expr: Expr })
  | (Located & { kind: 'null_check'; negated: boolean; expr: Expr })
  | (Located & { kind: 'arithmetic'; op: ArithmeticOp; left: Expr; right: Expr })
  | (Located & { kind: 'negate'; expr: Expr })
  | (Located & { kind: 'call'; name: string; args: Expr[] });

export interface SelectItem {
  expr: Expr;
  alias: string;
}

export type Selection = { kind: 'star' } | { kind: 'fields'; items: SelectItem[] };

export interface SortItem {
  expr: Expr;
  direction: 'asc' | 'desc';
}

export interface BtqlSource {
  objectType: ObjectType;
  objectIds: string[];
}

export interface BtqlQuery {
  select: Selection;
  from: BtqlSource;
  filter?: Expr;
  /**
   * Grouping keys (SQL GROUP BY, or the pipe form's dimensions). A query is an aggregate query when
   * it has these, a HAVING, or an aggregate function in its select list.
   */
  groupBy?: Expr[];
  /** Kept groups (SQL HAVING): may use aggregates, grouping keys and select aliases. */
  having?: Expr;
  sort: SortItem[];
  limit?: number;
  cursor?: string;
}

/** The aggregate functions; `count()` with no argument (written `count(*)`) counts rows. */
export type AggregateName = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max' | 'percentile';
export const AGGREGATE_NAMES: readonly AggregateName[] = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'percentile'];

export function isAggregateCall(expr: Expr): expr is Extract<Expr, { kind: 'call' }> & { name: AggregateName } {
  return expr.kind === 'call' && (AGGREGATE_NAMES as readonly string[]).includes(expr.name);
}

/** The direct sub-expressions of a node, for walks over the tree. */
export function childrenOf(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'ident':
    case 'literal':
      return [];
    case 'list':
      return expr.items;
    case 'compare':
    case 'arithmetic':
      return [expr.left, expr.right];
    case 'like':
      return [expr.left, expr.pattern];
    case 'in':
      return [expr.left, expr.right];
    case 'includes':
      return [expr.haystack, expr.needle];
    case 'logical':
      return expr.children;
    case 'not':
    case 'null_check':
    case 'negate':
      return [expr.expr];
    case 'call':
      return expr.args;
  }
}

/** True when the tree holds an aggregate call anywhere. */
export function containsAggregate(expr: Expr): boolean {
  return isAggregateCall(expr) || childrenOf(expr).some(containsAggregate);
}

/** Structural equality that ignores source positions: `a.b` in SELECT and in GROUP BY are the same key. */
export function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a, withoutPositions) === JSON.stringify(b, withoutPositions);
}

function withoutPositions(key: string, value: unknown): unknown {
  return key === 'at' ? undefined : value;
}
