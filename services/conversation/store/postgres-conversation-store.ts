// Conversations in PostgreSQL (DATABASE_URL), shared by any number of conversation replicas: any
// replica can serve any turn of any conversation. Migrations are numbered in schema_migrations and
// applied under an advisory lock, so replicas starting together do not race.
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import pg from 'pg';
import type { TurnResult } from '../../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import {
  ConversationGoneError,
  DuplicateRequestError,
  FIRST_MESSAGE_PREVIEW_CHARS,
  StoreUnavailableError,
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
     create_time TIMESTAMPTZ NOT NULL,
     update_time TIMESTAMPTZ NOT NULL,
     turn_holder TEXT,
     turn_lease_until TIMESTAMPTZ
   );
   CREATE TABLE IF NOT EXISTS turns (
     conversation_id TEXT NOT NULL REFERENCES conversations(conversation_id),
     turn_index INTEGER NOT NULL,
     user_message TEXT NOT NULL,
     messages JSONB NOT NULL,
     result JSONB NOT NULL,
     start_time TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (conversation_id, turn_index)
   );`,
  // The history is sent back to the model byte for byte as it was first sent: JSONB reorders an
  // object's keys (shortest first), and a tool_use input whose keys moved is a prompt-cache miss
  // for the rest of the conversation at every turn. JSON keeps the text as written.
  `ALTER TABLE turns ALTER COLUMN messages TYPE JSON USING messages::json;`,
  // ListConversations pages by (update_time, conversation_id), newest first.
  `CREATE INDEX IF NOT EXISTS conversations_by_update ON conversations (update_time DESC, conversation_id DESC);`,
  // A turn's idempotency key (request_id): a retry finds the turn it repeats; two tries never both store.
  `ALTER TABLE turns ADD COLUMN IF NOT EXISTS request_id TEXT;
   CREATE UNIQUE INDEX IF NOT EXISTS turns_by_request_id ON turns (request_id) WHERE request_id IS NOT NULL;`,
];

/** PostgreSQL's unique_violation, and the index that makes a request_id unique. */
const UNIQUE_VIOLATION = '23505';
const REQUEST_ID_INDEX = 'turns_by_request_id';

interface TurnRow {
  turn_index: number;
  user_message: string;
  result: TurnResult;
  start_time: Date;
  request_id: string | null;
}

function storedTurn(row: TurnRow): StoredTurn {
  return {
    turnIndex: row.turn_index,
    userMessage: row.user_message,
    result: row.result,
    startTime: row.start_time,
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
  };
}

/**
 * Whether a failure means the database is out of reach rather than a query being wrong: the
 * socket's errors (refused, reset, unreachable), the client's own timeouts and lost connections,
 * and the server's connection-exception (08) and shutdown/cancel (57) classes.
 */
function unreachable(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return /^(08|57)/.test(error.code ?? '');
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && code.startsWith('E')) || /timeout|connection|terminated/i.test(error.message);
}

/** The error to throw for `error`: StoreUnavailableError when the database is out of reach. */
function storeError(error: unknown): unknown {
  return unreachable(error) ? new StoreUnavailableError(error) : error;
}

/** An arbitrary constant naming our migration lock among the database's advisory locks. */
const MIGRATION_LOCK_ID = 7_424_190_311;

export class PostgresConversationStore implements ConversationStore {
  readonly kind = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  /**
   * `queryTimeoutMs` bounds each query on our side: the server's statement_timeout cannot help when
   * the server (or the network to it) hangs, and a query would otherwise wait for ever.
   */
  static async connect(databaseUrl: string, queryTimeoutMs: number): Promise<PostgresConversationStore> {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 10_000,
      query_timeout: queryTimeoutMs,
    });
    const store = new PostgresConversationStore(pool);
    await store.migrate();
    return store;
  }

  /** Runs one query (the pool takes a client and gives it back, dropping it when it failed). */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw storeError(error);
    }
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number }>('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations');
      for (let version = rows[0]?.version ?? 0; version < MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        await client.query(MIGRATIONS[version] ?? '');
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
      client.release();
    }
  }

  async createConversation(conversationId: string): Promise<boolean> {
    const { rowCount } = await this.query('INSERT INTO conversations (conversation_id, create_time, update_time) VALUES ($1, now(), now()) ON CONFLICT DO NOTHING', [conversationId]);
    return rowCount === 1;
  }

  async exists(conversationId: string): Promise<boolean> {
    const { rowCount } = await this.query('SELECT 1 FROM conversations WHERE conversation_id = $1', [conversationId]);
    return rowCount === 1;
  }

  async claimTurn(conversationId: string, holder: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE conversations SET turn_holder = $2, turn_lease_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE conversation_id = $1 AND (turn_lease_until IS NULL OR turn_lease_until < now())`,
      [conversationId, holder, leaseMs],
    );
    return rowCount === 1;
  }

  async renewTurn(conversationId: string, holder: string, leaseMs: number): Promise<void> {
    await this.query(
      `UPDATE conversations SET turn_lease_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE conversation_id = $1 AND turn_holder = $2`,
      [conversationId, holder, leaseMs],
    );
  }

  async leasesHeldBy(holderPrefix: string): Promise<TurnLease[]> {
    const result = await this.query<{ conversation_id: string; turn_holder: string }>(
      `SELECT conversation_id, turn_holder FROM conversations
       WHERE turn_holder IS NOT NULL AND left(turn_holder, length($1)) = $1 AND turn_lease_until >= now()`,
      [holderPrefix],
    );
    return result.rows.map((row) => ({ conversationId: row.conversation_id, holder: row.turn_holder }));
  }

  async releaseTurn(conversationId: string, holder: string): Promise<void> {
    await this.query('UPDATE conversations SET turn_holder = NULL, turn_lease_until = NULL WHERE conversation_id = $1 AND turn_holder = $2', [
      conversationId,
      holder,
    ]);
  }

  async history(conversationId: string): Promise<ConversationHistory> {
    const { rows } = await this.query<{ messages: MessageParam[] }>(
      'SELECT messages FROM turns WHERE conversation_id = $1 ORDER BY turn_index',
      [conversationId],
    );
    return { messages: rows.flatMap((row) => row.messages), nextTurnIndex: rows.length };
  }

  /** Runs `work` in one transaction on one client (committed when it resolves, rolled back when it throws). */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    let failure: unknown;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error instanceof ConversationGoneError ? error : storeError(error);
    } finally {
      // A client whose query failed may still be waiting on a hung server: it is dropped, not reused.
      client.release(failure instanceof Error && unreachable(failure) ? failure : undefined);
    }
  }

  async appendTurn(conversationId: string, turn: StoredTurn, messages: MessageParam[]): Promise<void> {
    await this.transaction(async (client) => {
      // The conversation row first: its lock keeps a concurrent delete out until this commits, and a
      // conversation deleted while the turn ran is not written to.
      const updated = await client.query('UPDATE conversations SET update_time = now() WHERE conversation_id = $1', [conversationId]);
      if (updated.rowCount !== 1) throw new ConversationGoneError(conversationId);
      await client.query(
        'INSERT INTO turns (conversation_id, turn_index, user_message, messages, result, start_time, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [conversationId, turn.turnIndex, turn.userMessage, JSON.stringify(messages), JSON.stringify(turn.result), turn.startTime, turn.requestId ?? null],
      );
    }).catch((error: unknown) => {
      if (turn.requestId !== undefined && error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION && error.constraint === REQUEST_ID_INDEX) {
        throw new DuplicateRequestError(turn.requestId);
      }
      throw error;
    });
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const conversation = await this.query<{ create_time: Date; update_time: Date }>(
      'SELECT create_time, update_time FROM conversations WHERE conversation_id = $1',
      [conversationId],
    );
    const head = conversation.rows[0];
    if (!head) return undefined;
    const { rows } = await this.query<TurnRow>(
      'SELECT turn_index, user_message, result, start_time, request_id FROM turns WHERE conversation_id = $1 ORDER BY turn_index',
      [conversationId],
    );
    return { conversationId, createTime: head.create_time, updateTime: head.update_time, turns: rows.map(storedTurn) };
  }

  async listTurns(conversationId: string, limit: number, afterTurnIndex: number): Promise<StoredTurn[] | undefined> {
    // One statement: the page, and whether the conversation exists, from the same snapshot.
    const { rows } = await this.query<TurnRow & { found: boolean }>(
      `SELECT true AS found, t.turn_index, t.user_message, t.result, t.start_time, t.request_id
       FROM conversations c LEFT JOIN LATERAL (
         SELECT * FROM turns WHERE conversation_id = c.conversation_id AND turn_index > $2 ORDER BY turn_index LIMIT $3
       ) t ON true
       WHERE c.conversation_id = $1`,
      [conversationId, afterTurnIndex, limit],
    );
    if (rows.length === 0) return undefined;
    return rows.filter((row) => row.turn_index !== null).map(storedTurn);
  }

  async turnOfRequest(requestId: string): Promise<TurnOfRequest | undefined> {
    const { rows } = await this.query<TurnRow & { conversation_id: string }>(
      'SELECT conversation_id, turn_index, user_message, result, start_time, request_id FROM turns WHERE request_id = $1',
      [requestId],
    );
    const row = rows[0];
    return row && { conversationId: row.conversation_id, turn: storedTurn(row) };
  }

  async listConversations(limit: number, after?: ListCursor): Promise<ConversationSummaryRow[]> {
    // The cursor carries update_time in whole microseconds (PostgreSQL's precision), so it compares exactly.
    const keyset = after ? `WHERE (c.update_time, c.conversation_id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3)` : '';
    const { rows } = await this.query<{
      conversation_id: string;
      create_time: Date;
      update_time: Date;
      update_key: string;
      turn_count: number;
      first_user_message: string | null;
    }>(
      `SELECT c.conversation_id, c.create_time, c.update_time,
         (extract(epoch FROM c.update_time) * 1000000)::bigint::text AS update_key,
         (SELECT count(*)::int FROM turns t WHERE t.conversation_id = c.conversation_id) AS turn_count,
         (SELECT left(t.user_message, ${FIRST_MESSAGE_PREVIEW_CHARS}) FROM turns t WHERE t.conversation_id = c.conversation_id AND t.turn_index = 0) AS first_user_message
       FROM conversations c ${keyset}
       ORDER BY c.update_time DESC, c.conversation_id DESC LIMIT $1`,
      after ? [limit, after.updateKey, after.conversationId] : [limit],
    );
    return rows.map((row) => ({
      conversationId: row.conversation_id,
      createTime: row.create_time,
      updateTime: row.update_time,
      turnCount: row.turn_count,
      firstUserMessage: row.first_user_message ?? '',
      cursor: { updateKey: row.update_key, conversationId: row.conversation_id },
    }));
  }

  async deleteConversation(conversationId: string): Promise<DeleteOutcome> {
    return this.transaction(async (client): Promise<DeleteOutcome> => {
      // FOR UPDATE: a claim (an UPDATE of this row) waits for this transaction, then finds no row.
      const { rows } = await client.query<{ leased: boolean }>(
        'SELECT turn_lease_until IS NOT NULL AND turn_lease_until >= now() AS leased FROM conversations WHERE conversation_id = $1 FOR UPDATE',
        [conversationId],
      );
      const row = rows[0];
      if (!row) return 'not_found';
      if (row.leased) return 'busy';
      await client.query('DELETE FROM turns WHERE conversation_id = $1', [conversationId]);
      await client.query('DELETE FROM conversations WHERE conversation_id = $1', [conversationId]);
      return 'deleted';
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
