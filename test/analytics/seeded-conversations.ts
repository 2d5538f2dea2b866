// Real conversations for the analytics tests, run once through the shared mesh (three processes,
// the offline model, this process as a traced client) and shared by the test files that need them:
// a single turn with a low health_risk, a two-turn conversation, a turn with a scripted call to a
// tool that does not exist, and a healthy single turn; a two-turn conversation from a caller that
// sends no trace context (as grpcurl would), known only from the service's own spans; plus feedback scores on two roots under a
// score name of this run's own. Every patient query carries this run's marker (lowercase letters,
// which PHI redaction leaves alone), so tests find their conversations among other tests' ones.
import { randomBytes } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { createConversationClient } from '../../clients/node/conversation-client.js';
import type { ChatRequest } from '../../gen/ts/tracemesh/conversation/v1/ChatRequest.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { TraceAnalytics } from '../../clients/node/analytics/trace-analytics.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';

export type SeedLabel = 'thirst' | 'twoTurns' | 'toolError' | 'healthy';

export interface SeededConversation {
  rootSpanId: string;
  conversationId: string;
  queries: string[];
  results: TurnResult__Output[];
  /** The distinct tools the agent called over the whole conversation. */
  tools: string[];
}

/** A conversation from a caller that traces nothing itself (as grpcurl or a Python script makes them): each turn its own trace. */
export interface UntracedConversation {
  conversationId: string;
  queries: string[];
  results: TurnResult__Output[];
  traceIds: string[];
}

export interface SeededConversations {
  shared: SharedMesh;
  marker: string;
  /** Before the first conversation started. */
  startedAt: Date;
  /** A score name only this run uses: `thirst` got 0.9, `healthy` 0.2. */
  feedbackScore: string;
  conversations: Record<SeedLabel, SeededConversation>;
  /** In the order they were run (oldest first). */
  order: SeedLabel[];
  /** Run after the others; not in `order` (it has no client_conversation root). */
  untraced: UntracedConversation;
}

let seeded: Promise<SeededConversations> | undefined;

export function seededConversations(): Promise<SeededConversations> {
  seeded ??= seed();
  return seeded;
}

function lowercaseMarker(): string {
  return `tmrun${[...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;
}

async function seed(): Promise<SeededConversations> {
  const shared = await sharedMesh();
  const marker = lowercaseMarker();
  const feedbackScore = `${marker}_review`;
  const scripts: Array<[SeedLabel, string[]]> = [
    ['thirst', [`A 45-year-old female patient, 5'4", 180 lbs, with fatigue and increased thirst. Could this be diabetes? (${marker})`]],
    ['twoTurns', [`A 60-year-old man, 180 cm, 95 kg, on metformin. (${marker})`, 'His blood pressure today is 150/95.']],
    ['toolError', [`Check these (${marker}): [[call no_such_tool {"x": 1}]] [[call calculate_clinical_metrics {"height": 64, "weight": 120}]]`]],
    ['healthy', [`A 30-year-old woman, 165 cm, 60 kg, routine check-up. (${marker})`]],
  ];
  const client = createConversationClient(shared.mesh.conversationTarget);
  const startedAt = new Date(Date.now() - 1000);
  const conversations: Partial<Record<SeedLabel, SeededConversation>> = {};
  try {
    for (const [label, queries] of scripts) {
      const conversation = new TracedConversation(client, { metadata: { test: 'analytics' } });
      const results: TurnResult__Output[] = [];
      for (const query of queries) results.push(await conversation.turn(query));
      conversation.finish();
      const tools = [...new Set(results.flatMap((result) => result.toolCalls.map((call) => call.toolName)))].sort();
      conversations[label] = { rootSpanId: conversation.rootSpanId, conversationId: conversation.id, queries, results, tools };
    }
  } finally {
    client.close();
  }
  const untraced = await runUntraced(shared.mesh.conversationTarget, [`A 52-year-old woman on warfarin asks about ibuprofen for back pain. (${marker})`, 'She is 160 cm and 70 kg.']);
  await shared.tracing.flush();
  const complete = conversations as Record<SeedLabel, SeededConversation>;

  // Feedback on the roots, as a reviewer would give it (a merge into the root span's row).
  for (const [label, score] of [['thirst', 0.9], ['healthy', 0.2]] as const) {
    const rows = await waitForSpans(complete[label].rootSpanId, { client_conversation: 1, server_process_turn: complete[label].queries.length });
    const root = named(rows, 'client_conversation')[0];
    if (typeof root?.id !== 'string') throw new Error(`no root row for ${label}`);
    shared.tracing.logger?.logFeedback({ id: root.id, scores: { [feedbackScore]: score }, source: 'external' });
  }
  await shared.tracing.flush();

  // Ready when every root carries its aggregated output and both feedback scores landed.
  const analytics = new TraceAnalytics();
  for (let waited = 0; ; waited += 200) {
    const found = await analytics.searchConversations(marker, { limit: 100 });
    const scored = await analytics.lowScores(feedbackScore, { below: 1 });
    const servedTurns = found.find((c) => c.conversationId === untraced.conversationId)?.totalTurns ?? 0;
    if (found.filter((c) => c.finalResponse !== '').length === scripts.length + 1 && servedTurns === untraced.queries.length && scored.length === 2) break;
    if (waited > 20_000) throw new Error(`seeded conversations did not all arrive: ${found.length} found, ${scored.length} scored`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { shared, marker, startedAt, feedbackScore, conversations: complete, order: scripts.map(([label]) => label), untraced };
}

/** Turns sent by a bare grpc-js client: no interceptors, no trace context, no spans of its own. */
async function runUntraced(target: string, queries: string[]): Promise<UntracedConversation> {
  const client = new ConversationServiceClient(target, credentials.createInsecure());
  const chat = (request: ChatRequest): Promise<TurnResult__Output> =>
    new Promise((resolve, reject) =>
      client.Chat(request, { deadline: Date.now() + 60_000 }, (error, response) => (error || !response?.result ? reject(error ?? new Error('no result')) : resolve(response.result))),
    );
  try {
    const results: TurnResult__Output[] = [];
    for (const message of queries) results.push(await chat({ message, conversationId: results[0]?.conversationId ?? '' }));
    return { conversationId: results[0]!.conversationId, queries, results, traceIds: results.map((result) => result.trace?.rootSpanId ?? '') };
  } finally {
    client.close();
  }
}
