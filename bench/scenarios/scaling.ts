// Scaling: how turn latency and memory grow with load. The seed query (three real tools) from
// 1, 8, 32 and 128 callers in a closed loop against the mesh as shipped, each level a fixed time,
// the levels run up then down (interleaved: 1 8 32 128, 128 32 8 1); peak RSS of the conversation
// service and the worker sampled during each level. Writes the table's numbers and an SVG plot.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEED_QUERY } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import type { Figure, ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { runClosedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { watchPeakResident } from '../harness/process-memory.js';
import { scalingSvg, type ScalingPoint } from '../harness/scaling-plot.js';
import { distribution, median } from '../harness/stats.js';

const LEVELS = [1, 8, 32, 128];
/** The quick run (a smoke test) leaves out 128 callers: one turn there takes longer than its budget. */
const QUICK_LEVELS = [1, 8, 32];

interface LevelRun {
  result: ClosedLoopResult;
  conversationPeak: number;
  workerPeak: number;
}

export const scaling: Scenario = {
  name: 'scaling',
  title: 'Scaling: turn latency and memory at concurrency 1 → 8 → 32 → 128',
  async run(context): Promise<ScenarioResult> {
    const stack = await context.mesh();
    const client = new GrpcTurnClient(stack.conversationTarget);
    const durationMs = context.pick(600, 6_000);
    const levels = context.pick(QUICK_LEVELS, LEVELS);
    const runs = new Map<number, LevelRun[]>(levels.map((c) => [c, []]));
    const runLevel = async (concurrency: number): Promise<LevelRun> => {
      const conversation = watchPeakResident(stack.conversationPid);
      const worker = watchPeakResident(stack.workerPid);
      const result = await runClosedLoop(() => client.turn(SEED_QUERY), { concurrency, durationMs });
      if (result.failed > 0) throw new Error(`${result.failed} turns failed at concurrency ${concurrency}: ${JSON.stringify(result.errorsByCode)}`);
      return { result, conversationPeak: conversation.stop(), workerPeak: worker.stop() };
    };
    try {
      if (!context.quick) await runLevel(8);
      const passes = context.pick(1, 2);
      for (let pass = 0; pass < passes; pass++) {
        for (const concurrency of pass % 2 === 0 ? levels : [...levels].reverse()) runs.get(concurrency)?.push(await runLevel(concurrency));
      }
      const points: ScalingPoint[] = levels.map((concurrency) => {
        const level = runs.get(concurrency) ?? [];
        const latencies = level.map((run) => distribution(run.result.latenciesMs));
        return {
          concurrency,
          p50Ms: median(latencies.map((d) => d.p50)),
          p99Ms: median(latencies.map((d) => d.p99)),
          throughput: median(level.map((run) => run.result.throughput)),
          conversationRssMiB: Math.max(...level.map((run) => run.conversationPeak)) / 2 ** 20,
          workerRssMiB: Math.max(...level.map((run) => run.workerPeak)) / 2 ** 20,
        };
      });
      const plotPath = context.settings.plotPath;
      mkdirSync(dirname(plotPath), { recursive: true });
      writeFileSync(plotPath, scalingSvg(points, `tracemesh, seed query, ${context.quick ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 10)}`));
      const figures: Figure[] = points.map((p) => ({
        id: `scaling.c${p.concurrency}`,
        label: `c=${p.concurrency}: latency p50 (p99), turns/s, RSS conversation / worker`,
        value: p.p50Ms,
        unit: 'ms',
        note: `p99 ${p.p99Ms.toFixed(0)} ms · ${p.throughput.toFixed(1)} turns/s · ${p.conversationRssMiB.toFixed(0)} / ${p.workerRssMiB.toFixed(0)} MiB`,
      }));
      return { scenario: 'scaling', figures, raw: { durationMs, points, plot: plotPath }, remarks: [`scaling plot: ${plotPath}`] };
    } finally {
      client.close();
    }
  },
};
