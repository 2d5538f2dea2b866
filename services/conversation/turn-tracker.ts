// Which conversations have a turn running. It serialises turns per conversation — a second
// concurrent turn is refused with FAILED_PRECONDITION rather than interleaved — on this replica
// (in memory) and across replicas (a lease in the shared conversation store, renewed while the turn
// runs and freed at its end, or when it expires after a replica died). It also lets a shutdown wait
// for the running turns, and only those, while refusing new ones.
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError } from '../../lib/grpc/errors.js';
import type { ConversationStore } from './store/conversation-store.js';

const DOMAIN = 'conversation.tracemesh';

interface RunningTurn {
  holder: string;
  renewal: NodeJS.Timeout;
}

export class TurnTracker {
  private readonly active = new Map<string, RunningTurn>();
  private readonly replica = randomUUID().slice(0, 8);
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: ConversationStore,
    /** How long a turn holds its conversation without renewing (a dead replica's turn frees it then). */
    private readonly leaseMs = 60_000,
  ) {}

  private busy(conversationId: string): Error {
    return grpcError(grpcStatus.FAILED_PRECONDITION, `a turn is already running on conversation "${conversationId}"; wait for it to finish`, {
      errorInfo: { reason: 'TURN_IN_PROGRESS', domain: DOMAIN, metadata: { conversation_id: conversationId } },
    });
  }

  /** Takes the conversation for one turn; throws FAILED_PRECONDITION if it is taken, UNAVAILABLE when draining. */
  async claim(conversationId: string): Promise<void> {
    if (this.draining) {
      throw grpcError(grpcStatus.UNAVAILABLE, 'the conversation service is shutting down; retry on another replica', {
        errorInfo: { reason: 'SHUTTING_DOWN', domain: DOMAIN },
      });
    }
    if (this.active.has(conversationId)) throw this.busy(conversationId);
    const holder = `${this.replica}:${randomUUID()}`;
    // Reserve locally before the store round trip, so two calls on this replica cannot both pass.
    const renewal = setInterval(() => void this.store.renewTurn(conversationId, holder, this.leaseMs).catch(() => undefined), this.leaseMs / 3);
    renewal.unref();
    this.active.set(conversationId, { holder, renewal });
    let claimed = false;
    try {
      claimed = await this.store.claimTurn(conversationId, holder, this.leaseMs);
    } finally {
      if (!claimed) this.forget(conversationId);
    }
    if (!claimed) throw this.busy(conversationId);
  }

  async release(conversationId: string): Promise<void> {
    const running = this.active.get(conversationId);
    if (!running) return;
    try {
      await this.store.releaseTurn(conversationId, running.holder);
    } finally {
      this.forget(conversationId);
    }
  }

  private forget(conversationId: string): void {
    const running = this.active.get(conversationId);
    if (running) clearInterval(running.renewal);
    this.active.delete(conversationId);
    if (this.active.size === 0) {
      for (const wake of this.idleWaiters) wake();
      this.idleWaiters = [];
    }
  }

  get running(): number {
    return this.active.size;
  }

  /** Refuses new turns from now on and resolves once the running ones finished (true) or at the timeout (false). */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
