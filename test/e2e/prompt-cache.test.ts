// Prompt caching through the mesh: the agent loop marks the system prompt and the latest message,
// so a turn's second model call reads what its first sent, the next turn reads the whole earlier
// conversation, and a new conversation reads the tools and system prompt. The counts reach the
// caller (TurnCompleted usage) and the trace (claude_messages_create metrics, in Braintrust's
// terms). With TRACEMESH_PROMPT_CACHE=off nothing is marked and nothing is cached.
import assert from 'node:assert/strict';
import { createConversationClient, streamTurn, type ConversationServiceClient } from '../../clients/node/conversation-client.js';
import type { SpanRow } from '../../clients/node/trace-reader.js';
import { sharedMesh } from '../helpers/shared-mesh.js';
import { suiteMesh } from '../helpers/suite-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';

const QUESTION = 'A 58-year-old woman, 165 cm, 92 kg, BP 150/95, on lisinopril and metformin. What are her main risks?';
const FOLLOW_UP = 'Should she also start atorvastatin?';

const metric = (row: SpanRow, name: string): number | undefined => (row.metrics as Record<string, number> | undefined)?.[name];

describe('prompt caching through the mesh', function () {
  this.timeout(60_000);
  let client: ConversationServiceClient;

  before(async () => {
    client = createConversationClient((await sharedMesh()).mesh.conversationTarget);
  });
  after(() => client.close());

  it('reads the turn\'s earlier model call and the earlier turns from the cache; counts reach the caller and the trace', async () => {
    const first = await streamTurn(client, QUESTION);
    assert.ok(first.iterations >= 2, 'a turn with tool calls: two model calls at least');
    const usage = first.usage!;
    assert.ok(usage.cacheCreationInputTokens > 0, `written: ${JSON.stringify(usage)}`);
    assert.ok(usage.cacheReadInputTokens > 0, `the second call read the first call's prompt: ${JSON.stringify(usage)}`);
    assert.ok(usage.inputTokens > usage.cacheReadInputTokens + usage.cacheCreationInputTokens, 'input counts every input token');

    const second = await streamTurn(client, FOLLOW_UP, { conversationId: first.conversationId });
    const modelCalls = async (turn: typeof first): Promise<SpanRow[]> =>
      named(await waitForSpans(turn.trace!.rootSpanId, { claude_messages_create: turn.iterations, server_process_turn: 1 }), 'claude_messages_create').sort(
        (a, b) => (metric(a, 'start') ?? 0) - (metric(b, 'start') ?? 0),
      );
    const firstTurnLast = (await modelCalls(first)).at(-1)!;
    const calls = await modelCalls(second);
    // The follow-up's first call reads all the first turn sent: its last call's prefix, read or written.
    const firstTurnPrefix = (metric(firstTurnLast, 'prompt_cached_tokens') ?? 0) + (metric(firstTurnLast, 'prompt_cache_creation_tokens') ?? 0);
    assert.ok(firstTurnPrefix > 0);
    assert.equal(metric(calls[0]!, 'prompt_cached_tokens'), firstTurnPrefix);
    for (const call of calls) {
      const prompt = metric(call, 'prompt_tokens') ?? 0;
      const cached = (metric(call, 'prompt_cached_tokens') ?? 0) + (metric(call, 'prompt_cache_creation_tokens') ?? 0);
      assert.ok(prompt > cached, `prompt_tokens counts the cached tokens too (Braintrust's convention): ${JSON.stringify(call.metrics)}`);
      assert.equal(metric(call, 'tokens'), prompt + (metric(call, 'completion_tokens') ?? 0));
    }
    const turnSpan = named(await waitForSpans(second.trace!.rootSpanId, { server_process_turn: 1 }), 'server_process_turn')[0]!;
    assert.equal(metric(turnSpan, 'prompt_cached_tokens'), second.usage!.cacheReadInputTokens);
    assert.equal(metric(turnSpan, 'prompt_tokens'), second.usage!.inputTokens);

    // Another conversation reads the tools and system prompt the first one cached.
    const other = await streamTurn(client, 'A 40-year-old man, 180 cm, 80 kg. Any risks?');
    assert.ok(other.usage!.cacheReadInputTokens > 0, JSON.stringify(other.usage));
  });
});

describe('prompt caching turned off (TRACEMESH_PROMPT_CACHE=off)', function () {
  this.timeout(60_000);
  const suite = suiteMesh('prompt-cache-off', { TRACEMESH_PROMPT_CACHE: 'off', OFFLINE_MODEL_DELTA_DELAY_MS: '0' });

  it('marks nothing, so nothing is read from or written to the cache', async () => {
    const first = await streamTurn(suite.client(), QUESTION);
    const second = await streamTurn(suite.client(), FOLLOW_UP, { conversationId: first.conversationId });
    for (const result of [first, second]) {
      assert.ok(result.usage!.inputTokens > 0);
      assert.equal(result.usage!.cacheReadInputTokens, 0);
      assert.equal(result.usage!.cacheCreationInputTokens, 0);
    }
  });
});
