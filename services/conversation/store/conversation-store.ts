// Where conversations live. A turn is written once, when it completes: its user message, every
// message it added to the model's history (assistant tool calls, tool results, the answer) and its
// result; a turn that fails or is cancelled leaves the history as it was. A turn also holds a lease
// on its conversation, so that among several conversation replicas sharing one store only one turn
// of a conversation runs at a time — and a replica that dies mid-turn frees it when the lease expires.
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { TurnResult } from '../../../gen/ts/tracemesh/conversation/v1/TurnResult.js';

/** The store could not be reached, or did not answer in time: worth a retry (UNAVAILABLE). */
export class StoreUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the conversation store did not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

export interface StoredTurn {
  turnIndex: number;
  userMessage: string;
  result: TurnResult;
  startTime: Date;
  /** The caller's idempotency key for this turn (request_id), if it sent one: unique in the store. */
  requestId?: string;
}

/** A completed turn found by its request_id, and the conversation it belongs to. */
export interface TurnOfRequest {
  conversationId: string;
  turn: StoredTurn;
}

export interface StoredConversation {
  conversationId: string;
  createTime: Date;
  updateTime: Date;
  turns: StoredTurn[];
}

export interface ConversationHistory {
  messages: MessageParam[];
  nextTurnIndex: number;
}

/** The store's position in the listing order (update time, then id, both descending): the keyset a page starts after. */
export interface ListCursor {
  /** The update time exactly as the store keeps it, as a decimal integer (SQLite: ms; PostgreSQL: µs since the epoch). */
  updateKey: string;
  conversationId: string;
}

export interface ConversationSummaryRow {
  conversationId: string;
  createTime: Date;
  updateTime: Date;
  turnCount: number;
  /** The first turn's user message, cut to FIRST_MESSAGE_PREVIEW_CHARS; empty without turns. */
  firstUserMessage: string;
  /** Where this row is in the listing order: the next page starts after it. */
  cursor: ListCursor;
}

/** How much of a conversation's first user message a listing shows. */
export const FIRST_MESSAGE_PREVIEW_CHARS = 200;

/** What deleting a conversation did: a conversation whose turn lease is unexpired is left alone ('busy'). */
export type DeleteOutcome = 'deleted' | 'not_found' | 'busy';

/** A turn completed on a conversation deleted while it ran: the turn is not stored (nothing brings the conversation back). */
export class ConversationGoneError extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation "${conversationId}" was deleted while the turn ran`);
    this.name = 'ConversationGoneError';
  }
}

/** A turn with this request_id was stored meanwhile (a concurrent try of the same request): this one is not stored. */
export class DuplicateRequestError extends Error {
  constructor(readonly requestId: string) {
    super(`a turn with request_id "${requestId}" was completed by another try of the same request`);
    this.name = 'DuplicateRequestError';
  }
}

export interface TurnLease {
  conversationId: string;
  holder: string;
}

export interface ConversationStore {
  /** "sqlite" (one node) or "postgres" (shared by replicas). */
  readonly kind: 'sqlite' | 'postgres';
  /** Creates an empty conversation; false when one with this id exists already (left as it is). */
  createConversation(conversationId: string): Promise<boolean>;
  exists(conversationId: string): Promise<boolean>;
  /** Takes the conversation's turn lease for `holder`; false when another live turn holds it. */
  claimTurn(conversationId: string, holder: string, leaseMs: number): Promise<boolean>;
  /** Extends a held lease (a long turn keeps its conversation). */
  renewTurn(conversationId: string, holder: string, leaseMs: number): Promise<void>;
  releaseTurn(conversationId: string, holder: string): Promise<void>;
  /** The unexpired leases whose holder starts with `holderPrefix`. */
  leasesHeldBy(holderPrefix: string): Promise<TurnLease[]>;
  history(conversationId: string): Promise<ConversationHistory>;
  /**
   * Records a completed turn; a second turn with the same index is rejected by the store, and a
   * turn of a conversation that no longer exists with ConversationGoneError, and a turn whose
   * request_id another turn has with DuplicateRequestError.
   */
  appendTurn(conversationId: string, turn: StoredTurn, messages: MessageParam[]): Promise<void>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  /**
   * Up to `limit` turns of the conversation with an index above `afterTurnIndex` (-1: from the
   * first), oldest first; undefined when the conversation does not exist.
   */
  listTurns(conversationId: string, limit: number, afterTurnIndex: number): Promise<StoredTurn[] | undefined>;
  /** The completed turn that carried this request_id, if any. */
  turnOfRequest(requestId: string): Promise<TurnOfRequest | undefined>;
  /** Up to `limit` conversations, most recently updated first (ties: id descending), after `after` in that order. */
  listConversations(limit: number, after?: ListCursor): Promise<ConversationSummaryRow[]>;
  /**
   * Deletes the conversation and its turns in one transaction, unless a turn holds an unexpired
   * lease on it ('busy'): checked and deleted under the conversation row's lock, so a turn cannot
   * claim it in between.
   */
  deleteConversation(conversationId: string): Promise<DeleteOutcome>;
  close(): Promise<void>;
}
