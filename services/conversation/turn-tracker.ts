// Which conversations have a turn running. It serialises turns per conversation (a second
// concurrent turn is refused with FAILED_PRECONDITION rather than interleaved) and lets a shutdown
// wait for the running turns — and only those — to finish, while refusing new ones.
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError } from '../../lib/grpc/errors.js';

const DOMAIN = 'conversation.tracemesh';

export class TurnTracker {
  private readonly active = new Set<string>();
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  /** Marks the conversation busy; throws FAILED_PRECONDITION if it already is, UNAVAILABLE when draining. */
  claim(conversationId: string): void {
    if (this.draining) {
      throw grpcError(grpcStatus.UNAVAILABLE, 'the conversation service is shutting down; retry on another replica', {
        errorInfo: { reason: 'SHUTTING_DOWN', domain: DOMAIN },
      });
    }
    if (this.active.has(conversationId)) {
      throw grpcError(grpcStatus.FAILED_PRECONDITION, `a turn is already running on conversation "${conversationId}"; wait for it to finish`, {
        errorInfo: { reason: 'TURN_IN_PROGRESS', domain: DOMAIN, metadata: { conversation_id: conversationId } },
      });
    }
    this.active.add(conversationId);
  }

  release(conversationId: string): void {
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
