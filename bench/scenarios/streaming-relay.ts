// Streaming relay: how long a text delta takes from the moment the model writes it to the moment
// the caller has it. The model is the stamping server (each delta carries its emit time on the
// machine's monotonic clock); through the mesh a delta crosses model → conversation (HTTP, the SDK's
// SSE parser, the agent loop) → caller (gRPC). The one-hop baseline is an SDK client reading the
// same server directly; what the mesh adds is the difference, at p50 and p99.
import { SEED_QUERY } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { interleavedRounds } from '../harness/rounds.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { nsToMs, readStamp } from '../harness/stamped-delta.js';
import { stampingStack } from '../harness/stamping-stack.js';
import { median, percentile } from '../harness/stats.js';

export const streamingRelay: Scenario = {
  name: 'streaming-relay',
  title: 'Streaming relay: added latency per delta, model → caller',
  async run(context): Promise<ScenarioResult> {
    const stack = await stampingStack(context);
    const mesh = new GrpcTurnClient(stack.mesh.conversationTarget);
    const turns = context.pick(1, 5);
    try {
      const rounds = await interleavedRounds(
        [
          {
            name: 'mesh',
            run: async () => {
              const latencies: number[] = [];
              for (let i = 0; i < turns; i++) {
                await streamTurn(mesh.client, SEED_QUERY, {
                  onEvent: (event) => {
                    const arrived = process.hrtime.bigint();
                    const stamp = event.textDelta ? readStamp(event.textDelta.text) : undefined;
                    if (stamp) latencies.push(nsToMs(arrived - stamp.emittedNs));
                  },
                });
              }
              return latencies;
            },
          },
          {
            name: 'direct',
            run: async () => {
              const latencies: number[] = [];
              for (let i = 0; i < turns; i++) await stack.directCall(SEED_QUERY, (stamp, arrived) => latencies.push(nsToMs(arrived - stamp.emittedNs)));
              return latencies;
            },
          },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const perRound = (name: string, p: number): number[] => (rounds.get(name) ?? []).map((latencies) => percentile(latencies, p));
      const meshP50 = median(perRound('mesh', 50));
      const meshP99 = median(perRound('mesh', 99));
      const directP50 = median(perRound('direct', 50));
      const directP99 = median(perRound('direct', 99));
      const deltas = (rounds.get('mesh') ?? []).reduce((sum, r) => sum + r.length, 0);
      return {
        scenario: 'streaming-relay',
        figures: [
          { id: 'streaming.mesh_p50_ms', label: 'model → caller through the mesh, per delta p50 / p99', value: meshP50, unit: 'ms', note: `p99 ${meshP99.toFixed(2)} ms, ${deltas} deltas` },
          { id: 'streaming.direct_p50_ms', label: 'model → SDK client directly (one hop) p50 / p99', value: directP50, unit: 'ms', note: `p99 ${directP99.toFixed(2)} ms` },
          { id: 'streaming.added_p50_ms', label: 'added by the mesh per delta, p50', value: meshP50 - directP50, unit: 'ms', target: { comparison: '<=', value: 1 } },
          { id: 'streaming.added_p99_ms', label: 'added by the mesh per delta, p99', value: meshP99 - directP99, unit: 'ms', target: { comparison: '<=', value: 5 } },
        ],
        raw: { turnsPerRound: turns, p50PerRound: { mesh: perRound('mesh', 50), direct: perRound('direct', 50) }, p99PerRound: { mesh: perRound('mesh', 99), direct: perRound('direct', 99) } },
      };
    } finally {
      mesh.close();
    }
  },
};
