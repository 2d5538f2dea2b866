// BTQL queries off the request thread. A few worker threads (btql-reader-worker.ts), each with a
// read-only connection, take compiled statements in turn, so ingest and quick lookups keep flowing
// while a heavy query scans (measured before: a word search over 200,000 spans held a /logs3
// batch for 618 ms). A query past its time limit is answered 504 at once and its thread replaced
// (the old one ends when SQLite returns): later queries never wait behind it.
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../../lib/logging.js';
import { startTypeScriptWorker } from '../../../lib/process/typescript-worker.js';
import { HttpError } from '../http/http-error.js';
import type { BtqlReaderData, BtqlReaderMessage, BtqlReadRequest } from './btql-reader-worker.js';
import type { ResultRow } from './compiled-query.js';
import type { SqlValue } from './expression-sql.js';

export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
export const DEFAULT_READER_THREADS = 2;

export interface BtqlReaderOptions {
  /** How many queries run at once (one thread each). */
  threads?: number;
  /** The longest a query may take, waiting included, before it is answered 504. */
  timeoutMs?: number;
}

interface Job {
  request: BtqlReadRequest;
  resolve(rows: ResultRow[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

interface Reader {
  worker: Worker;
  job: Job | undefined;
}

export class BtqlReaders {
  private readers: Reader[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly data: BtqlReaderData,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Starts the reader threads; rejects if one cannot open the database. */
  static async start(dbPath: string, log: Logger, options: BtqlReaderOptions = {}): Promise<BtqlReaders> {
    const readers = new BtqlReaders({ dbPath }, log, options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    try {
      await Promise.all(Array.from({ length: options.threads ?? DEFAULT_READER_THREADS }, () => readers.spawn()));
    } catch (error) {
      await readers.close();
      throw error;
    }
    return readers;
  }

  /** Runs one compiled statement and resolves with its rows. */
  all(sql: string, params: SqlValue[]): Promise<ResultRow[]> {
    if (this.closed) return Promise.reject(new HttpError(503, 'the trace store is shutting down'));
    return new Promise((resolve, reject) => {
      const job: Job = { request: { id: this.nextId++, sql, params }, resolve, reject, timer: undefined };
      job.timer = setTimeout(() => this.timeOut(job), this.timeoutMs);
      job.timer.unref();
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new HttpError(503, 'the trace store is shutting down'));
    const readers = this.readers.splice(0);
    for (const reader of readers) if (reader.job) this.settle(reader.job, new HttpError(503, 'the trace store is shutting down'));
    await Promise.all(readers.map((reader) => reader.worker.terminate()));
  }

  private dispatch(): void {
    for (const reader of this.readers) {
      if (reader.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      reader.job = job;
      reader.worker.postMessage(job.request);
    }
  }

  private settle(job: Job, outcome: ResultRow[] | Error): void {
    clearTimeout(job.timer);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private timeOut(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const running = this.readers.find((reader) => reader.job === job);
    if (running) this.replace(running, 'a query ran past its time limit');
    this.settle(job, new HttpError(504, `the query ran longer than ${this.timeoutMs} ms; narrow it (a filter on created or on a span name, a smaller limit)`));
  }

  /** Drops a reader (its thread is told to stop) and starts another in its place. */
  private replace(reader: Reader, why: string): void {
    this.readers = this.readers.filter((r) => r !== reader);
    reader.job = undefined;
    void reader.worker.terminate();
    if (this.closed) return;
    this.log.warn({ reason: why }, 'replacing a BTQL reader thread');
    this.spawn().then(
      () => this.dispatch(),
      (error: unknown) => this.log.error({ err: error }, 'could not start a BTQL reader thread'),
    );
  }

  private spawn(): Promise<void> {
    const worker = startTypeScriptWorker(new URL('./btql-reader-worker.ts', import.meta.url), { workerData: this.data });
    const reader: Reader = { worker, job: undefined };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: BtqlReaderMessage) => {
        if (message.kind === 'ready') {
          ready = true;
          this.readers.push(reader);
          resolve();
          this.dispatch();
          return;
        }
        const job = reader.job;
        if (!job || job.request.id !== message.id) return;
        reader.job = undefined;
        this.settle(job, message.kind === 'rows' ? message.rows : new Error(message.error));
        this.dispatch();
      });
      worker.once('error', (error) => {
        if (!ready) return reject(error);
        this.log.error({ err: error }, 'a BTQL reader thread failed');
        if (reader.job) this.settle(reader.job, error);
        if (this.readers.includes(reader)) this.replace(reader, 'its thread failed');
      });
      worker.once('exit', (code) => {
        if (!ready) reject(new Error(`the BTQL reader thread exited (code ${code}) before it was ready`));
      });
    });
  }
}
