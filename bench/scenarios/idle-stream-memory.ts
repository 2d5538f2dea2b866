// Memory per open idle Converse stream: the conversation service's RSS before and after another
// 1,000 bidirectional streams are opened and left idle (no turn), spread over 4 connections as
// separate callers would. Streams stay open between rounds, so each round measures the marginal
// cost of 1,000 more on a warm process; the first 1,000 are the warm-up (they also pay one-time
// costs such as compiling the Converse path).
import { credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import type { ConverseRequest } from '../../gen/ts/tracemesh/conversation/v1/ConverseRequest.js';
import type { ConverseResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/ConverseResponse.js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import { ConversationServiceClient as GeneratedClient } from '../../lib/grpc/protos.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScenarioResult } from '../harness/figures.js';
import { residentBytes } from '../harness/process-memory.js';
import { median } from '../harness/stats.js';

const STREAMS_PER_ROUND = 1_000;
const CONNECTIONS_PER_ROUND = 4;

function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** RSS once it stops moving (two readings 250 ms apart within 64 KiB), or after `maxMs`. */
async function steadyResident(pid: number, maxMs: number): Promise<number> {
  let previous = residentBytes(pid);
  for (let waited = 0; waited < maxMs; waited += 250) {
    await settle(250);
    const now = residentBytes(pid);
    if (Math.abs(now - previous) < 64 * 1024) return now;
    previous = now;
  }
  return previous;
}

export const idleStreamMemory: Scenario = {
  name: 'idle-stream-memory',
  title: 'Memory: conversation RSS per open idle Converse stream (1,000 streams)',
  async run(context): Promise<ScenarioResult> {
    const stack = await context.mesh();
    const clients: ConversationServiceClient[] = [];
    const streams: Array<ClientDuplexStream<ConverseRequest, ConverseResponse__Output>> = [];
    const openRound = async (): Promise<number> => {
      const before = await steadyResident(stack.conversationPid, 3_000);
      for (let c = 0; c < CONNECTIONS_PER_ROUND; c++) {
        // A local subchannel pool per client: its own HTTP/2 connection, like a separate caller.
        const client = new GeneratedClient(stack.conversationTarget, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
        clients.push(client);
        for (let s = 0; s < STREAMS_PER_ROUND / CONNECTIONS_PER_ROUND; s++) {
          const stream = client.Converse();
          stream.on('error', () => undefined);
          stream.on('data', () => undefined);
          streams.push(stream);
        }
      }
      await settle(context.pick(500, 2_000));
      const after = await steadyResident(stack.conversationPid, 5_000);
      return (after - before) / STREAMS_PER_ROUND;
    };
    try {
      const baseline = residentBytes(stack.conversationPid);
      const warmup = await openRound();
      const perStream: number[] = [];
      for (let round = 0; round < context.pick(1, 3); round++) perStream.push(await openRound());
      const opened = streams.length;
      const rssWithAll = residentBytes(stack.conversationPid);
      const kb = median(perStream) / 1024;
      return {
        scenario: 'idle-stream-memory',
        figures: [
          {
            id: 'memory.rss_per_idle_stream_kb',
            label: 'conversation RSS per idle Converse stream',
            value: kb,
            unit: 'KB',
            target: { comparison: '<=', value: 50 },
            note: `${opened} streams open: RSS ${(baseline / 2 ** 20).toFixed(0)} → ${(rssWithAll / 2 ** 20).toFixed(0)} MiB`,
          },
        ],
        raw: { warmupBytesPerStream: warmup, bytesPerStreamPerRound: perStream, baselineRss: baseline, rssWithAll, opened },
      };
    } finally {
      for (const stream of streams) stream.cancel();
      for (const client of clients) client.close();
    }
  },
};
