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
  sort: SortItem[];
  limit?: number;
  cursor?: string;
}
