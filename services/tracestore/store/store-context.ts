// Everything a route handler may use, built once per running store.
import type { Logger } from '../../../lib/logging.js';
import type { BtqlRunner } from '../btql/run-btql.js';
import type { TraceDatabase } from '../db/open-database.js';
import type { LogRowsBatcher } from './log-rows-batcher.js';
import type { Registry } from './registry.js';
import type { RowStore } from './row-store.js';
import type { Sequences } from './sequences.js';
import type { Summaries } from './summaries.js';
import type { TraceThreads } from './trace-thread.js';

export interface StoreContext {
  db: TraceDatabase;
  registry: Registry;
  rows: RowStore;
  /** /logs3 writes, group-committed. */
  logRows: LogRowsBatcher;
  btql: BtqlRunner;
  summaries: Summaries;
  threads: TraceThreads;
  sequences: Sequences;
  log: Logger;
}
