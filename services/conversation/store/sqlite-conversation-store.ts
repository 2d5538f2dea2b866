// The embedded default: conversations in a SQLite file under the data directory (one node). A
// restart keeps every conversation; migrations are numbered with PRAGMA user_version.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import Database from 'better-sqlite3';
import type { TurnResult } from '../../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import {
  ConversationGoneError,
  DuplicateRequestError,
  FIRST_MESSAGE_PREVIEW_CHARS,
  type ConversationHistory,
  type ConversationStore,
  type ConversationSummaryRow,
  type DeleteOutcome,
  type ListCursor,
  type StoredConversation,
  type StoredTurn,
  type TurnLease,
  type TurnOfRequest,
} from './conversation-store.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS conversations (
     conversation_id TEXT PRIMARY KEY,
     create_time INTEGER NOT NULL,
     update_time INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS turns (
     conversation_id TEXT NOT NULL REFERENCES conversations(conversation_id),
     turn_index INTEGER NOT NULL,
     user_message TEXT NOT NULL,
     messages_json TEXT NOT NULL,
     result_json TEXT NOT NULL,
     start_time INTEGER NOT NULL,
     PRIMARY KEY (conversation_id, turn_index)
   );`,
  `ALTER TABLE conversations ADD COLUMN turn_holder TEXT;
   ALTER TABLE conversations ADD COLUMN turn_lease_until INTEGER;`,
  // ListConversations pages by (update_time, conversation_id), newest first.
  `CREATE INDEX IF NOT EXISTS conversations_by_update ON conversations (update_time DESC, conversation_id DESC);`,
  // A turn's idempotency key (request_id): a retry finds the turn it repeats; two tries never both store.
  `ALTER TABLE turns ADD COLUMN request_id TEXT;
   CREATE UNIQUE INDEX IF NOT EXISTS turns_by_request_id ON turns (request_id) WHERE request_id IS NOT NULL;`,
];

interface TurnRow {
  turn_index: number;
  user_message: string;
  result_json: string;
  messages_json: string;
  start_time: number;
  request_id: string | null;
}

function storedTurn(row: Omit<TurnRow, 'messages_json'>): StoredTurn {
  return {
    turnIndex: row.turn_index,
    userMessage: row.user_message,
    result: JSON.parse(row.result_json) as TurnResult,
    startTime: new Date(row.start_time),
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
  };
}

export class SqliteConversationStore implements ConversationStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // WAL with NORMAL sync: a commit is not fsynced (checkpoints are), so the two small writes before
    // a turn's first token cost microseconds; a crash of the process loses nothing, a power cut at
    // most the last turns — never the database.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Statements are compiled once and reused: compiling one costs more than running it. */
  private statement(sql: string): Database.Statement {
    let compiled = this.statements.get(sql);
    if (!compiled) {
      compiled = this.db.prepare(sql);
      this.statements.set(sql, compiled);
    }
    return compiled;
  }

  private migrate(): void {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    this.db.transaction(() => {
      for (let version = applied; version < MIGRATIONS.length; version++) this.db.exec(MIGRATIONS[version] ?? '');
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
  }

  async createConversation(conversationId: string): Promise<boolean> {
    const now = Date.now();
    const inserted = this.statement('INSERT INTO conversations (conversation_id, create_time, update_time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(conversationId, now, now);
    return inserted.changes === 1;
  }

  async exists(conversationId: string): Promise<boolean> {
    return this.statement('SELECT 1 FROM conversations WHERE conversation_id = ?').get(conversationId) !== undefined;
  }

  async claimTurn(conversationId: string, holder: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const claimed = this.statement(
        `UPDATE conversations SET turn_holder = ?, turn_lease_until = ?
         WHERE conversation_id = ? AND (turn_lease_until IS NULL OR turn_lease_until < ?)`,
      )
      .run(holder, now + leaseMs, conversationId, now);
    return claimed.changes === 1;
  }

  async renewTurn(conversationId: string, holder: string, leaseMs: number): Promise<void> {
    this.statement('UPDATE conversations SET turn_lease_until = ? WHERE conversation_id = ? AND turn_holder = ?')
      .run(Date.now() + leaseMs, conversationId, holder);
  }

  async releaseTurn(conversationId: string, holder: string): Promise<void> {
    this.statement('UPDATE conversations SET turn_holder = NULL, turn_lease_until = NULL WHERE conversation_id = ? AND turn_holder = ?')
      .run(conversationId, holder);
  }

  async leasesHeldBy(holderPrefix: string): Promise<TurnLease[]> {
    return this.statement(
      `SELECT conversation_id AS conversationId, turn_holder AS holder FROM conversations
       WHERE turn_holder IS NOT NULL AND substr(turn_holder, 1, length(?)) = ? AND turn_lease_until >= ?`,
    ).all(holderPrefix, holderPrefix, Date.now()) as TurnLease[];
  }

  async history(conversationId: string): Promise<ConversationHistory> {
    const rows = this.statement('SELECT messages_json FROM turns WHERE conversation_id = ? ORDER BY turn_index')
      .all(conversationId) as Array<Pick<TurnRow, 'messages_json'>>;
    return { messages: rows.flatMap((row) => JSON.parse(row.messages_json) as MessageParam[]), nextTurnIndex: rows.length };
  }

  async appendTurn(conversationId: string, turn: StoredTurn, messages: MessageParam[]): Promise<void> {
    this.db.transaction(() => {
      // SQLite does not enforce the foreign key: a conversation deleted while the turn ran is checked for here.
      const updated = this.statement('UPDATE conversations SET update_time = ? WHERE conversation_id = ?').run(Date.now(), conversationId);
      if (updated.changes !== 1) throw new ConversationGoneError(conversationId);
      if (turn.requestId !== undefined && this.statement('SELECT 1 FROM turns WHERE request_id = ?').get(turn.requestId) !== undefined) {
        throw new DuplicateRequestError(turn.requestId);
      }
      this.statement('INSERT INTO turns (conversation_id, turn_index, user_message, messages_json, result_json, start_time, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(conversationId, turn.turnIndex, turn.userMessage, JSON.stringify(messages), JSON.stringify(turn.result), turn.startTime.getTime(), turn.requestId ?? null);
    })();
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const conversation = this.statement('SELECT create_time, update_time FROM conversations WHERE conversation_id = ?')
      .get(conversationId) as { create_time: number; update_time: number } | undefined;
    if (!conversation) return undefined;
    const rows = this.statement('SELECT turn_index, user_message, result_json, start_time, request_id FROM turns WHERE conversation_id = ? ORDER BY turn_index')
      .all(conversationId) as TurnRow[];
    return {
      conversationId,
      createTime: new Date(conversation.create_time),
      updateTime: new Date(conversation.update_time),
      turns: rows.map(storedTurn),
    };
  }

  async listTurns(conversationId: string, limit: number, afterTurnIndex: number): Promise<StoredTurn[] | undefined> {
    // One read transaction: the existence check and the page see the same state.
    return this.db.transaction(() => {
      if (this.statement('SELECT 1 FROM conversations WHERE conversation_id = ?').get(conversationId) === undefined) return undefined;
      const rows = this.statement(
        'SELECT turn_index, user_message, result_json, start_time, request_id FROM turns WHERE conversation_id = ? AND turn_index > ? ORDER BY turn_index LIMIT ?',
      ).all(conversationId, afterTurnIndex, limit) as TurnRow[];
      return rows.map(storedTurn);
    })();
  }

  async turnOfRequest(requestId: string): Promise<TurnOfRequest | undefined> {
    const row = this.statement('SELECT conversation_id, turn_index, user_message, result_json, start_time, request_id FROM turns WHERE request_id = ?')
      .get(requestId) as (TurnRow & { conversation_id: string }) | undefined;
    return row && { conversationId: row.conversation_id, turn: storedTurn(row) };
  }

  async listConversations(limit: number, after?: ListCursor): Promise<ConversationSummaryRow[]> {
    const select = `SELECT c.conversation_id, c.create_time, c.update_time,
        (SELECT count(*) FROM turns t WHERE t.conversation_id = c.conversation_id) AS turn_count,
        (SELECT substr(t.user_message, 1, ${FIRST_MESSAGE_PREVIEW_CHARS}) FROM turns t WHERE t.conversation_id = c.conversation_id AND t.turn_index = 0) AS first_user_message
      FROM conversations c`;
    const order = 'ORDER BY c.update_time DESC, c.conversation_id DESC LIMIT ?';
    const rows = (
      after
        ? this.statement(`${select} WHERE (c.update_time, c.conversation_id) < (?, ?) ${order}`).all(Number(after.updateKey), after.conversationId, limit)
        : this.statement(`${select} ${order}`).all(limit)
    ) as Array<{ conversation_id: string; create_time: number; update_time: number; turn_count: number; first_user_message: string | null }>;
    return rows.map((row) => ({
      conversationId: row.conversation_id,
      createTime: new Date(row.create_time),
      updateTime: new Date(row.update_time),
      turnCount: row.turn_count,
      firstUserMessage: row.first_user_message ?? '',
      cursor: { updateKey: String(row.update_time), conversationId: row.conversation_id },
    }));
  }

  async deleteConversation(conversationId: string): Promise<DeleteOutcome> {
    // IMMEDIATE: the write lock is taken before the lease is read, so no claim lands in between.
    return this.db.transaction((): DeleteOutcome => {
      const row = this.statement('SELECT turn_lease_until FROM conversations WHERE conversation_id = ?')
        .get(conversationId) as { turn_lease_until: number | null } | undefined;
      if (!row) return 'not_found';
      if (row.turn_lease_until !== null && row.turn_lease_until >= Date.now()) return 'busy';
      this.statement('DELETE FROM turns WHERE conversation_id = ?').run(conversationId);
      this.statement('DELETE FROM conversations WHERE conversation_id = ?').run(conversationId);
      return 'deleted';
    }).immediate();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
