// Picks the conversation store: PostgreSQL when DATABASE_URL is set (replicas share it), otherwise
// the embedded SQLite file in the data directory.
import { join } from 'node:path';
import { databaseQueryTimeoutMs, dataDir } from '../../../lib/config.js';
import type { ConversationStore } from './conversation-store.js';
import { PostgresConversationStore } from './postgres-conversation-store.js';
import { SqliteConversationStore } from './sqlite-conversation-store.js';

export async function openConversationStore(): Promise<ConversationStore> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (databaseUrl) return PostgresConversationStore.connect(databaseUrl, databaseQueryTimeoutMs());
  return new SqliteConversationStore(process.env.CONVERSATION_DB ?? join(dataDir(), 'conversations.db'));
}
