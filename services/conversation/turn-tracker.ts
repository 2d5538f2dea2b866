// Which conversations have a turn running. It bounds how many run on this replica at once
// (RESOURCE_EXHAUSTED past TRACEMESH_MAX_RUNNING_TURNS, so overload sheds turns instead of
// growing memory until the process dies), and it serialises turns per conversation — a second
// concurrent turn is refused with ABORTED (a concurrency conflict: retry once it ends) rather than
// interleaved — on this replica (in memory) and across replicas (a lease in the shared conversation store, renewed while the turn
// runs and freed at its end, or when it expires after a replica died). It also lets a shutdown wait
// for the running turns, and only those, while refusing new ones.
//
// A lease this replica may hold is never left behind when the store cannot be reached: a release
// that fails, or a claim whose outcome is unknown (it timed out, and may still commit once the
// database answers), is retried in the background until it succeeds or the lease has run out —
// otherwise a database blip would keep the conversation refusing turns for the lease's length.
// Nor is one left behind by a process that stopped mid-turn: a shutdown frees what its cancelled
// turns still hold, and a process starting on the same host frees the leases of one that died (a
// holder names its host and process id).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Logger } from '../../lib/logging.js';
import { grpcError } from '../../lib/grpc/errors.js';
import type { ConversationStore } from './store/conversation-store.js';

const DOMAIN = 'conversation.tracemesh';
export const DEFAULT_MAX_RUNNING_TURNS = 1_000;
/** Background release retries: the first after this, doubling up to the cap. */
const RELEASE_RETRY_FIRST_MS = 250;
const RELEASE_RETRY_MAX_MS = 8_000;
/** The RetryInfo delay of a turn refused for a busy conversation or replica: a second, about a short turn's length. */
const RETRY_AFTER_BUSY_MS = 1_000;

interface RunningTurn {
  holder: string;
  renewal: NodeJS.Timeout;
}

export class TurnTracker {
  private readonly active = new Map<string, RunningTurn>();
  private readonly replica = `${processPrefix(hostname(), process.pid)}${randomUUID().slice(0, 8)}`;
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  private readonly leaseMs: number;
  private readonly maxRunning: number;

  constructor(
    private readonly store: ConversationStore,
    private readonly log: Logger,
    options: {
      /** How long a turn holds its conversation without renewing (a dead replica's turn frees it then). */
      leaseMs?: number;
      /** The most turns this replica runs at once. */
      maxRunningTurns?: number;
    } = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxRunning = options.maxRunningTurns ?? DEFAULT_MAX_RUNNING_TURNS;
  }

  /**
   * Frees the unexpired leases of processes on this host that are gone — killed mid-turn, they
   * would hold their conversations for the rest of the lease. A lease of this very process id is
   * a predecessor's too (a container restarted as pid 1 again): none of ours exist yet.
   * Returns how many were freed.
   */
  async freeLeasesOfEndedProcesses(): Promise<number> {
    const host = hostname();
    const leases = await this.store.leasesHeldBy(`${host}/`);
    let freed = 0;
    for (const lease of leases) {
      const pid = pidOfHolder(lease.holder, host);
      if (pid === undefined || (pid !== process.pid && isRunning(pid))) continue;
      await this.store.releaseTurn(lease.conversationId, lease.holder);
      freed++;
    }
    return freed;
  }

  /** Frees every lease this process holds, its turns running or not: a shutdown's last step before closing the store. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((conversationId) => this.release(conversationId)));
  }

  private busy(conversationId: string): Error {
    // ABORTED, gRPC's code for a concurrency conflict: the same call succeeds once the other turn ends.
    return grpcError(grpcStatus.ABORTED, `a turn is already running on conversation "${conversationId}"; retry when it has finished`, {
      errorInfo: { reason: 'TURN_IN_PROGRESS', domain: DOMAIN, metadata: { conversation_id: conversationId } },
      retryDelayMs: RETRY_AFTER_BUSY_MS,
    });
  }

  /** Throws UNAVAILABLE while draining, RESOURCE_EXHAUSTED when this replica runs as many turns as it may. */
  assertAdmitting(): void {
    if (this.draining) {
      throw grpcError(grpcStatus.UNAVAILABLE, 'the conversation service is shutting down; retry on another replica', {
        errorInfo: { reason: 'SHUTTING_DOWN', domain: DOMAIN },
      });
    }
    if (this.active.size >= this.maxRunning) {
      throw grpcError(grpcStatus.RESOURCE_EXHAUSTED, `this replica is running its limit of ${this.maxRunning} turns; retry shortly, or on another replica`, {
        errorInfo: { reason: 'TOO_MANY_RUNNING_TURNS', domain: DOMAIN, metadata: { max_running_turns: String(this.maxRunning) } },
        retryDelayMs: RETRY_AFTER_BUSY_MS,
      });
    }
  }

  /** Takes the conversation for one turn; throws ABORTED if it is taken (and as assertAdmitting). */
  async claim(conversationId: string): Promise<void> {
    this.assertAdmitting();
    if (this.active.has(conversationId)) throw this.busy(conversationId);
    const holder = `${this.replica}:${randomUUID()}`;
    // Reserve locally before the store round trip, so two calls on this replica cannot both pass.
    const renewal = setInterval(() => void this.store.renewTurn(conversationId, holder, this.leaseMs).catch(() => undefined), this.leaseMs / 3);
    renewal.unref();
    this.active.set(conversationId, { holder, renewal });
    const expiresAt = Date.now() + this.leaseMs;
    let claimed = false;
    try {
      claimed = await this.store.claimTurn(conversationId, holder, this.leaseMs);
    } catch (error) {
      // Unknown outcome: the claim may still commit. Only our own holder is ever cleared.
      this.releaseInBackground(conversationId, holder, expiresAt, error);
      throw error;
    } finally {
      if (!claimed) this.forget(conversationId);
    }
    if (!claimed) throw this.busy(conversationId);
  }

  /** Frees the conversation. Never throws: what the store does not take now is retried in the background. */
  async release(conversationId: string): Promise<void> {
    const running = this.active.get(conversationId);
    if (!running) return;
    try {
      await this.store.releaseTurn(conversationId, running.holder);
    } catch (error) {
      this.releaseInBackground(conversationId, running.holder, Date.now() + this.leaseMs, error);
    } finally {
      this.forget(conversationId);
    }
  }

  /** Retries releasing `holder`'s lease, with growing pauses, until it succeeds or the lease has expired anyway. */
  private releaseInBackground(conversationId: string, holder: string, expiresAt: number, cause: unknown): void {
    this.log.warn({ conversationId, err: cause }, 'could not free the conversation in the store; retrying in the background');
    const attempt = (pauseMs: number): void => {
      if (Date.now() >= expiresAt) return;
      const timer = setTimeout(() => {
        this.store.releaseTurn(conversationId, holder).then(
          () => this.log.info({ conversationId }, 'conversation freed in the store after the retry'),
          () => attempt(Math.min(pauseMs * 2, RELEASE_RETRY_MAX_MS)),
        );
      }, pauseMs);
      timer.unref();
    };
    attempt(RELEASE_RETRY_FIRST_MS);
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

/** The start of every holder a process makes: "host/pid/". */
function processPrefix(host: string, pid: number): string {
  return `${host}/${pid}/`;
}

function pidOfHolder(holder: string, host: string): number | undefined {
  const rest = holder.startsWith(`${host}/`) ? holder.slice(host.length + 1) : undefined;
  const pid = rest === undefined ? NaN : Number(rest.slice(0, rest.indexOf('/')));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
