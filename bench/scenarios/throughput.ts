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

const CONCURRENCY = 32;

export const throughput: Scenario = {
  name: 'throughput',
  title: 'Throughput at concurrency 32 (0 ms tool): mesh ÷ peer',
  async run(context): Promise<ScenarioResult> {
    const mesh = new GrpcTurnClient((await context.mesh()).conversationTarget);
    const peer = await context.peer();
    const query = sleepToolsQuery(1, 0);
    const durationMs = context.pick(800, 5_000);
    const check = (result: ClosedLoopResult): ClosedLoopResult => {
      if (result.failed > 0) throw new Error(`turns failed: ${JSON.stringify(result.errorsByCode)}`);
      return result;
    };
    try {
      const rounds = await interleavedRounds(
        [
          { name: 'mesh', run: async () => check(await runClosedLoop(() => mesh.turn(query), { concurrency: CONCURRENCY, durationMs })) },
          { name: 'peer', run: async () => check(await runClosedLoop(() => peerTurn(peer.baseUrl, query), { concurrency: CONCURRENCY, durationMs })) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 4) },
      );
      const turnsPerSecond = (name: string): number => median((rounds.get(name) ?? []).map((r) => r.throughput));
      const latency = (name: string) => distribution((rounds.get(name) ?? []).flatMap((r) => r.latenciesMs));
      return {
        scenario: 'throughput',
        figures: [
          { id: 'throughput.mesh', label: 'mesh turns/s (c=32)', value: turnsPerSecond('mesh'), unit: 'turns/s', note: `p50 ${latency('mesh').p50.toFixed(0)} ms, p99 ${latency('mesh').p99.toFixed(0)} ms` },
          { id: 'throughput.peer', label: 'peer turns/s (c=32)', value: turnsPerSecond('peer'), unit: 'turns/s', note: `p50 ${latency('peer').p50.toFixed(0)} ms, p99 ${latency('peer').p99.toFixed(0)} ms` },
          { id: 'throughput.mesh_over_peer', label: 'mesh ÷ peer', value: ratio(turnsPerSecond('mesh'), turnsPerSecond('peer')), unit: '×', target: { comparison: '>=', value: 1.5 } },
        ],
        raw: { durationMs, rounds: Object.fromEntries([...rounds].map(([name, values]) => [name, values.map((r) => ({ throughput: r.throughput, completed: r.completed, latency: distribution(r.latenciesMs) }))])) },
      };
    } finally {
      mesh.close();
    }
  },
};
