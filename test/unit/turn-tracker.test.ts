// Turn leases when the conversation store's answers are lost: the real SQLite store, with the
// answer to a claim or a release dropped the way a hung PostgreSQL drops it (the statement runs;
// the caller hears StoreUnavailableError). A lease this replica may hold must not outlive that.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { pino } from 'pino';
import { StoreUnavailableError, type ConversationStore } from '../../services/conversation/store/conversation-store.js';
import { SqliteConversationStore } from '../../services/conversation/store/sqlite-conversation-store.js';
import { TurnTracker } from '../../services/conversation/turn-tracker.js';

/** The store, except that the next `lostClaims` claims and `failedReleases` releases do not answer. */
class StoreLosingAnswers implements ConversationStore {
  readonly kind = 'sqlite' as const;
  lostClaims = 0;
  failedReleases = 0;
  releaseAttempts = 0;
  constructor(private readonly inner: SqliteConversationStore) {}
  createConversation(id: string) { return this.inner.createConversation(id); }
  exists(id: string) { return this.inner.exists(id); }
  async claimTurn(id: string, holder: string, leaseMs: number) {
    const claimed = await this.inner.claimTurn(id, holder, leaseMs);
    if (this.lostClaims > 0) {
      this.lostClaims--;
      throw new StoreUnavailableError(new Error('Query read timeout'));
    }
    return claimed;
  }
  renewTurn(id: string, holder: string, leaseMs: number) { return this.inner.renewTurn(id, holder, leaseMs); }
  leasesHeldBy(prefix: string) { return this.inner.leasesHeldBy(prefix); }
  async releaseTurn(id: string, holder: string) {
    this.releaseAttempts++;
    if (this.failedReleases > 0) {
      this.failedReleases--;
      throw new StoreUnavailableError(new Error('Connection terminated due to connection timeout'));
    }
    return this.inner.releaseTurn(id, holder);
  }
  history(id: string) { return this.inner.history(id); }
  appendTurn(...args: Parameters<ConversationStore['appendTurn']>) { return this.inner.appendTurn(...args); }
  get(id: string) { return this.inner.get(id); }
  turnOfRequest(requestId: string) { return this.inner.turnOfRequest(requestId); }
  listTurns(...args: Parameters<ConversationStore['listTurns']>) { return this.inner.listTurns(...args); }
  listConversations(...args: Parameters<ConversationStore['listConversations']>) { return this.inner.listConversations(...args); }
  deleteConversation(id: string) { return this.inner.deleteConversation(id); }
  close() { return this.inner.close(); }
}

/** Claims on `tracker` until it succeeds (true) or `withinMs` passes (false). */
async function claimsWithin(tracker: TurnTracker, id: string, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    try {
      await tracker.claim(id);
      return true;
    } catch (error) {
      assert.equal((error as { code?: number }).code, status.ABORTED, String(error));
      if (Date.now() > until) return false;
      await delay(50);
    }
  }
}

describe('turn tracker: leases when the store does not answer', function () {
  this.timeout(20_000);
  const log = pino({ level: 'silent' });
  let sqlite: SqliteConversationStore;
  let store: StoreLosingAnswers;
  let replicaA: TurnTracker;
  let replicaB: TurnTracker;

  beforeEach(async () => {
    sqlite = new SqliteConversationStore(join(mkdtempSync(join(tmpdir(), 'tracemesh-leases-')), 'conversations.db'));
    store = new StoreLosingAnswers(sqlite);
    // Two replicas sharing one store; the lease is a minute, far longer than these tests wait.
    replicaA = new TurnTracker(store, log, { leaseMs: 60_000 });
    replicaB = new TurnTracker(store, log, { leaseMs: 60_000 });
  });
  afterEach(async () => sqlite.close());

  it('a release the store does not take resolves, and is retried until the conversation is free', async () => {
    await store.createConversation('c1');
    await replicaA.claim('c1');
    store.failedReleases = 3;
    await replicaA.release('c1');
    assert.equal(replicaA.running, 0, 'the turn is no longer counted as running here');
    assert.ok(await claimsWithin(replicaB, 'c1', 5_000), 'another replica can take the conversation within seconds, not at the lease expiry');
    assert.equal(store.releaseAttempts, 4, 'three failed attempts, then the one that freed it');
  });

  it('a claim whose answer was lost (it may have committed) is released in the background', async () => {
    await store.createConversation('c2');
    store.lostClaims = 1;
    await assert.rejects(replicaA.claim('c2'), StoreUnavailableError);
    assert.equal(replicaA.running, 0);
    // The lost claim did commit here: without the background release the lease would hold for a minute.
    assert.ok(await claimsWithin(replicaB, 'c2', 5_000), 'the lease left by the lost claim is freed');
  });

  it('the background release never frees a lease another holder has', async () => {
    await store.createConversation('c3');
    await replicaB.claim('c3');
    // A's claim is refused by the store (B holds it), but A never hears so and releases its own holder.
    store.lostClaims = 1;
    await assert.rejects(replicaA.claim('c3'), StoreUnavailableError);
    await delay(1_000); // past the background release
    assert.ok(store.releaseAttempts >= 1, 'A released in the background');
    await assert.rejects(replicaA.claim('c3'), (error: { code?: number }) => error.code === status.ABORTED, 'B still holds the conversation');
    await replicaB.release('c3');
    assert.ok(await claimsWithin(replicaA, 'c3', 1_000));
  });
});

describe('turn tracker: how many turns a replica runs at once', () => {
  const log = pino({ level: 'silent' });
  let sqlite: SqliteConversationStore;

  beforeEach(() => {
    sqlite = new SqliteConversationStore(join(mkdtempSync(join(tmpdir(), 'tracemesh-capacity-')), 'conversations.db'));
  });
  afterEach(async () => sqlite.close());

  it('refuses a turn past TRACEMESH_MAX_RUNNING_TURNS with RESOURCE_EXHAUSTED, and takes one again when a turn ends', async () => {
    const tracker = new TurnTracker(sqlite, log, { maxRunningTurns: 2 });
    for (const id of ['a', 'b', 'c']) await sqlite.createConversation(id);
    await tracker.claim('a');
    await tracker.claim('b');
    await assert.rejects(tracker.claim('c'), (error: { code?: number; details?: string }) => {
      assert.equal(error.code, status.RESOURCE_EXHAUSTED);
      assert.match(error.details ?? '', /running its limit of 2 turns; retry shortly/);
      return true;
    });
    assert.throws(() => tracker.assertAdmitting(), (error: { code?: number }) => error.code === status.RESOURCE_EXHAUSTED);
    assert.equal(tracker.running, 2);
    await tracker.release('a');
    await tracker.claim('c');
    assert.equal(tracker.running, 2);
  });
});

describe('turn tracker: leases left by a process that stopped mid-turn', () => {
  const log = pino({ level: 'silent' });
  let sqlite: SqliteConversationStore;

  beforeEach(() => {
    sqlite = new SqliteConversationStore(join(mkdtempSync(join(tmpdir(), 'tracemesh-ended-')), 'conversations.db'));
  });
  afterEach(async () => sqlite.close());

  it('frees, at start, the leases of ended processes on this host and of an earlier process with its own pid — not a live one\'s', async () => {
    const endedPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const leases = {
      ended: `${hostname()}/${endedPid}/0000aaaa:turn`,
      samePid: `${hostname()}/${process.pid}/0000bbbb:turn`,
      live: `${hostname()}/${process.ppid}/0000cccc:turn`,
      otherHost: `elsewhere.example/${endedPid}/0000dddd:turn`,
    };
    for (const [id, holder] of Object.entries(leases)) {
      await sqlite.createConversation(id);
      assert.ok(await sqlite.claimTurn(id, holder, 60_000));
    }
    const restarted = new TurnTracker(sqlite, log, { leaseMs: 60_000 });
    assert.equal(await restarted.freeLeasesOfEndedProcesses(), 2);
    await restarted.claim('ended');
    await restarted.claim('samePid');
    for (const held of ['live', 'otherHost']) {
      await assert.rejects(restarted.claim(held), (error: { code?: number }) => error.code === status.ABORTED, `${held} stays held`);
    }
  });

  it('releaseAll frees what the running turns hold (a shutdown before it closes the store)', async () => {
    const tracker = new TurnTracker(sqlite, log, { leaseMs: 60_000 });
    for (const id of ['x', 'y']) {
      await sqlite.createConversation(id);
      await tracker.claim(id);
    }
    await tracker.releaseAll();
    assert.equal(tracker.running, 0);
    const next = new TurnTracker(sqlite, log, { leaseMs: 60_000 });
    await next.claim('x');
    await next.claim('y');
  });
});

