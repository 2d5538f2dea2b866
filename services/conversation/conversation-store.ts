// Conversations persisted in an embedded SQLite database, so a restart keeps every conversation.
// A turn is written once, when it completes: its user message, every message it added to the
// model's history (assistant tool calls, tool results, the answer) and its result. A turn that
// fails or is cancelled leaves the history as it was.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import Database from 'better-sqlite3';
import type { TurnResult } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';

export interface StoredTurn {
  turnIndex: number;
  userMessage: string;
  result: TurnResult;
  startTime: Date;
}

export interface StoredConversation {
  conversationId: string;
  createTime: Date;
  updateTime: Date;
  turns: StoredTurn[];
}

interface TurnRow {
  turn_index: number;
  user_message: string;
  result_json: string;
  messages_json: string;
  start_time: number;
}

export class ConversationStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS conversations (
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
      );
    `);
  }

  createConversation(conversationId: string, now = Date.now()): void {
    this.db
      .prepare('INSERT INTO conversations (conversation_id, create_time, update_time) VALUES (?, ?, ?)')
      .run(conversationId, now, now);
  }

  exists(conversationId: string): boolean {
    return this.db.prepare('SELECT 1 FROM conversations WHERE conversation_id = ?').get(conversationId) !== undefined;
  }

  /** The model's message history of a conversation, oldest first, and its next turn index. */
  history(conversationId: string): { messages: MessageParam[]; nextTurnIndex: number } {
    const rows = this.db
      .prepare('SELECT messages_json FROM turns WHERE conversation_id = ? ORDER BY turn_index')
      .all(conversationId) as Array<Pick<TurnRow, 'messages_json'>>;
    return {
      messages: rows.flatMap((row) => JSON.parse(row.messages_json) as MessageParam[]),
      nextTurnIndex: rows.length,
    };
  }

  /** Records a completed turn; the primary key rejects a second turn with the same index. */
  appendTurn(conversationId: string, turn: StoredTurn, messages: MessageParam[], now = Date.now()): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO turns (conversation_id, turn_index, user_message, messages_json, result_json, start_time) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(conversationId, turn.turnIndex, turn.userMessage, JSON.stringify(messages), JSON.stringify(turn.result), turn.startTime.getTime());
      this.db.prepare('UPDATE conversations SET update_time = ? WHERE conversation_id = ?').run(now, conversationId);
    })();
  }

  get(conversationId: string): StoredConversation | undefined {
    const conversation = this.db
      .prepare('SELECT create_time, update_time FROM conversations WHERE conversation_id = ?')
      .get(conversationId) as { create_time: number; update_time: number } | undefined;
    if (!conversation) return undefined;
    const rows = this.db
      .prepare('SELECT turn_index, user_message, result_json, start_time FROM turns WHERE conversation_id = ? ORDER BY turn_index')
      .all(conversationId) as TurnRow[];
    return {
      conversationId,
      createTime: new Date(conversation.create_time),
      updateTime: new Date(conversation.update_time),
      turns: rows.map((row) => ({
        turnIndex: row.turn_index,
        userMessage: row.user_message,
        result: JSON.parse(row.result_json) as TurnResult,
        startTime: new Date(row.start_time),
      })),
    };
  }

  close(): void {
    this.db.close();
  }
}
