// Conversations read from the service's own turn spans (for callers that trace nothing), against a
// real trace store: a first turn that failed and was tried again is one turn, a conversation is
// listed once however many of its turns match, and lists are newest first by the first turn.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { analyzeConversation } from '../../clients/node/analytics/conversation-analysis.js';
import { ilike, field } from '../../clients/node/analytics/btql-ast.js';
import { servedConversations, userMessagesByConversation } from '../../clients/node/analytics/served-conversations.js';
import type { TracingConfig } from '../../lib/config.js';
import { requestJson, startTestStore, type TestStore } from '../tracestore/store-harness.js';

interface Turn {
  conversation: string;
  index: number;
  message: string;
  answer?: string;
  at: number;
}

describe('conversations from the service\'s turn spans', () => {
  let store: TestStore;
  let client: BtqlClient;
  const start = Date.now() / 1000 - 3_600;

  before(async () => {
    store = await startTestStore();
    const config: TracingConfig = { enabled: true, projectName: 'served', backend: 'local', apiKey: 'test-key', appUrl: store.url, apiUrl: store.url };
    client = new BtqlClient(config);
    const projectId = await client.projectId();
    const turns: Turn[] = [
      { conversation: 'conv_a', index: 0, message: 'first try of a', at: 0 }, // failed: no answer
      { conversation: 'conv_a', index: 0, message: 'A 60-year-old on metformin', answer: 'a0', at: 10 },
      { conversation: 'conv_b', index: 0, message: 'A woman asks about metformin', answer: 'b0', at: 20 },
      { conversation: 'conv_a', index: 1, message: 'His eGFR is 40, metformin?', answer: 'a1', at: 30 },
      { conversation: 'conv_c', index: 0, message: 'warfarin and aspirin', answer: 'c0', at: 40 },
    ];
    const rows = turns.map((turn) => {
      const id = randomUUID();
      return {
        id, span_id: id, root_span_id: randomUUID(), project_id: projectId, log_id: 'g', _is_merge: false,
        created: new Date((start + turn.at) * 1000).toISOString(),
        span_attributes: { name: 'server_process_turn', type: 'task' },
        metrics: { start: start + turn.at, end: start + turn.at + 1 },
        input: { conversation_id: turn.conversation, turn_index: turn.index, message: turn.message },
        ...(turn.answer ? { output: { text: turn.answer } } : { error: 'DEADLINE_EXCEEDED' }),
      };
    });
    assert.equal((await requestJson(`${store.url}/logs3`, { body: { rows, api_version: 2 } })).status, 200);
  });
  after(() => store.dispose());

  it('lists newest first by first turn, each conversation once, summarised from all its turns', async () => {
    const found = await servedConversations(client, 10);
    assert.deepEqual(found.map((c) => c.conversationId), ['conv_c', 'conv_b', 'conv_a']);
    const a = found.find((c) => c.conversationId === 'conv_a')!;
    assert.deepEqual([a.patientQuery, a.finalResponse, a.totalTurns, a.traceIds.length], ['A 60-year-old on metformin', 'a1', 2, 2], 'the retried first turn counts once');
    assert.deepEqual((await servedConversations(client, 2)).map((c) => c.conversationId), ['conv_c', 'conv_b'], 'the limit takes the newest');
  });

  it('finds a conversation by any of its messages, once', async () => {
    const found = await servedConversations(client, 10, { matchingTurn: ilike(field('input', 'message'), '%metformin%') });
    assert.deepEqual(found.map((c) => c.conversationId).sort(), ['conv_a', 'conv_b']);
  });

  it('the conversation\'s analysis tells the failed first try from the turn 0 that replaced it', async () => {
    const analysis = await analyzeConversation(client, 'conv_a');
    assert.deepEqual(analysis?.turns.map((turn) => [turn.index, turn.error ?? 'ok']), [[0, 'DEADLINE_EXCEEDED'], [0, 'ok'], [1, 'ok']]);
  });

  it('gives every user message of a conversation in turn order (what a live eval replays)', async () => {
    const messages = await userMessagesByConversation(client, ['conv_a', 'conv_c']);
    assert.deepEqual(messages.get('conv_a'), ['A 60-year-old on metformin', 'His eGFR is 40, metformin?']);
    assert.deepEqual(messages.get('conv_c'), ['warfarin and aspirin']);
  });
});
