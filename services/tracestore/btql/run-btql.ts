// Runs a /btql request body ({query: string | JSON AST, version?, cursor?, fmt?}) and answers
// {"data":[rows…],"cursor"?} as JSON text built straight from SQLite's JSON (no re-parsing).
// Queries are compiled here and run on the read threads (db/read-threads.ts) when there are some;
// an in-memory database has none and runs them on this thread.
import { isJsonObject, type JsonValue } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';
import type { ReadThreads } from '../db/read-threads.js';
import { normalizeVersion } from '../store/sequences.js';
import type { BtqlQuery } from './ast.js';
import { BtqlError } from './btql-error.js';
import type { ResultRow } from './compiled-query.js';
import { compileBtql, type CompiledOutput, type CompileOptions } from './compiler.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { btqlQueryFromJson } from './json-ast.js';
import { parseBtqlText } from './parser.js';
import { registerBtqlFunctions } from './sql-functions.js';
import { StatementCache } from './statement-cache.js';

export class BtqlRunner {
  private readonly statements: StatementCache;

  constructor(
    db: TraceDatabase,
    private readonly readers?: ReadThreads,
  ) {
    registerBtqlFunctions(db);
    this.statements = new StatementCache(db);
  }

  /** Parses and runs a request body; rejects with BtqlError for anything wrong with the query. */
  async run(body: JsonValue | undefined): Promise<string> {
    if (!isJsonObject(body)) throw new BtqlError('the request body must be a JSON object with a "query"');
    if (body.fmt !== undefined && body.fmt !== null && body.fmt !== 'json') {
      throw new BtqlError(`fmt "${String(body.fmt)}" is not supported: only json`, 'fmt');
    }
    const query = parseQuery(body.query);
    const cursorText = query.cursor ?? (typeof body.cursor === 'string' ? body.cursor : undefined);
    return this.execute(query, {
      version: versionOf(body.version),
      cursor: cursorText ? decodeCursor(cursorText) : undefined,
    });
  }

  private async execute(query: BtqlQuery, options: CompileOptions): Promise<string> {
    const compiled = compileBtql(query, options);
    const rows = this.readers ? await this.readers.btql(compiled.sql, compiled.params) : this.statements.get(compiled.sql).all(...compiled.params);
    const hasMore = rows.length > compiled.limit;
    const page = hasMore ? rows.slice(0, compiled.limit) : rows;

    const data = page.map((row) => rowJson(row, compiled.output));

    let cursor: string | undefined;
    if (hasMore && page.length > 0) {
      cursor =
        compiled.paging === 'keyset'
          ? encodeCursor({ kind: 'keyset', after: String(page[page.length - 1]!.page_key) })
          : encodeCursor({ kind: 'offset', offset: (options.cursor?.kind === 'offset' ? options.cursor.offset : 0) + page.length });
    }
    return `{"data":[${data.join(',')}]${cursor ? `,"cursor":${JSON.stringify(cursor)}` : ''}}`;
  }
}

/** One answer row as JSON text, built from SQLite's own JSON where there is some (no re-parsing). */
function rowJson(row: ResultRow, output: CompiledOutput): string {
  switch (output.kind) {
    case 'star':
      return String(row.row_json ?? 'null');
    case 'fields':
      return `{${output.aliases.map((alias, i) => `${JSON.stringify(alias)}:${row[`c${i}`] ?? 'null'}`).join(',')}}`;
    case 'grouped':
      return `{${output.columns
        .map(({ alias, json }, i) => {
          const value = json ? row[`j${i}`] : undefined;
          return `${JSON.stringify(alias)}:${value ?? JSON.stringify(row[`s${i}`] ?? null)}`;
        })
        .join(',')}}`;
  }
}

function parseQuery(query: JsonValue | undefined): BtqlQuery {
  if (typeof query === 'string') {
    if (query.trim() === '') throw new BtqlError('the query is empty', 'query');
    return parseBtqlText(query);
  }
  if (isJsonObject(query)) return btqlQueryFromJson(query);
  throw new BtqlError('"query" must be a BTQL string or a JSON query object', 'query');
}

function versionOf(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const normalized = normalizeVersion(String(value));
  if (normalized === undefined) throw new BtqlError(`version must be a transaction id (digits), got ${JSON.stringify(value)}`, 'version');
  return normalized;
}
