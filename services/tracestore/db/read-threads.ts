// The store's reads that may scan, off the request thread: a few worker threads
// (read-thread-worker.ts), each with a read-only connection, take BTQL statements and the viewer's
// trace-list pages in turn, so ingest and quick lookups keep flowing while a heavy read scans
// (measured before: a word search over 200,000 spans held a /logs3 batch for 618 ms). A read past
// its time limit is answered 504 at once and its thread replaced (the old one ends when SQLite
// returns): later reads never wait behind it.
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../../lib/logging.js';
import { startTypeScriptWorker } from '../../../lib/process/typescript-worker.js';
import type { ResultRow } from '../btql/compiled-query.js';
import type { SqlValue } from '../btql/expression-sql.js';
import { HttpError } from '../http/http-error.js';
import type { TraceListPage, TraceListQuery } from '../viewer/viewer-queries.js';
import type { ReadJob, ReadRequest, ReadThreadData, ReadThreadMessage } from './read-thread-worker.js';

export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
export const DEFAULT_READER_THREADS = 2;

export interface ReadThreadOptions {
  /** How many reads run at once (one thread each). */
  threads?: number;
  /** The longest a read may take, waiting included, before it is answered 504. */
  timeoutMs?: number;
}

type JobResult = ResultRow[] | TraceListPage;

interface Job {
  request: ReadRequest;
  /** What a 504 says to do instead. */
  advice: string;
  resolve(result: JobResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

interface Reader {
  worker: Worker;
  job: Job | undefined;
}

export class ReadThreads {
  private readers: Reader[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly data: ReadThreadData,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Starts the threads; rejects if one cannot open the database. */
  static async start(dbPath: string, log: Logger, options: ReadThreadOptions = {}): Promise<ReadThreads> {
    const readers = new ReadThreads({ dbPath }, log, options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    try {
      await Promise.all(Array.from({ length: options.threads ?? DEFAULT_READER_THREADS }, () => readers.spawn()));
    } catch (error) {
      await readers.close();
      throw error;
    }
    return readers;
  }

  /** Runs one compiled BTQL statement and resolves with its rows. */
  btql(sql: string, params: SqlValue[]): Promise<ResultRow[]> {
    return this.run({ kind: 'btql', sql, params }, 'narrow it (a filter on created or on a span name, a smaller limit)') as Promise<ResultRow[]>;
  }

  /** One page of the viewer's trace list. */
  recentTraces(query: TraceListQuery): Promise<TraceListPage> {
    return this.run({ kind: 'recent-traces', query }, 'search for something more specific') as Promise<TraceListPage>;
  }

  private run(job: ReadJob, advice: string): Promise<JobResult> {
    if (this.closed) return Promise.reject(new HttpError(503, 'the trace store is shutting down'));
    return new Promise((resolve, reject) => {
      const entry: Job = { request: { id: this.nextId++, job }, advice, resolve, reject, timer: undefined };
      entry.timer = setTimeout(() => this.timeOut(entry), this.timeoutMs);
      entry.timer.unref();
      this.queue.push(entry);
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

  private settle(job: Job, outcome: JobResult | Error): void {
    clearTimeout(job.timer);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private timeOut(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const running = this.readers.find((reader) => reader.job === job);
    if (running) this.replace(running, 'a query ran past its time limit');
    this.settle(job, new HttpError(504, `the query ran longer than ${this.timeoutMs} ms; ${job.advice}`));
  }

  /** Drops a reader (its thread is told to stop) and starts another in its place. */
  private replace(reader: Reader, why: string): void {
    this.readers = this.readers.filter((r) => r !== reader);
    reader.job = undefined;
    void reader.worker.terminate();
    if (this.closed) return;
    this.log.warn({ reason: why }, 'replacing a read thread');
    this.spawn().then(
      () => this.dispatch(),
      (error: unknown) => this.log.error({ err: error }, 'could not start a read thread'),
    );
  }

  private spawn(): Promise<void> {
    const worker = startTypeScriptWorker(new URL('./read-thread-worker.ts', import.meta.url), { workerData: this.data });
    const reader: Reader = { worker, job: undefined };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: ReadThreadMessage) => {
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
        this.settle(job, message.kind === 'result' ? message.result : new Error(message.error));
        this.dispatch();
      });
      worker.on('error', (error) => {
        if (!ready) return reject(error);
        this.log.error({ err: error }, 'a read thread failed');
        if (reader.job) this.settle(reader.job, error);
        if (this.readers.includes(reader)) this.replace(reader, 'its thread failed');
      });
      worker.once('exit', (code) => {
        if (!ready) return reject(new Error(`a read thread exited (code ${code}) before it was ready`));
        // Stopped by replace() or close(), it is no longer listed; otherwise it died under us.
        if (!this.readers.includes(reader)) return;
        if (reader.job) this.settle(reader.job, new Error(`the read thread running this query exited (code ${code})`));
        this.replace(reader, `its thread exited (code ${code})`);
      });
    });
  }
}
