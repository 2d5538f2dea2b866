// Retention for project logs (TRACESTORE_RETENTION_DAYS): spans of project logs created before the
// cutoff, and the feedback comments on project logs from before it, are deleted — so a store left
// running does not fill its disk. Experiments and datasets are kept whatever their age: they are
// what evals compare against. Deletes run on the writing connection in small transactions, a
// batch per event-loop turn, so ingest requests keep being served between them: a deleted span
// costs ≈ 55 µs (six indexes), so 250 rows hold the thread ≈ 15 ms (5,000 held it ≈ 270 ms).
import type { Logger } from '../../../lib/logging.js';
import type { TraceDatabase } from '../db/open-database.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface LogRetentionOptions {
  days: number;
  /** How often old rows are looked for. */
  intervalMs?: number;
  /** Rows deleted per transaction. */
  batchSize?: number;
}

export class LogRetention {
  private readonly deleteSpans;
  private readonly deleteComments;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    db: TraceDatabase,
    private readonly log: Logger,
    private readonly options: LogRetentionOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.batchSize = options.batchSize ?? 250;
    // spans_by_created (object_key, created) finds each project's oldest rows without a scan.
    this.deleteSpans = db.prepare<[string, number]>(
      `DELETE FROM spans WHERE rowid IN (
         SELECT s.rowid FROM span_objects o JOIN spans s ON s.object_key = o.object_key
         WHERE o.object_type = 'project_logs' AND s.created < ?
         LIMIT ?)`,
    );
    this.deleteComments = db.prepare<[string, number]>(
      `DELETE FROM comments WHERE rowid IN (
         SELECT rowid FROM comments WHERE object_type = 'project_logs' AND created < ? LIMIT ?)`,
    );
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Deletes everything past the cutoff, a batch at a time; resolves with how many rows went. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    const cutoff = new Date(now - this.options.days * DAY_MS).toISOString();
    let deleted = 0;
    try {
      for (;;) {
        const batch = this.deleteSpans.run(cutoff, this.batchSize).changes + this.deleteComments.run(cutoff, this.batchSize).changes;
        deleted += batch;
        if (batch === 0) break;
        // Let the requests that arrived meanwhile through before the next batch.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (deleted > 0) this.log.info({ deleted, cutoff, days: this.options.days }, 'deleted project logs past their retention');
    } catch (error) {
      this.log.warn({ err: error }, 'deleting old project logs failed; retrying at the next sweep');
    } finally {
      this.sweeping = false;
    }
    return deleted;
  }
}
