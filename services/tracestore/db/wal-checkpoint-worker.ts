// Runs in a worker thread (see wal-checkpointer.ts): its own connection to the store's database,
// copying the write-ahead log back into the database file, so the request thread never pays for
// that copy and its fsync. PASSIVE checkpoints never block the writer or readers.
//
// Under sustained writes a passive checkpoint never quite reaches the log's end, so the log would
// only grow. Once it is past `restartPages` and a pass has left little behind, the worker asks the
// request thread — the one writer — to restart the log: a RESTART from this thread would hold the
// write lock in ways that made the writer's BEGIN fail with SQLITE_BUSY (measured), and the
// request thread can do it between two of its own transactions, with nothing left to wait for.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  dbPath: string;
  intervalMs: number;
  restartPages: number;
  /** A restart is asked for only when at most this many pages are left to copy (the writer pays for them). */
  restartLagPages: number;
}

export type CheckpointWorkerMessage = { kind: 'restart-wanted' } | { kind: 'error'; message: string };

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const settings = workerData as CheckpointWorkerData;
const db = new Database(settings.dbPath);
db.pragma('busy_timeout = 1000');
// Only this connection checkpoints; its own automatic checkpoint would be the same work.
db.pragma('wal_autocheckpoint = 0');
// SQLite syncs the database file only after a checkpoint that reached the log's end, which under
// sustained writes a passive one rarely does: the pages it copied would wait in the OS cache for
// the request thread's restart to sync them all at once (measured: 8 % of the store's time). This
// thread flushes them after every pass instead.
const databaseFile = openSync(settings.dbPath, 'r+');

function post(message: CheckpointWorkerMessage): void {
  parentPort?.postMessage(message);
}

function checkpoint(): void {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (passive && passive.checkpointed > 0) fdatasyncSync(databaseFile);
    if (passive && passive.log >= settings.restartPages && passive.log - passive.checkpointed <= settings.restartLagPages) {
      post({ kind: 'restart-wanted' });
    }
  } catch (error) {
    // The next tick tries again; the request thread logs it.
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(checkpoint, settings.intervalMs);
parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  closeSync(databaseFile);
  parentPort?.close();
});
