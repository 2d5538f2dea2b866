// Moves WAL checkpoints off the request thread. With SQLite's automatic checkpoint, the write that
// crosses the threshold copies the whole log into the database file and fsyncs it, stalling every
// request behind it: on the benchmark machine that was half of the store's ingest time
// (bench/: tracestore-ingest). A worker thread with its own connection checkpoints on a timer
// instead (wal-checkpoint-worker.ts); the request thread's connection turns its automatic
// checkpoint off only once the worker runs, and back on if the worker fails.
import type { Logger } from '../../../lib/logging.js';
import { startTypeScriptWorker } from '../../../lib/process/typescript-worker.js';
import { AUTOCHECKPOINT_PAGES, type TraceDatabase } from './open-database.js';
import type { CheckpointWorkerData, CheckpointWorkerMessage } from './wal-checkpoint-worker.js';

export type WalCheckpointSettings = Omit<CheckpointWorkerData, 'dbPath'>;

export const DEFAULT_WAL_CHECKPOINT: WalCheckpointSettings = {
  intervalMs: 250,
  // ~256 MB of log (4 KB pages): past this the log is restarted from its beginning. Each restart
  // costs the request thread a copy and an fsync, so not too often.
  restartPages: 65_536,
  // ~4 MB: the most a restart may have left to copy while requests wait for it.
  restartLagPages: 1_024,
};

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export async function startWalCheckpointer(
  db: TraceDatabase,
  dbPath: string,
  log: Logger,
  settings: WalCheckpointSettings = DEFAULT_WAL_CHECKPOINT,
): Promise<WalCheckpointer> {
  const data: CheckpointWorkerData = { dbPath, ...settings };
  const worker = startTypeScriptWorker(new URL('./wal-checkpoint-worker.ts', import.meta.url), { workerData: data });
  let running = true;
  worker.on('message', (message: CheckpointWorkerMessage) => {
    if (message.kind === 'error') log.warn({ error: message.message }, 'WAL checkpoint failed; retrying');
    if (message.kind === 'restart-wanted' && running) restartLog(db, log);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const online = new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  // Without the worker, SQLite's own automatic checkpoint keeps the log bounded again.
  const fallBack = (reason: unknown): void => {
    if (!running) return;
    running = false;
    log.error({ err: reason }, 'WAL checkpoint worker stopped; the store checkpoints on its own again');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`checkpoint worker exited (code ${code})`)));
  await online;
  db.pragma('wal_autocheckpoint = 0');
  return {
    async stop() {
      if (!running) return;
      running = false;
      db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      worker.postMessage('stop');
      await exited;
    },
  };
}

/**
 * Copies what the worker's last pass left and makes the next write start the log over. Runs
 * between two transactions of this (the only writing) connection; if the worker is mid-pass it
 * does not wait (busy) and the worker asks again after its next pass.
 */
function restartLog(db: TraceDatabase, log: Logger): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    // An I/O error here must not take the store down: the log simply is not restarted this time.
    log.warn({ err: error }, 'WAL restart failed; retrying after the next checkpoint');
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}
