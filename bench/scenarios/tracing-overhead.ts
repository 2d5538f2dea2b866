// What tracing costs: the mesh with tracing on (spans to the local trace store) against the same
// mesh with TRACEMESH_TRACING=off, interleaved. Latency at concurrency 1 with the seed query (a
// real turn), and throughput at concurrency 32 with one 0 ms tool (no tool time to hide behind).
// A third latency contestant runs with the trace store paused (SIGSTOP) for its round: its ingest
// no longer competes for this machine's two cores, as with a backend elsewhere (Braintrust), so it
// shows what tracing costs the mesh's own processes. The store catches up after each such round.
import { setTimeout as delay } from 'node:timers/promises';
import { SEED_QUERY, sleepToolsQuery } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import { ratio, type ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { runClosedLoop } from '../harness/closed-loop.js';
import { interleavedRounds } from '../harness/rounds.js';
import { sequentialRound } from '../harness/sequential-round.js';
import { median } from '../harness/stats.js';
import { describeCpu, measureCpuPerTurn, medianCpu } from '../harness/process-cpu.js';

export const tracingOverhead: Scenario = {
  name: 'tracing-overhead',
  title: 'Tracing overhead: mesh with tracing ÷ tracing off',
  async run(context): Promise<ScenarioResult> {
    const onStack = await context.mesh();
    const offStack = await context.meshWithoutTracing();
    const on = new GrpcTurnClient(onStack.conversationTarget);
    const off = new GrpcTurnClient(offStack.conversationTarget);
    const turns = context.pick(4, 20);
    const loadMs = context.pick(800, 5_000);
    const zeroMsTool = sleepToolsQuery(1, 0);
    try {
      const storePid = onStack.processes['trace store'];
      if (storePid === undefined) throw new Error('the traced mesh runs no trace store');
      const latency = await interleavedRounds(
        [
          { name: 'on', run: () => sequentialRound(turns, () => on.turn(SEED_QUERY)) },
          { name: 'off', run: () => sequentialRound(turns, () => off.turn(SEED_QUERY)) },
          { name: 'on, store paused', run: () => withProcessPaused(storePid, () => sequentialRound(turns, () => on.turn(SEED_QUERY))) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const throughput = await interleavedRounds(
        [
          { name: 'on', run: () => measureCpuPerTurn(onStack.processes, () => runClosedLoop(() => on.turn(zeroMsTool), { concurrency: 32, durationMs: loadMs }), (r) => r.completed) },
          { name: 'off', run: () => measureCpuPerTurn(offStack.processes, () => runClosedLoop(() => off.turn(zeroMsTool), { concurrency: 32, durationMs: loadMs }), (r) => r.completed) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 4) },
      );
      const latencyOn = median((latency.get('on') ?? []).map(median));
      const latencyOff = median((latency.get('off') ?? []).map(median));
      const latencyStorePaused = median((latency.get('on, store paused') ?? []).map(median));
      const throughputOn = median((throughput.get('on') ?? []).map((r) => r.result.throughput));
      const throughputOff = median((throughput.get('off') ?? []).map((r) => r.result.throughput));
      const cpuOn = medianCpu((throughput.get('on') ?? []).map((r) => r.cpu));
      const cpuOff = medianCpu((throughput.get('off') ?? []).map((r) => r.cpu));
      return {
        scenario: 'tracing-overhead',
        figures: [
          { id: 'tracing.latency_on_ms', label: 'latency c=1, tracing on, p50', value: latencyOn, unit: 'ms' },
          { id: 'tracing.latency_off_ms', label: 'latency c=1, tracing off, p50', value: latencyOff, unit: 'ms' },
          { id: 'tracing.latency_ratio', label: 'latency on ÷ off', value: ratio(latencyOn, latencyOff), unit: '×', target: { comparison: '<=', value: 1.1 } },
          {
            id: 'tracing.latency_ratio_store_paused',
            label: 'latency on ÷ off, trace store paused',
            value: ratio(latencyStorePaused, latencyOff),
            unit: '×',
            target: { comparison: 'info', value: 1.1 },
            note: 'the mesh’s own tracing cost: the store’s ingest off this machine’s CPUs, as with a remote backend',
          },
          { id: 'tracing.throughput_on', label: 'throughput c=32 (0 ms tool), tracing on', value: throughputOn, unit: 'turns/s' },
          { id: 'tracing.throughput_off', label: 'throughput c=32 (0 ms tool), tracing off', value: throughputOff, unit: 'turns/s' },
          {
            id: 'tracing.throughput_cost',
            label: 'throughput cost: off ÷ on',
            value: ratio(throughputOff, throughputOn),
            unit: '×',
            target: { comparison: '<=', value: 1.1 },
          },
          { id: 'tracing.cpu_on', label: 'CPU per turn (c=32), tracing on', value: cpuOn.total ?? Number.NaN, unit: 'ms', note: describeCpu(cpuOn) },
          { id: 'tracing.cpu_off', label: 'CPU per turn (c=32), tracing off', value: cpuOff.total ?? Number.NaN, unit: 'ms', note: describeCpu(cpuOff) },
        ],
        raw: {
          latencyRoundMedians: {
            on: (latency.get('on') ?? []).map(median),
            off: (latency.get('off') ?? []).map(median),
            onStorePaused: (latency.get('on, store paused') ?? []).map(median),
          },
          throughputRounds: {
            on: (throughput.get('on') ?? []).map((r) => ({ throughput: r.result.throughput, cpuPerTurnMs: r.cpu })),
            off: (throughput.get('off') ?? []).map((r) => ({ throughput: r.result.throughput, cpuPerTurnMs: r.cpu })),
          },
          loadMs,
        },
      };
    } finally {
      on.close();
      off.close();
    }
  },
};

/**
 * Runs `work` with process `pid` stopped (SIGSTOP: it keeps its sockets, so clients' requests wait
 * rather than fail), then lets it go on and gives it time to catch up before the next round.
 */
async function withProcessPaused<T>(pid: number, work: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(pid, 'SIGCONT');
    await delay(1_500);
  }
}
