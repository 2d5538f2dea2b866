// Trace lookup by root_span_id with 100,000 spans stored: the query `tracemesh trace` runs
// (BTQL over /btql: SELECT * … WHERE root_span_id = '…'), for traces picked at random among all
// those stored, one at a time; latency from request to parsed answer.
import type { Scenario } from '../harness/scenario.js';
import type { ScenarioResult } from '../harness/figures.js';
import { traceStoreUnderTest } from '../harness/trace-store-under-test.js';
import { distribution, median } from '../harness/stats.js';

/** The target's store size; the quick run (a smoke test) stops at 25,000 to stay under a minute. */
const SPANS_STORED = 100_000;
const QUICK_SPANS_STORED = 25_000;

export const tracestoreLookup: Scenario = {
  name: 'tracestore-lookup',
  title: 'Trace store: lookup by root_span_id with 100,000 spans stored',
  async run(context): Promise<ScenarioResult> {
    const store = await traceStoreUnderTest(context);
    const tracesPerBatch = Math.max(1, Math.floor(100 / store.template.spansPerTrace));
    await store.load({ tracesPerBatch, inFlight: 4, until: () => store.spansStored >= context.pick(QUICK_SPANS_STORED, SPANS_STORED) });
    const lookup = async (): Promise<number> => {
      const rootSpanId = store.rootSpanIds[Math.floor(Math.random() * store.rootSpanIds.length)] ?? '';
      const started = performance.now();
      const response = await fetch(`${store.url}/btql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
        body: JSON.stringify({ query: `SELECT * FROM project_logs('${store.template.projectId}') WHERE root_span_id = '${rootSpanId}' LIMIT 1000`, fmt: 'json' }),
      });
      const answer = (await response.json()) as { data?: unknown[] };
      const elapsed = performance.now() - started;
      if (!response.ok || answer.data?.length !== store.template.spansPerTrace) throw new Error(`lookup of ${rootSpanId} answered ${response.status} with ${answer.data?.length} rows`);
      return elapsed;
    };
    for (let i = 0; i < context.pick(5, 20); i++) await lookup();
    const rounds: number[][] = [];
    for (let r = 0; r < context.pick(1, 4); r++) {
      const latencies: number[] = [];
      for (let i = 0; i < context.pick(30, 200); i++) latencies.push(await lookup());
      rounds.push(latencies);
    }
    const p50 = median(rounds.map((latencies) => distribution(latencies).p50));
    const p99 = median(rounds.map((latencies) => distribution(latencies).p99));
    return {
      scenario: 'tracestore-lookup',
      figures: [
        { id: 'tracestore.lookup_p50_ms', label: `lookup by root_span_id (${store.spansStored} spans) p50`, value: p50, unit: 'ms', target: { comparison: '<=', value: 20 }, note: `p99 ${p99.toFixed(1)} ms` },
      ],
      raw: { spansStored: store.spansStored, traces: store.rootSpanIds.length, perRound: rounds.map(distribution) },
    };
  },
};
