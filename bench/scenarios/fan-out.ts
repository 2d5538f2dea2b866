// Is fan-out parallel? A turn whose one model response calls 8 tools of 50 ms against one that
// calls 1, on the mesh (parallel ExecuteTool calls: ≈ 1×) and on the peer (the seed's loop makes
// them one after another: ≈ 8×). All four interleaved in the same rounds.
import { sleepToolsQuery } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import { ratio, type ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { interleavedRounds } from '../harness/rounds.js';
import { sequentialRound } from '../harness/sequential-round.js';
import { median } from '../harness/stats.js';
import { peerTurn } from '../baselines/peer/peer-client.js';

const TOOL_MS = 50;

export const fanOut: Scenario = {
  name: 'fan-out',
  title: 'Fan-out: 8 tools × 50 ms ÷ 1 tool × 50 ms',
  async run(context): Promise<ScenarioResult> {
    const mesh = new GrpcTurnClient((await context.mesh()).conversationTarget);
    const peer = await context.peer();
    const eight = sleepToolsQuery(8, TOOL_MS);
    const one = sleepToolsQuery(1, TOOL_MS);
    const turns = context.pick(2, 10);
    try {
      const rounds = await interleavedRounds(
        [
          { name: 'mesh-8', run: () => sequentialRound(turns, () => mesh.turn(eight)) },
          { name: 'mesh-1', run: () => sequentialRound(turns, () => mesh.turn(one)) },
          { name: 'peer-8', run: () => sequentialRound(turns, () => peerTurn(peer.baseUrl, eight)) },
          { name: 'peer-1', run: () => sequentialRound(turns, () => peerTurn(peer.baseUrl, one)) },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const p50 = (name: string): number => median((rounds.get(name) ?? []).map(median));
      return {
        scenario: 'fan-out',
        figures: [
          { id: 'fan_out.mesh_8_ms', label: 'mesh, 8 × 50 ms tools, turn p50', value: p50('mesh-8'), unit: 'ms' },
          { id: 'fan_out.mesh_1_ms', label: 'mesh, 1 × 50 ms tool, turn p50', value: p50('mesh-1'), unit: 'ms' },
          { id: 'fan_out.mesh_ratio', label: 'mesh 8 ÷ 1', value: ratio(p50('mesh-8'), p50('mesh-1')), unit: '×', target: { comparison: '<=', value: 1.1 } },
          { id: 'fan_out.peer_ratio', label: 'peer 8 ÷ 1 (sequential: ≈ 8 expected)', value: ratio(p50('peer-8'), p50('peer-1')), unit: '×', target: { comparison: 'info', value: 8 }, note: `peer ${p50('peer-8').toFixed(0)} ms ÷ ${p50('peer-1').toFixed(0)} ms` },
        ],
        raw: { turnsPerRound: turns, roundMedians: Object.fromEntries([...rounds].map(([name, values]) => [name, values.map(median)])) },
      };
    } finally {
      mesh.close();
    }
  },
};
