// What one span costs the process that makes it, the unit behind the tracing-overhead figures: a
// model-call span (prompt in, answer out, metrics) made through the Braintrust SDK, as the mesh
// makes its spans, and the same fields as an OTel span with braintrust.* attributes (Braintrust's
// OTel path), each started, logged, ended and sent to a trace store — CPU time of the probe process
// per span, the store's ingest not counted. Interleaved rounds in one probe process.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SpanCostAnswer, SpanCostRequest } from '../baselines/span-cost/span-cost-probe.js';
import type { Scenario } from '../harness/scenario.js';
import { startHarnessProcess, type HarnessProcess } from '../harness/node-process.js';
import { interleavedRounds } from '../harness/rounds.js';
import { ratio, type ScenarioResult } from '../harness/figures.js';
import { median } from '../harness/stats.js';
import { startService, stopProcess } from '../../lib/process/mesh-launcher.js';

function ask(probe: HarnessProcess, request: SpanCostRequest): Promise<SpanCostAnswer> {
  return new Promise((resolve, reject) => {
    probe.child.once('message', (answer: SpanCostAnswer | { error: string }) => ('error' in answer ? reject(new Error(answer.error)) : resolve(answer)));
    probe.child.send(request);
  });
}

export const spanCost: Scenario = {
  name: 'span-cost',
  title: 'CPU per span: Braintrust SDK span vs OTel span with braintrust.* attributes',
  async run(context): Promise<ScenarioResult> {
    const dir = join(context.settings.dataDir, 'span-cost');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const store = await startService('tracestore', { ...process.env, ...context.processEnv(), TRACEMESH_DATA_DIR: dir, TRACESTORE_PORT: '0', LOG_LEVEL: 'warn' }, 'file', join(dir, 'logs'), 30_000);
    const probe = await startHarnessProcess('span-cost-probe', 'bench/baselines/span-cost/span-cost-probe.ts', { ...context.processEnv(), SPAN_COST_STORE_URL: store.ready.address });
    try {
      const spans = context.pick(300, 3_000);
      const perSpan = (answer: SpanCostAnswer): number => {
        if (answer.sent < answer.spans) throw new Error(`${answer.kind}: the store took ${answer.sent} of ${answer.spans} spans`);
        return answer.cpuMicros / answer.spans;
      };
      const rounds = await interleavedRounds(
        (['braintrust-sdk', 'otel'] as const).map((kind) => ({ name: kind, run: async () => perSpan(await ask(probe, { kind, spans })) })),
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const sdk = median(rounds.get('braintrust-sdk') ?? []);
      const otel = median(rounds.get('otel') ?? []);
      return {
        scenario: 'span-cost',
        figures: [
          { id: 'span_cost.braintrust_sdk_us', label: 'Braintrust SDK span (start, log, end, flush), CPU', value: sdk, unit: 'µs', note: `${spans} model-call spans a round` },
          { id: 'span_cost.otel_us', label: 'OTel span, braintrust.* attributes (start, end, export), CPU', value: otel, unit: 'µs' },
          { id: 'span_cost.sdk_over_otel', label: 'Braintrust SDK span ÷ OTel span', value: ratio(sdk, otel), unit: '×' },
        ],
        raw: { spansPerRound: spans, microsPerSpan: Object.fromEntries([...rounds]) },
      };
    } finally {
      await probe.stop();
      await stopProcess(store.child);
    }
  },
};
