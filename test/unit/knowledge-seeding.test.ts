// Seeding at worker start: the first attempt decides readiness, a failed (or hung) one turns into
// background retries with backoff until the knowledge base is seeded, and stop() ends them.
import assert from 'node:assert/strict';
import pino from 'pino';
import { seedAtStartup, type Seedable } from '../../services/toolworker/knowledge/knowledge-seeding.js';
import type { SeedReport } from '../../services/toolworker/knowledge/knowledge-store.js';

const log = pino({ level: 'silent' });

const REPORT: SeedReport = {
  action: 'seeded',
  collection: 'medical-knowledge-test',
  documents: 3,
  removed: 0,
  knowledgeBaseVersion: '1.0.0',
  knowledgeBaseHash: 'hash',
  embeddingFunction: 'fake',
  durationMs: 1,
};

/** Fails the first `failures` attempts, then succeeds. */
function flakyStore(failures: number): Seedable & { attempts: number } {
  return {
    attempts: 0,
    async ensureSeeded() {
      this.attempts++;
      if (this.attempts <= failures) throw new Error('Chroma is unreachable');
      return REPORT;
    },
  };
}

describe('knowledge seeding at start', () => {
  it('reports the first attempt when it succeeds', async () => {
    const store = flakyStore(0);
    const seeding = await seedAtStartup(store, { log });
    assert.deepEqual(seeding.initial, REPORT);
    assert.equal(store.attempts, 1);
  });

  it('retries in the background until seeded when Chroma is down at start', async () => {
    const store = flakyStore(3);
    let seeded: SeedReport | undefined;
    const done = new Promise<void>((resolve) => {
      void seedAtStartup(store, { log, firstRetryDelayMs: 5, maxRetryDelayMs: 20, onSeeded: (report) => {
        seeded = report;
        resolve();
      } }).then((seeding) => assert.equal(seeding.initial, undefined));
    });
    await done;
    assert.deepEqual(seeded, REPORT);
    assert.equal(store.attempts, 4);
  });

  it('does not wait for a hung first attempt, and stop() ends the retries', async () => {
    let attempts = 0;
    const hung: Seedable = { ensureSeeded: () => {
      attempts++;
      return new Promise<SeedReport>(() => {});
    } };
    const started = Date.now();
    const seeding = await seedAtStartup(hung, { log, firstAttemptTimeoutMs: 50, firstRetryDelayMs: 5 });
    assert.equal(seeding.initial, undefined);
    assert.ok(Date.now() - started < 1_000);
    seeding.stop();
    const attemptsAtStop = attempts;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(attempts, attemptsAtStop);
  });
});
