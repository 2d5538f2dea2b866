// Recursive-descent parser for the two text forms of BTQL:
//   SQL:  SELECT * | expr [AS alias], … FROM project_logs('<id>') [WHERE expr] [GROUP BY expr, …] [HAVING expr]
//         [ORDER BY expr [ASC|DESC], …] [LIMIT n]
//   pipe: select: … | from: project_logs('<id>') | filter: expr | sort: expr [asc|desc], … | limit: n | cursor: '…'
//         or, to aggregate, dimensions: expr [as alias], … | measures: agg(expr) [as alias], … instead of select:
// (pipe clauses may also be separated by newlines). Both produce the same BtqlQuery.
import type { ArithmeticOp, BtqlQuery, BtqlSource, CompareOp, Expr, FieldPath, SelectItem, Selection, SortItem } from './ast.js';
import { OBJECT_TYPES, type ObjectType } from './ast.js';
import { BtqlError } from './btql-error.js';
import { describeToken, positionOf, tokenize, type Token } from './tokenizer.js';

// Words that end an expression or a list, so they cannot be bare field names (quote them with backticks).
const RESERVED = new Set([
  'and', 'or', 'not', 'is', 'null', 'true', 'false', 'like', 'ilike', 'in', 'includes', 'contains',
  'as', 'asc', 'desc', 'select', 'from', 'where', 'group', 'having', 'order', 'by', 'limit', 'cursor',
]);

const PIPE_CLAUSES = new Set(['select', 'from', 'filter', 'dimensions', 'measures', 'sort', 'limit', 'cursor']);
// Known BTQL clauses this store does not run yet: named in the error instead of "unexpected word".
const UNSUPPORTED_CLAUSES = new Set(['pivot', 'unpivot', 'preview_length', 'inference_budget']);

const COMPARE_OPS: Record<string, CompareOp> = { '=': 'eq', '==': 'eq', '!=': 'ne', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

export function parseBtqlText(source: string): BtqlQuery {
  const parser = new Parser(tokenize(source));
  return parser.parseQuery();
}

/** Parses a lone expression (a filter typed in a search box). */
export function parseBtqlExpression(source: string): Expr {
  const parser = new Parser(tokenize(source));
  return parser.parseStandaloneExpression();
}

interface PartialQuery {
  select?: Selection;
  from?: BtqlSource;
  filter?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  sort?: SortItem[];
  limit?: number;
  cursor?: string;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): BtqlQuery {
    const first = this.peek();
    const startsPipe = first.kind === 'word' && this.peek(1).kind === 'punct' && this.peek(1).text === ':';
    const query = startsPipe ? this.parsePipeQuery() : this.parseSqlQuery();
    if (!query.from) throw new BtqlError('the query needs a from clause, e.g. from: project_logs(\'<id>\')', positionOf(first));
    return {
      select: query.select ?? { kind: 'star' },
      from: query.from,
      filter: query.filter,
      ...(query.groupBy ? { groupBy: query.groupBy } : {}),
      ...(query.having ? { having: query.having } : {}),
      sort: query.sort ?? [],
      limit: query.limit,
      cursor: query.cursor,
    };
  }

  parseStandaloneExpression(): Expr {
    const expr = this.parseExpression();
    this.expectEnd();
    return expr;
  }

  // ---- query forms -------------------------------------------------------------------------

  private parseSqlQuery(): PartialQuery {
    const query: PartialQuery = {};
    this.expectKeyword('select');
    query.select = this.parseSelection(true);
    this.expectKeyword('from');
    query.from = this.parseSource();
    if (this.acceptKeyword('where')) query.filter = this.parseExpression();
    if (this.acceptKeyword('group')) {
      this.expectKeyword('by');
      query.groupBy = this.parseExpressionList();
    }
    if (this.acceptKeyword('having')) query.having = this.parseExpression();
    if (this.acceptKeyword('order')) {
      this.expectKeyword('by');
      query.sort = this.parseSortList();
    }
    if (this.acceptKeyword('limit')) query.limit = this.parseLimit();
    if (this.acceptKeyword('cursor')) query.cursor = this.expectString();
    this.acceptPunct(';');
    this.expectEnd();
    return query;
  }

  private parsePipeQuery(): PartialQuery {
    const query: PartialQuery = {};
    const seen = new Set<string>();
    let dimensions: SelectItem[] | undefined;
    let measures: SelectItem[] | undefined;
    let selectToken: Token | undefined;
    let aggregateToken: Token | undefined;
    while (this.peek().kind !== 'eof') {
      if (this.acceptPunct('|')) continue;
      const clauseToken = this.peek();
      const clause = clauseToken.kind === 'word' ? clauseToken.text.toLowerCase() : '';
      if (UNSUPPORTED_CLAUSES.has(clause)) {
        throw new BtqlError(`the ${clause} clause is not supported by the local trace store yet`, positionOf(clauseToken));
      }
      if (!PIPE_CLAUSES.has(clause) || !(this.peek(1).kind === 'punct' && this.peek(1).text === ':')) {
        throw new BtqlError(
          `expected a clause (select:, from:, filter:, dimensions:, measures:, sort:, limit:, cursor:) but found ${describeToken(clauseToken)}`,
          positionOf(clauseToken),
        );
      }
      if (seen.has(clause)) throw new BtqlError(`the ${clause} clause appears twice`, positionOf(clauseToken));
      seen.add(clause);
      this.index += 2;
      switch (clause) {
        case 'select':
          selectToken = clauseToken;
          query.select = this.parseSelection(false);
          break;
        case 'dimensions':
          aggregateToken ??= clauseToken;
          dimensions = this.parseSelection(false, false).items;
          break;
        case 'measures':
          aggregateToken ??= clauseToken;
          measures = this.parseSelection(false, false).items;
          break;
        case 'from':
          query.from = this.parseSource();
          break;
        case 'filter':
          query.filter = this.parseExpression();
          break;
        case 'sort':
          query.sort = this.parseSortList();
          break;
        case 'limit':
          query.limit = this.parseLimit();
          break;
        case 'cursor':
          query.cursor = this.expectString();
          break;
      }
      const after = this.peek();
      const endsClause =
        after.kind === 'eof' ||
        (after.kind === 'punct' && after.text === '|') ||
        (after.kind === 'word' && this.peek(1).kind === 'punct' && this.peek(1).text === ':');
      if (!endsClause) {
        throw new BtqlError(`unexpected ${describeToken(after)} after the ${clause} clause`, positionOf(after));
      }
    }
    if (aggregateToken) {
      if (selectToken) {
        const later = selectToken.offset > aggregateToken.offset ? selectToken : aggregateToken;
        throw new BtqlError('select: cannot be combined with dimensions:/measures: (put the grouped fields in dimensions:)', positionOf(later));
      }
      // Dimensions are both grouping keys and output columns; measures follow them.
      query.select = { kind: 'fields', items: [...(dimensions ?? []), ...(measures ?? [])] };
      query.groupBy = (dimensions ?? []).map((item) => item.expr);
    }
    return query;
  }

  private parseSelection(allowBareAlias: boolean): Selection;
  private parseSelection(allowBareAlias: boolean, allowStar: false): Extract<Selection, { kind: 'fields' }>;
  private parseSelection(allowBareAlias: boolean, allowStar = true): Selection {
    if (allowStar && this.acceptPunct('*')) return { kind: 'star' };
    const items: SelectItem[] = [];
    do {
      const start = this.peek();
      const expr = this.parseExpression();
      let alias: string | undefined;
      if (this.acceptKeyword('as')) {
        alias = this.expectName('an alias after AS');
      } else if (allowBareAlias && this.isBareAlias()) {
        alias = this.expectName('an alias');
      }
      alias ??= defaultAlias(expr);
      if (alias === undefined) {
        throw new BtqlError('this select expression needs a name: add AS <alias>', positionOf(start));
      }
      items.push({ expr, alias });
    } while (this.acceptPunct(','));
    return { kind: 'fields', items };
  }

  private isBareAlias(): boolean {
    const token = this.peek();
    if (token.kind === 'quoted_ident') return true;
    return token.kind === 'word' && !RESERVED.has(token.text.toLowerCase());
  }

  private parseSource(): BtqlSource {
    const nameToken = this.peek();
    if (nameToken.kind !== 'word') {
      throw new BtqlError(`expected project_logs, experiment or dataset but found ${describeToken(nameToken)}`, positionOf(nameToken));
    }
    const name = nameToken.text.toLowerCase();
    if (!(OBJECT_TYPES as readonly string[]).includes(name)) {
      throw new BtqlError(`unknown source "${nameToken.text}": expected project_logs, experiment or dataset`, positionOf(nameToken));
    }
    this.index++;
    this.expectPunct('(');
    const objectIds: string[] = [];
    do {
      objectIds.push(this.expectString());
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    // An optional shape word: only span rows are stored, so "spans" is the one accepted.
    const shape = this.peek();
    if (shape.kind === 'word' && ['spans', 'traces', 'summary'].includes(shape.text.toLowerCase())) {
      if (shape.text.toLowerCase() !== 'spans') {
        throw new BtqlError(`the "${shape.text}" shape is not supported by the local trace store: use spans`, positionOf(shape));
      }
      this.index++;
    }
    return { objectType: name as ObjectType, objectIds };
  }

  private parseExpressionList(): Expr[] {
    const items: Expr[] = [];
    do {
      items.push(this.parseExpression());
    } while (this.acceptPunct(','));
    return items;
  }

  private parseSortList(): SortItem[] {
    const items: SortItem[] = [];
    do {
      const expr = this.parseExpression();
      let direction: 'asc' | 'desc' = 'asc';
      if (this.acceptKeyword('desc')) direction = 'desc';
      else this.acceptKeyword('asc');
      items.push({ expr, direction });
    } while (this.acceptPunct(','));
    return items;
  }

  private parseLimit(): number {
    const token = this.peek();
    if (token.kind !== 'number' || !/^[0-9]+$/.test(token.text)) {
      throw new BtqlError(`expected a whole number after limit but found ${describeToken(token)}`, positionOf(token));
    }
    this.index++;
    return Number(token.text);
  }

  // ---- expressions (lowest precedence first) ------------------------------------------------

  private parseExpression(): Expr {
    return this.parseOr();
  }

  private parseOr(): Expr {
    const first = this.peek();
    const children = [this.parseAnd()];
    while (this.acceptKeyword('or')) children.push(this.parseAnd());
    return children.length === 1 ? children[0]! : { kind: 'logical', op: 'or', children, at: positionOf(first) };
  }

  private parseAnd(): Expr {
    const first = this.peek();
    const children = [this.parseNot()];
    while (this.acceptKeyword('and')) children.push(this.parseNot());
    return children.length === 1 ? children[0]! : { kind: 'logical', op: 'and', children, at: positionOf(first) };
  }

  private parseNot(): Expr {
    const token = this.peek();
    if (this.acceptKeyword('not')) return { kind: 'not', expr: this.parseNot(), at: positionOf(token) };
    return this.parsePredicate();
  }

  private parsePredicate(): Expr {
    const start = this.peek();
    const at = positionOf(start);
    const left = this.parseAdditive();
    const token = this.peek();
    if (token.kind === 'punct' && token.text in COMPARE_OPS) {
      this.index++;
      return { kind: 'compare', op: COMPARE_OPS[token.text]!, left, right: this.parseAdditive(), at: positionOf(token) };
    }
    if (this.acceptKeyword('is')) {
      const negated = this.acceptKeyword('not');
      this.expectKeyword('null');
      return { kind: 'null_check', negated, expr: left, at };
    }
    const negated = this.peekKeyword('not') && this.isPredicateKeyword(this.peek(1));
    if (negated) this.index++;
    if (this.acceptKeyword('like')) return { kind: 'like', caseInsensitive: false, negated, left, pattern: this.parseAdditive(), at };
    if (this.acceptKeyword('ilike')) return { kind: 'like', caseInsensitive: true, negated, left, pattern: this.parseAdditive(), at };
    if (this.acceptKeyword('in')) return { kind: 'in', negated, left, right: this.parseInList(), at };
    if (this.acceptKeyword('includes') || this.acceptKeyword('contains')) {
      return { kind: 'includes', negated, haystack: left, needle: this.parseAdditive(), at };
    }
    if (negated) {
      const after = this.peek();
      throw new BtqlError(`expected LIKE, ILIKE, IN or INCLUDES after NOT but found ${describeToken(after)}`, positionOf(after));
    }
    return left;
  }

  private isPredicateKeyword(token: Token): boolean {
    return token.kind === 'word' && ['like', 'ilike', 'in', 'includes', 'contains'].includes(token.text.toLowerCase());
  }

  private parseInList(): Expr {
    const open = this.peek();
    if (open.kind === 'punct' && (open.text === '(' || open.text === '[')) {
      this.index++;
      const close = open.text === '(' ? ')' : ']';
      const items: Expr[] = [];
      if (!this.acceptPunct(close)) {
        do {
          items.push(this.parseExpression());
        } while (this.acceptPunct(','));
        this.expectPunct(close);
      }
      return { kind: 'list', items, at: positionOf(open) };
    }
    return this.parseAdditive();
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const token = this.peek();
      const op: ArithmeticOp | undefined = token.kind === 'punct' ? ({ '+': 'add', '-': 'sub' } as const)[token.text as '+' | '-'] : undefined;
      if (!op) return left;
      this.index++;
      left = { kind: 'arithmetic', op, left, right: this.parseMultiplicative(), at: positionOf(token) };
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      const op: ArithmeticOp | undefined =
        token.kind === 'punct' ? ({ '*': 'mul', '/': 'div', '%': 'mod' } as const)[token.text as '*' | '/' | '%'] : undefined;
      if (!op) return left;
      this.index++;
      left = { kind: 'arithmetic', op, left, right: this.parseUnary(), at: positionOf(token) };
    }
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (this.acceptPunct('-')) {
      const inner = this.parseUnary();
      if (inner.kind === 'literal' && typeof inner.value === 'number') return { ...inner, value: -inner.value };
      return { kind: 'negate', expr: inner, at: positionOf(token) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    const at = positionOf(token);
    switch (token.kind) {
      case 'string':
        this.index++;
        return { kind: 'literal', value: token.text, at };
      case 'number':
        this.index++;
        return { kind: 'literal', value: Number(token.text), at };
      case 'punct':
        if (token.text === '(') {
          this.index++;
          const inner = this.parseExpression();
          this.expectPunct(')');
          return inner;
        }
        if (token.text === '[') {
          this.index++;
          const items: Expr[] = [];
          if (!this.acceptPunct(']')) {
            do {
              items.push(this.parseExpression());
            } while (this.acceptPunct(','));
            this.expectPunct(']');
          }
          return { kind: 'list', items, at };
        }
        break;
      case 'quoted_ident':
        return this.parseFieldOrCall();
      case 'word': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') {
          this.index++;
          return { kind: 'literal', value: word === 'true', at };
        }
        if (word === 'null') {
          this.index++;
          return { kind: 'literal', value: null, at };
        }
        if (RESERVED.has(word)) break;
        return this.parseFieldOrCall();
      }
      case 'eof':
        break;
    }
    throw new BtqlError(`expected a field, a value or "(" but found ${describeToken(token)}`, at);
  }

  private parseFieldOrCall(): Expr {
    const first = this.peek();
    const at = positionOf(first);
    const head = this.expectName('a field name');
    if (first.kind === 'word' && this.acceptPunct('(')) {
      const name = head.toLowerCase();
      // count(*) counts rows: an aggregate with no argument.
      if (name === 'count' && this.peek().kind === 'punct' && this.peek().text === '*') {
        this.index++;
        this.expectPunct(')');
        return { kind: 'call', name, args: [], at };
      }
      const args: Expr[] = [];
      if (!this.acceptPunct(')')) {
        do {
          args.push(this.parseExpression());
        } while (this.acceptPunct(','));
        this.expectPunct(')');
      }
      return { kind: 'call', name, args, at };
    }
    const path: FieldPath = [head];
    for (;;) {
      if (this.acceptPunct('.')) {
        const segment = this.peek();
        if (segment.kind === 'number') {
          // "a.0.1" tokenizes as a.(0.1): each digit run is its own key.
          this.index++;
          path.push(...segment.text.split('.'));
        } else if (segment.kind === 'word' || segment.kind === 'quoted_ident' || segment.kind === 'string') {
          this.index++;
          path.push(segment.text);
        } else {
          throw new BtqlError(`expected a field name after "." but found ${describeToken(segment)}`, positionOf(segment));
        }
        continue;
      }
      const bracket = this.peek();
      if (bracket.kind === 'punct' && bracket.text === '[') {
        this.index++;
        const key = this.peek();
        if (key.kind === 'number' && /^[0-9]+$/.test(key.text)) path.push(Number(key.text));
        else if (key.kind === 'string') path.push(key.text);
        else throw new BtqlError(`expected an array index or a quoted key inside [] but found ${describeToken(key)}`, positionOf(key));
        this.index++;
        this.expectPunct(']');
        continue;
      }
      return { kind: 'ident', path, at };
    }
  }

  // ---- token helpers ------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.peekKeyword(word)) return false;
    this.index++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) {
      const token = this.peek();
      throw new BtqlError(`expected ${word.toUpperCase()} but found ${describeToken(token)}`, positionOf(token));
    }
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.index++;
    return true;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) {
      const token = this.peek();
      throw new BtqlError(`expected "${text}" but found ${describeToken(token)}`, positionOf(token));
    }
  }

  private expectString(): string {
    const token = this.peek();
    if (token.kind !== 'string') throw new BtqlError(`expected a quoted string but found ${describeToken(token)}`, positionOf(token));
    this.index++;
    return token.text;
  }

  private expectName(what: string): string {
    const token = this.peek();
    if (token.kind === 'quoted_ident' || (token.kind === 'word' && !RESERVED.has(token.text.toLowerCase()))) {
      this.index++;
      return token.text;
    }
    throw new BtqlError(`expected ${what} but found ${describeToken(token)}`, positionOf(token));
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'eof') throw new BtqlError(`unexpected ${describeToken(token)}`, positionOf(token));
  }
}

/**
 * A field's alias is its last path segment and a function call's its name (`count(*)` → count);
 * other expressions need an explicit AS.
 */
export function defaultAlias(expr: Expr): string | undefined {
  if (expr.kind === 'call') return expr.name;
  if (expr.kind !== 'ident') return undefined;
  const last = expr.path[expr.path.length - 1];
  return last === undefined ? undefined : String(last);
}
