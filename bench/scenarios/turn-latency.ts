// Turn latency at concurrency 1 for the seed query with its three real tools (Chroma search
// included): the mesh as shipped against the floor — the same hops, fan-out and messages with no
// work behind them. The in-process run of the same work (model + tools, no hops) is measured in
// the same rounds, so the table can say how much of the mesh's time is work, hops, and the rest.
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import type { Scenario } from '../harness/scenario.js';
import { ratio, type ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { InProcessTurn } from '../harness/in-process-turn.js';
import { interleavedRounds } from '../harness/rounds.js';
import { sequentialRound } from '../harness/sequential-round.js';
import { distribution, median } from '../harness/stats.js';

export const turnLatency: Scenario = {
  name: 'turn-latency',
  title: 'Turn latency, c=1, seed query (tools real)',
  async run(context): Promise<ScenarioResult> {
    const mesh = new GrpcTurnClient((await context.mesh()).conversationTarget);
    const floor = new GrpcTurnClient((await context.floor()).conversationTarget);
    const work = new InProcessTurn((await context.chromaServer()).url);
    const turns = context.pick(4, 20);
    try {
      const rounds = await interleavedRounds(
        [
          { name: 'mesh', run: () => sequentialRound(turns, () => mesh.turn(SEED_QUERY)) },
          { name: 'floor', run: () => sequentialRound(turns, () => floor.turn(SEED_QUERY)) },
          { name: 'work', run: () => sequentialRound(turns, () => work.run(SEED_QUERY)) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const roundMedians = (name: string): number[] => (rounds.get(name) ?? []).map(median);
      const all = (name: string): number[] => (rounds.get(name) ?? []).flat();
      const meshMs = median(roundMedians('mesh'));
      const floorMs = median(roundMedians('floor'));
      const workMs = median(roundMedians('work'));
      return {
        scenario: 'turn-latency',
        figures: [
          { id: 'turn_latency.mesh_ms', label: 'mesh turn latency p50 (p99)', value: meshMs, unit: 'ms', note: `p99 ${distribution(all('mesh')).p99.toFixed(1)} ms` },
          { id: 'turn_latency.floor_ms', label: 'floor (bare grpc-js, same hops) p50', value: floorMs, unit: 'ms' },
          { id: 'turn_latency.work_ms', label: 'the work alone (model + tools in-process) p50', value: workMs, unit: 'ms' },
          { id: 'turn_latency.mesh_over_floor', label: 'mesh ÷ floor', value: ratio(meshMs, floorMs), unit: '×', target: { comparison: '<=', value: 1.5 } },
          {
            id: 'turn_latency.mesh_over_floor_plus_work',
            label: 'mesh ÷ (floor + work)',
            value: ratio(meshMs, floorMs + workMs),
            unit: '×',
            target: { comparison: 'info', value: 1.5 },
            note: 'what the mesh adds beyond hops and work',
          },
        ],
        raw: { turnsPerRound: turns, roundMedians: { mesh: roundMedians('mesh'), floor: roundMedians('floor'), work: roundMedians('work') }, distributions: { mesh: distribution(all('mesh')), floor: distribution(all('floor')), work: distribution(all('work')) } },
      };
    } finally {
      mesh.close();
      floor.close();
    }
  },
};
