// Trace store ingest: spans per second accepted through /logs3 when SDK-shaped batches (100-odd
// rows, the SDK's batch size) arrive back to back from 4 senders — several mesh processes flushing
// at once — for a fixed time per round.
import type { Scenario } from '../harness/scenario.js';
import type { ScenarioResult } from '../harness/figures.js';
import { traceStoreUnderTest } from '../harness/trace-store-under-test.js';
import { median } from '../harness/stats.js';

export const tracestoreIngest: Scenario = {
  name: 'tracestore-ingest',
  title: 'Trace store: sustained ingest of SDK /logs3 batches',
  async run(context): Promise<ScenarioResult> {
    const store = await traceStoreUnderTest(context);
    const tracesPerBatch = Math.max(1, Math.floor(100 / store.template.spansPerTrace));
    const round = async (ms: number): Promise<number> => {
      const end = performance.now() + ms;
      const started = performance.now();
      const spans = await store.load({ tracesPerBatch, inFlight: 4, until: () => performance.now() >= end });
      return (spans * 1000) / (performance.now() - started);
    };
    await round(context.pick(300, 2_000));
    const rates: number[] = [];
    for (let i = 0; i < context.pick(1, 4); i++) rates.push(await round(context.pick(1_500, 5_000)));
    return {
      scenario: 'tracestore-ingest',
      figures: [
        {
          id: 'tracestore.ingest_spans_per_s',
          label: 'sustained /logs3 ingest',
          value: median(rates),
          unit: 'spans/s',
          target: { comparison: '>=', value: 20_000 },
          note: `${tracesPerBatch * store.template.spansPerTrace} rows a batch, 4 in flight, ${store.spansStored} spans stored`,
        },
      ],
      raw: { ratesPerRound: rates, spansPerTrace: store.template.spansPerTrace, tracesPerBatch },
    };
  },
};
