// The store's fast ingest paths keep every row: /logs3 requests that arrive together are
// committed together (group commit) yet answered and failed one by one, and the write-ahead log is
// checkpointed by a worker thread and kept bounded under sustained writes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { JsonObject } from '../../lib/json.js';
import { AUTOCHECKPOINT_PAGES, openDatabase, type TraceDatabase } from '../../services/tracestore/db/open-database.js';
import { DEFAULT_WAL_CHECKPOINT, startWalCheckpointer } from '../../services/tracestore/db/wal-checkpointer.js';
import { LogRowsBatcher } from '../../services/tracestore/store/log-rows-batcher.js';
import { RowStore } from '../../services/tracestore/store/row-store.js';
import { Sequences } from '../../services/tracestore/store/sequences.js';
import { btqlRows, postRows, registerProject, startTestStore, type TestStore } from './store-harness.js';

function spanRows(projectId: string, prefix: string, count: number, payload = ''): JsonObject[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    span_id: `${prefix}-span-${i}`,
    root_span_id: `${prefix}-root`,
    project_id: projectId,
    log_id: 'g',
    span_attributes: { name: 'step', type: 'task' },
    input: { text: payload },
  }));
}

async function countRows(store: TestStore, projectId: string): Promise<number> {
  const [row] = await btqlRows(store.url, `measures: count(1) as n | from: project_logs('${projectId}') | dimensions: span_attributes.type`);
  return Number(row?.n ?? 0);
}

describe('trace store ingest: group commit and background checkpoints', () => {
  describe('group commit over HTTP', () => {
    let store: TestStore;
    before(async () => {
      store = await startTestStore();
    });
    after(async () => {
      await store.dispose();
    });

    it('writes 30 concurrent /logs3 requests, each answered with its own transaction id', async () => {
      const projectId = await registerProject(store.url, 'group-commit');
      const answers = await Promise.all(Array.from({ length: 30 }, (_, r) => postRows(store.url, spanRows(projectId, `req${r}`, 5))));
      assert.deepEqual(answers.map((a) => a.status), Array(30).fill(200));
      const ids = answers.map((a) => (a.body as { xact_id: string }).xact_id);
      assert.equal(new Set(ids).size, 30, 'one transaction id per request');
      assert.equal(await countRows(store, projectId), 150);
    });

    it('fails a malformed request alone (400) while the requests around it are written', async () => {
      const projectId = await registerProject(store.url, 'group-commit-bad');
      const good = Array.from({ length: 6 }, (_, r) => postRows(store.url, spanRows(projectId, `ok${r}`, 3)));
      const bad = postRows(store.url, [...spanRows(projectId, 'bad', 2), { id: 'no-object' }]);
      const answers = await Promise.all([...good, bad]);
      assert.deepEqual(answers.slice(0, 6).map((a) => a.status), Array(6).fill(200));
      assert.equal(answers[6]!.status, 400);
      assert.match(String((answers[6]!.body as JsonObject).error), /rows\[2\] names no object/);
      assert.equal(await countRows(store, projectId), 18, 'the bad request wrote nothing, the others everything');
    });
  });

  describe('a request the database rejects', () => {
    let dir: string;
    let db: TraceDatabase;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'tracestore-batch-'));
      db = openDatabase(join(dir, 'traces.db'));
      // A real constraint failure for one row id, as a full disk or a corrupt page would be.
      db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON spans WHEN NEW.id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    });
    after(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('fails alone: the group is rolled back and its other requests are written one by one', async () => {
      const batcher = new LogRowsBatcher(new RowStore(db, new Sequences(db)), pino({ level: 'silent' }));
      const rows = (id: string): JsonObject[] => [{ id, project_id: 'p1', log_id: 'g', span_id: `${id}-s`, root_span_id: 'r' }];
      // Queued in the same tick: one group, one transaction.
      const results = await Promise.allSettled([batcher.write(rows('a')), batcher.write(rows('poison')), batcher.write(rows('b'))]);
      assert.equal(results[0]!.status, 'fulfilled');
      assert.equal(results[1]!.status, 'rejected');
      assert.match(String((results[1] as PromiseRejectedResult).reason), /poisoned row/);
      assert.equal(results[2]!.status, 'fulfilled');
      const stored = db.prepare<[], { id: string }>('SELECT id FROM spans ORDER BY id').all().map((r) => r.id);
      assert.deepEqual(stored, ['a', 'b']);
    });
  });

  describe('group size', () => {
    it('commits at most ~2,000 rows per transaction, so readers never wait long behind a write', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tracestore-groups-'));
      const db = openDatabase(join(dir, 'traces.db'));
      try {
        const rowStore = new RowStore(db, new Sequences(db));
        const groupRows: number[] = [];
        const write = rowStore.writeLogRowGroups.bind(rowStore);
        rowStore.writeLogRowGroups = (groups) => {
          groupRows.push(groups.reduce((sum, group) => sum + group.rows.length, 0));
          return write(groups);
        };
        const batcher = new LogRowsBatcher(rowStore, pino({ level: 'silent' }));
        const request = (r: number): JsonObject[] => spanRows('p1', `g${r}`, 900);
        // Five requests queued in one tick: 4,500 rows.
        const answers = await Promise.all([0, 1, 2, 3, 4].map((r) => batcher.write(request(r))));
        assert.deepEqual(answers.map((a) => a.written), [900, 900, 900, 900, 900]);
        assert.deepEqual(groupRows, [1_800, 1_800, 900], 'two requests per transaction, then the rest');
        assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM spans').get()?.n, 4_500);
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('write-ahead log', () => {
    let store: TestStore;
    before(async () => {
      // Eager settings so a test-sized load crosses the thresholds: restart past 256 pages (1 MB).
      store = await startTestStore({ walCheckpoint: { intervalMs: 20, restartPages: 256, restartLagPages: 100_000 } });
    });
    after(async () => {
      await store.dispose();
    });

    it('is checkpointed by the worker and restarted, so it stays bounded under sustained writes', async () => {
      const projectId = await registerProject(store.url, 'wal');
      const walPath = `${store.dbPath}-wal`;
      let largestWal = 0;
      // ~12 MB of rows in 60 requests, 4 at a time; SQLite's own checkpoint (off while the worker
      // runs) would let the log reach ~40 MB before starting over.
      for (let round = 0; round < 15; round++) {
        const answers = await Promise.all(Array.from({ length: 4 }, (_, r) => postRows(store.url, spanRows(projectId, `w${round}-${r}`, 50, 'x'.repeat(4_000)))));
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
        await new Promise((resolve) => setTimeout(resolve, 25));
        largestWal = Math.max(largestWal, existsSync(walPath) ? statSync(walPath).size : 0);
      }
      assert.equal(await countRows(store, projectId), 3_000);
      assert.ok(largestWal > 0, 'the store writes through a WAL');
      assert.ok(largestWal < 6 * 1024 * 1024, `the log stayed bounded (largest ${(largestWal / 1e6).toFixed(1)} MB of ~12 MB written)`);
      await store.close();
      assert.ok(!existsSync(walPath) || statSync(walPath).size === 0, 'closing checkpoints the rest and removes the log');
    });
  });

  describe('without a working checkpoint worker', () => {
    it('hands checkpoints back to SQLite: the request thread checkpoints on its own again', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tracestore-wal-'));
      const db = openDatabase(join(dir, 'traces.db'));
      try {
        // The worker cannot open this path, fails, and the store must not be left without checkpoints.
        const checkpointer = await startWalCheckpointer(db, join(dir, 'missing', 'nested', 'traces.db'), pino({ level: 'silent' }), DEFAULT_WAL_CHECKPOINT);
        const deadline = Date.now() + 10_000;
        while (db.pragma('wal_autocheckpoint', { simple: true }) !== AUTOCHECKPOINT_PAGES && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), AUTOCHECKPOINT_PAGES);
        await checkpointer.stop();
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
