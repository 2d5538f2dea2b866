// Throughput: turns per second with 32 callers in a closed loop, each turn one 0 ms tool call, the
// mesh (StreamChat over one HTTP/2 connection) against the peer (HTTP/JSON, fetch keep-alive
// pool), interleaved rounds of fixed duration.
import { sleepToolsQuery } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import { ratio, type ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { runClosedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { interleavedRounds } from '../harness/rounds.js';
import { distribution, median } from '../harness/stats.js';
import { peerTurn } from '../baselines/peer/peer-client.js';
import { describeCpu, measureCpuPerTurn, medianCpu, type CpuPerTurn } from '../harness/process-cpu.js';

const CONCURRENCY = 32;

export const throughput: Scenario = {
  name: 'throughput',
  title: 'Throughput at concurrency 32 (0 ms tool): mesh ÷ peer',
  async run(context): Promise<ScenarioResult> {
    const meshStack = await context.mesh();
    const mesh = new GrpcTurnClient(meshStack.conversationTarget);
    const peer = await context.peer();
    const query = sleepToolsQuery(1, 0);
    const durationMs = context.pick(800, 5_000);
    const check = (result: ClosedLoopResult): ClosedLoopResult => {
      if (result.failed > 0) throw new Error(`turns failed: ${JSON.stringify(result.errorsByCode)}`);
      return result;
    };
    const measured = async (processes: Record<string, number>, load: () => Promise<ClosedLoopResult>): Promise<ClosedLoopResult & { cpu: CpuPerTurn }> => {
      const { result, cpu } = await measureCpuPerTurn(processes, load, (r) => r.completed);
      return { ...check(result), cpu };
    };
    try {
      const rounds = await interleavedRounds(
        [
          { name: 'mesh', run: () => measured(meshStack.processes, () => runClosedLoop(() => mesh.turn(query), { concurrency: CONCURRENCY, durationMs })) },
          { name: 'peer', run: () => measured(peer.processes, () => runClosedLoop(() => peerTurn(peer.baseUrl, query), { concurrency: CONCURRENCY, durationMs })) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 4) },
      );
      const turnsPerSecond = (name: string): number => median((rounds.get(name) ?? []).map((r) => r.throughput));
      const latency = (name: string) => distribution((rounds.get(name) ?? []).flatMap((r) => r.latenciesMs));
      const cpu = (name: string): CpuPerTurn => medianCpu((rounds.get(name) ?? []).map((r) => r.cpu));
      return {
        scenario: 'throughput',
        figures: [
          { id: 'throughput.mesh', label: 'mesh turns/s (c=32)', value: turnsPerSecond('mesh'), unit: 'turns/s', note: `p50 ${latency('mesh').p50.toFixed(0)} ms, p99 ${latency('mesh').p99.toFixed(0)} ms` },
          { id: 'throughput.peer', label: 'peer turns/s (c=32)', value: turnsPerSecond('peer'), unit: 'turns/s', note: `p50 ${latency('peer').p50.toFixed(0)} ms, p99 ${latency('peer').p99.toFixed(0)} ms` },
          { id: 'throughput.mesh_over_peer', label: 'mesh ÷ peer', value: ratio(turnsPerSecond('mesh'), turnsPerSecond('peer')), unit: '×', target: { comparison: '>=', value: 1.5 } },
          { id: 'throughput.mesh_cpu_per_turn', label: 'mesh CPU per turn, all processes', value: cpu('mesh').total ?? Number.NaN, unit: 'ms', note: describeCpu(cpu('mesh')) },
          { id: 'throughput.peer_cpu_per_turn', label: 'peer CPU per turn, all processes', value: cpu('peer').total ?? Number.NaN, unit: 'ms', note: describeCpu(cpu('peer')) },
        ],
        raw: { durationMs, rounds: Object.fromEntries([...rounds].map(([name, values]) => [name, values.map((r) => ({ throughput: r.throughput, completed: r.completed, latency: distribution(r.latenciesMs), cpuPerTurnMs: r.cpu }))])) },
      };
    } finally {
      mesh.close();
    }
  },
};
