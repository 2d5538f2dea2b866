// Transaction ids and pagination keys. Both only grow, survive restarts (kept in the meta table,
// written inside each write transaction) and have a fixed width so string order = numeric order.
import type { TraceDatabase } from '../db/open-database.js';

// Braintrust's own transaction ids are 16-digit numbers; starting at 10^15 keeps every id 16
// digits wide (so string comparison is numeric) and still a valid JSON number for GET /xact-id.
const XACT_BASE = 1_000_000_000_000_000;
const PAGINATION_KEY_WIDTH = 20;

export class Sequences {
  private xactSeq: number;
  private rowSeq: number;
  private readonly save: (key: string, value: string) => void;

  constructor(db: TraceDatabase) {
    const read = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.xactSeq = Number(read.get('xact_seq')?.value ?? 0);
    this.rowSeq = Number(read.get('row_seq')?.value ?? 0);
    const write = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.save = (key, value) => write.run(key, value);
  }

  nextXactId(): string {
    this.xactSeq++;
    return String(XACT_BASE + this.xactSeq);
  }

  /** The id of the newest write, or "0" when nothing has been written. */
  currentXactId(): string {
    return this.xactSeq === 0 ? '0' : String(XACT_BASE + this.xactSeq);
  }

  nextPaginationKey(): string {
    this.rowSeq++;
    return `p${String(this.rowSeq).padStart(PAGINATION_KEY_WIDTH, '0')}`;
  }

  /** Call inside the write transaction that used the new values. */
  persist(): void {
    this.save('xact_seq', String(this.xactSeq));
    this.save('row_seq', String(this.rowSeq));
  }
}

/** Brings a client-supplied version to the stored width so it compares correctly as a string. */
export function normalizeVersion(version: string): string | undefined {
  if (!/^[0-9]+$/.test(version)) return undefined;
  const digits = version.replace(/^0+(?=.)/, '');
  const width = String(XACT_BASE).length;
  if (digits.length > width) return '9'.repeat(width);
  return digits.padStart(width, '0');
}
