// Group commit for /logs3: requests whose bodies arrive while a write is running (several mesh
// processes flushing at once) are written together in the next transaction instead of one
// transaction each. Nothing waits on a timer: the group is whatever has queued up when the event
// loop gets to it, so a lone request is written as soon as it is parsed.
import type { Logger } from '../../../lib/logging.js';
import { checkLogRows, type CheckedLogRows, type RowStore, type WriteSummary } from './row-store.js';

/**
 * The most rows one group transaction takes (more stay queued for the next): one transaction holds
 * the request thread, so readers — BTQL, the viewer — wait at most about this long behind a write.
 */
const MAX_GROUP_ROWS = 2_000;

interface Queued {
  rows: CheckedLogRows;
  resolve(summary: WriteSummary): void;
  reject(error: unknown): void;
}

export class LogRowsBatcher {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(private readonly rows: RowStore, private readonly log: Logger) {}

  /** Validates now (a bad request fails alone, with a 400) and resolves once the rows are committed. */
  write(rows: unknown[]): Promise<WriteSummary> {
    const checked = checkLogRows(rows);
    return new Promise<WriteSummary>((resolve, reject) => {
      this.queue.push({ rows: checked, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.writeQueued());
      }
    });
  }

  private writeQueued(): void {
    let rows = 0;
    let taken = 0;
    while (taken < this.queue.length && (taken === 0 || rows + this.queue[taken]!.rows.rows.length <= MAX_GROUP_ROWS)) {
      rows += this.queue[taken]!.rows.rows.length;
      taken++;
    }
    const group = this.queue.splice(0, taken);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(() => this.writeQueued());
    try {
      const summaries = this.rows.writeLogRowGroups(group.map((queued) => queued.rows));
      group.forEach((queued, index) => queued.resolve(summaries[index]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // The group's transaction rolled back: write each request alone, so only the one at fault fails.
      this.log.warn({ err: error, requests: group.length }, 'group write failed; writing its requests one by one');
      for (const queued of group) {
        try {
          queued.resolve(this.rows.writeLogRowGroups([queued.rows])[0]!);
        } catch (single) {
          queued.reject(single);
        }
      }
    }
  }
}
