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

export interface TurnLease {
  conversationId: string;
  holder: string;
}

export interface ConversationStore {
  /** "sqlite" (one node) or "postgres" (shared by replicas). */
  readonly kind: 'sqlite' | 'postgres';
  createConversation(conversationId: string): Promise<void>;
  exists(conversationId: string): Promise<boolean>;
  /** Takes the conversation's turn lease for `holder`; false when another live turn holds it. */
  claimTurn(conversationId: string, holder: string, leaseMs: number): Promise<boolean>;
  /** Extends a held lease (a long turn keeps its conversation). */
  renewTurn(conversationId: string, holder: string, leaseMs: number): Promise<void>;
  releaseTurn(conversationId: string, holder: string): Promise<void>;
  /** The unexpired leases whose holder starts with `holderPrefix`. */
  leasesHeldBy(holderPrefix: string): Promise<TurnLease[]>;
  history(conversationId: string): Promise<ConversationHistory>;
  /** Records a completed turn; a second turn with the same index is rejected by the store. */
  appendTurn(conversationId: string, turn: StoredTurn, messages: MessageParam[]): Promise<void>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  close(): Promise<void>;
}
