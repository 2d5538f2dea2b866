// Time to first token as the caller sees it against what the model itself took. For each turn:
// caller TTFT (request sent → first text delta received) minus model TTFT (request received →
// first delta written, from the stamp) is what lies between caller and model on the way there and
// back. For an SDK client calling the model directly that is one HTTP hop; through the mesh it is
// that HTTP hop (conversation → model), the mesh's own gRPC hop (caller → conversation) and the
// conversation service's work. The gRPC hop is measured bare in the same rounds: the floor's
// StreamChat (bare grpc-js, no work) — its caller's time to the first text delta. The target
// figure is what the mesh adds beyond the hops: mesh gap − HTTP hop − gRPC hop (within 1 ms).
import { SEED_QUERY } from '../harness/queries.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScenarioResult } from '../harness/figures.js';
import { GrpcTurnClient } from '../harness/grpc-turn.js';
import { interleavedRounds } from '../harness/rounds.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { nsToMs, readStamp, type DeltaStamp } from '../harness/stamped-delta.js';
import { stampingStack } from '../harness/stamping-stack.js';
import { median } from '../harness/stats.js';

interface TtftSample {
  callerMs: number;
  modelMs: number;
}

function sample(sentNs: bigint, arrivedNs: bigint, stamp: DeltaStamp): TtftSample {
  return { callerMs: nsToMs(arrivedNs - sentNs), modelMs: nsToMs(stamp.emittedNs - stamp.receivedNs) };
}

/**
 * `turns` seed-query turns over StreamChat, one after another: for each, the first text delta that
 * `stampOf` reads a stamp from, as a sample (caller TTFT, and the model's from the stamp).
 */
async function grpcFirstDeltas(client: GrpcTurnClient, turns: number, stampOf: (text: string) => DeltaStamp | undefined): Promise<TtftSample[]> {
  const samples: TtftSample[] = [];
  for (let i = 0; i < turns; i++) {
    const sentNs = process.hrtime.bigint();
    let first: TtftSample | undefined;
    await streamTurn(client.client, SEED_QUERY, {
      onEvent: (event) => {
        const stamp = event.textDelta && !first ? stampOf(event.textDelta.text ?? '') : undefined;
        if (stamp) first = sample(sentNs, process.hrtime.bigint(), stamp);
      },
    });
    if (first) samples.push(first);
  }
  return samples;
}

export const timeToFirstToken: Scenario = {
  name: 'time-to-first-token',
  title: 'Time to first token: caller-observed vs model-emitted',
  async run(context): Promise<ScenarioResult> {
    const stack = await stampingStack(context);
    const mesh = new GrpcTurnClient(stack.mesh.conversationTarget);
    const floor = new GrpcTurnClient((await context.floor()).conversationTarget);
    const turns = context.pick(3, 6);
    try {
      const rounds = await interleavedRounds(
        [
          { name: 'mesh', run: () => grpcFirstDeltas(mesh, turns, readStamp) },
          // The floor's deltas carry no stamp: its "model" is the recording, replayed at once.
          { name: 'grpc-hop', run: () => grpcFirstDeltas(floor, turns, () => ({ receivedNs: 0n, emittedNs: 0n })) },
          {
            name: 'direct',
            run: async () => {
              const samples: TtftSample[] = [];
              for (let i = 0; i < turns; i++) {
                const sentNs = process.hrtime.bigint();
                let first: TtftSample | undefined;
                await stack.directCall(SEED_QUERY, (stamp, arrivedNs) => {
                  first ??= sample(sentNs, arrivedNs, stamp);
                });
                if (first) samples.push(first);
              }
              return samples;
            },
          },
        ],
        { warmupRounds: 1, rounds: context.pick(1, 5) },
      );
      const gap = (name: string): number => median((rounds.get(name) ?? []).map((samples) => median(samples.map((s) => s.callerMs - s.modelMs))));
      const callerTtft = (name: string): number => median((rounds.get(name) ?? []).map((samples) => median(samples.map((s) => s.callerMs))));
      const modelTtft = median((rounds.get('mesh') ?? []).map((samples) => median(samples.map((s) => s.modelMs))));
      return {
        scenario: 'time-to-first-token',
        figures: [
          { id: 'ttft.mesh_caller_ms', label: 'TTFT seen by the mesh caller p50', value: callerTtft('mesh'), unit: 'ms', note: `model's own ${modelTtft.toFixed(2)} ms` },
          { id: 'ttft.direct_caller_ms', label: 'TTFT seen by a direct SDK caller p50', value: callerTtft('direct'), unit: 'ms' },
          { id: 'ttft.mesh_gap_ms', label: 'caller − model TTFT, through the mesh', value: gap('mesh'), unit: 'ms' },
          { id: 'ttft.one_hop_gap_ms', label: 'caller − model TTFT, one HTTP hop', value: gap('direct'), unit: 'ms' },
          { id: 'ttft.beyond_http_hop_ms', label: 'mesh gap − the HTTP hop (the mesh\'s gRPC hop + its work)', value: gap('mesh') - gap('direct'), unit: 'ms' },
          { id: 'ttft.grpc_hop_ms', label: 'the gRPC hop alone (floor StreamChat, caller TTFT) p50', value: gap('grpc-hop'), unit: 'ms' },
          {
            id: 'ttft.added_ms',
            label: 'added by the mesh beyond its hops',
            value: gap('mesh') - gap('direct') - gap('grpc-hop'),
            unit: 'ms',
            target: { comparison: '<=', value: 1 },
          },
        ],
        raw: { turnsPerRound: turns, rounds: Object.fromEntries([...rounds]) },
      };
    } finally {
      mesh.close();
      floor.close();
    }
  },
};
