// Splits BTQL text (SQL or pipe form) into tokens that remember their line and column, so the
// parser can say exactly where a query is wrong.
import { BtqlError } from './btql-error.js';

export type TokenKind = 'word' | 'quoted_ident' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for words and punctuation; the decoded value for strings and quoted identifiers. */
  text: string;
  offset: number;
  line: number;
  column: number;
}

// Longest first, so "<=" wins over "<".
const PUNCTUATION = ['==', '!=', '<>', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '.', ':', '|', ';'];

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return `string '${token.text}'`;
    case 'quoted_ident':
      return `\`${token.text}\``;
    default:
      return `"${token.text}"`;
  }
}

export function positionOf(token: Pick<Token, 'line' | 'column'>): string {
  return `line ${token.line}, column ${token.column}`;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): Pick<Token, 'offset' | 'line' | 'column'> => ({ offset, line, column: offset - lineStart + 1 });
  const advance = (count: number): void => {
    for (let i = 0; i < count; i++) {
      if (source[offset] === '\n') {
        line++;
        lineStart = offset + 1;
      }
      offset++;
    }
  };

  while (offset < source.length) {
    const ch = source[offset]!;
    if (/\s/.test(ch)) {
      advance(1);
      continue;
    }
    if (source.startsWith('--', offset)) {
      while (offset < source.length && source[offset] !== '\n') advance(1);
      continue;
    }
    const start = here();
    if (/[A-Za-z_$]/.test(ch)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(offset))!;
      tokens.push({ kind: 'word', text: match[0], ...start });
      advance(match[0].length);
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(offset))!;
      tokens.push({ kind: 'number', text: match[0], ...start });
      advance(match[0].length);
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const { value, length } = readQuoted(source, offset, ch, start);
      tokens.push({ kind: ch === '`' ? 'quoted_ident' : 'string', text: value, ...start });
      advance(length);
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, offset));
    if (punct) {
      tokens.push({ kind: 'punct', text: punct, ...start });
      advance(punct.length);
      continue;
    }
    throw new BtqlError(`unexpected character ${JSON.stringify(ch)}`, positionOf(start));
  }
  tokens.push({ kind: 'eof', text: '', ...here() });
  return tokens;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

// A quote is escaped by doubling it (SQL style) or with a backslash.
function readQuoted(
  source: string,
  start: number,
  quote: string,
  position: Pick<Token, 'line' | 'column'>,
): { value: string; length: number } {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === quote) {
      if (source[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, length: i + 1 - start };
    }
    if (ch === '\\' && i + 1 < source.length) {
      // Unknown escapes keep their backslash, so LIKE patterns such as '100\%' survive.
      const next = source[i + 1]!;
      value += ESCAPES[next] ?? (next === quote || next === '\\' ? next : `\\${next}`);
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw new BtqlError(`unterminated ${quote === '`' ? 'quoted identifier' : 'string'}`, positionOf(position));
}
