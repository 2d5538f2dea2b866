// A trace store process of its own for the trace-store scenarios (a fresh database, nothing else
// writing to it), loaded with SDK-shaped /logs3 batches. Keeps count of what it holds so the
// lookup scenario can top it up to its size and pick traces that exist.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startService, stopProcess, type ServiceProcess } from '../../lib/process/mesh-launcher.js';
import type { BenchContext } from './bench-context.js';
import { captureSdkTrace, logs3Body, type SpanRowTemplate } from './sdk-span-rows.js';

export interface TraceStoreUnderTest {
  url: string;
  pid: number;
  template: SpanRowTemplate;
  /** Spans written so far, and the root span ids of every trace written. */
  spansStored: number;
  rootSpanIds: string[];
  /** POSTs batches of `tracesPerBatch` traces, `inFlight` at a time, until `until()` says stop; returns spans accepted. */
  load(options: { tracesPerBatch: number; inFlight: number; until: () => boolean }): Promise<number>;
  stop(): Promise<void>;
}

export function traceStoreUnderTest(context: BenchContext): Promise<TraceStoreUnderTest> {
  return context.own('tracestore-under-test', async () => {
    const dir = join(context.settings.dataDir, 'tracestore-under-test');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const store: ServiceProcess = await startService(
      'tracestore',
      { ...process.env, ...context.processEnv(), TRACEMESH_DATA_DIR: dir, TRACESTORE_PORT: '0', LOG_LEVEL: 'warn' },
      'file',
      join(dir, 'logs'),
      30_000,
    );
    const url = store.ready.address;
    const template = await captureSdkTrace(url);
    const state: TraceStoreUnderTest = {
      url,
      pid: store.child.pid ?? -1,
      template,
      spansStored: 0,
      rootSpanIds: [],
      async load({ tracesPerBatch, inFlight, until }) {
        let accepted = 0;
        const sender = async (): Promise<void> => {
          while (!until()) {
            const batch = logs3Body(template, tracesPerBatch);
            const response = await fetch(`${url}/logs3`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body: batch.body });
            await response.arrayBuffer();
            if (!response.ok) throw new Error(`/logs3 answered ${response.status}`);
            accepted += batch.rows;
            state.spansStored += batch.rows;
            state.rootSpanIds.push(...batch.rootSpanIds);
          }
        };
        await Promise.all(Array.from({ length: inFlight }, sender));
        return accepted;
      },
      stop: () => stopProcess(store.child),
    };
    return state;
  });
}
