// Prepared BTQL statements by SQL text, per connection: a query repeated with other values (the
// same trace lookup for another trace) is compiled by SQLite once. Emptied when full.
import type Database from 'better-sqlite3';
import type { ResultRow } from './compiled-query.js';
import type { SqlValue } from './expression-sql.js';

const CACHE_SIZE = 256;

export class StatementCache {
  private readonly statements = new Map<string, Database.Statement<SqlValue[], ResultRow>>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement<SqlValue[], ResultRow> {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= CACHE_SIZE) this.statements.clear();
      statement = this.db.prepare<SqlValue[], ResultRow>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
