// Conversations read from the service's own turn spans (for callers that trace nothing), against a
// real trace store: a first turn that failed and was tried again is one turn, a conversation is
// listed once however many of its turns match, and lists are newest first by the first turn.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { analyzeConversation } from '../../clients/node/analytics/conversation-analysis.js';
import { ilike, field } from '../../clients/node/analytics/btql-ast.js';
import { completedTurnsByConversation, servedConversations } from '../../clients/node/analytics/served-conversations.js';
import { selectCases } from '../../clients/node/datasets/conversation-cases.js';
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
      // Newer, and told by client roots: eval traffic (conv_e*), and a conversation a traced client
      // continued in a second session (conv_d: its newest root holds only that session).
      ...Array.from({ length: 12 }, (_, i): Turn => ({ conversation: `conv_e${i}`, index: 0, message: `eval case ${i} about metformin`, answer: `e${i}`, at: 50 + i })),
      { conversation: 'conv_d', index: 0, message: 'D: a 70-year-old with CKD', answer: 'd0', at: 70 },
      { conversation: 'conv_d', index: 1, message: 'D: and his potassium is 5.8', answer: 'd1', at: 80 },
    ];
    const root = (conversation: string, at: number, output: Record<string, unknown>, source?: string) => {
      const id = randomUUID();
      return {
        id, span_id: id, root_span_id: id, project_id: projectId, log_id: 'g', _is_merge: false,
        created: new Date((start + at) * 1000).toISOString(),
        span_attributes: { name: 'client_conversation', type: 'task' },
        metrics: { start: start + at, end: start + at + 2 },
        metadata: source ? { source } : {},
        output: { conversation_id: conversation, ...output },
      };
    };
    const roots = [
      ...Array.from({ length: 12 }, (_, i) => root(`conv_e${i}`, 50 + i, { patient_query: `eval case ${i} about metformin`, final_response: `e${i}`, total_turns: 1 }, 'eval')),
      root('conv_d', 79, { patient_query: 'D: and his potassium is 5.8', final_response: 'd1', total_turns: 1 }),
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
    assert.equal((await requestJson(`${store.url}/logs3`, { body: { rows: [...rows, ...roots], api_version: 2 } })).status, 200);
  });
  after(() => store.dispose());

  it('lists newest first by first turn, each conversation once, summarised from all its turns', async () => {
    const found = await servedConversations(client, 10);
    assert.deepEqual(found.map((c) => c.conversationId), ['conv_c', 'conv_b', 'conv_a']);
    const a = found.find((c) => c.conversationId === 'conv_a')!;
    assert.deepEqual([a.patientQuery, a.finalResponse, a.totalTurns, a.traceIds.length], ['A 60-year-old on metformin', 'a1', 2, 2], 'the retried first turn counts once');
    assert.deepEqual((await servedConversations(client, 2)).map((c) => c.conversationId), ['conv_c', 'conv_b'], 'the limit takes the newest');
  });

  it('leaves out conversations told by client roots, however many newer ones there are', async () => {
    // Twelve newer eval conversations and conv_d have roots: the two places still go to served ones.
    assert.deepEqual((await servedConversations(client, 2)).map((c) => c.conversationId), ['conv_c', 'conv_b']);
    assert.deepEqual((await servedConversations(client, 1, { matchingTurn: ilike(field('input', 'message'), '%metformin%') })).map((c) => c.conversationId), ['conv_a']);
  });

  it('makes dataset rows from the completed turns: the whole conversation to replay, its last answer expected', async () => {
    const rows = await selectCases(client, { kind: 'recent' }, 10);
    const byId = new Map(rows.map((row) => [row.metadata.conversation_id, row]));
    assert.equal(byId.has('conv_e0'), false, 'eval traffic is not a case');
    // Continued in a second session: its newest root tells only that session; the row tells it all.
    assert.deepEqual([byId.get('conv_d')?.input, byId.get('conv_d')?.expected, byId.get('conv_d')?.metadata.total_turns],
      [{ patient_query: 'D: a 70-year-old with CKD', follow_ups: ['D: and his potassium is 5.8'] }, { final_response: 'd1' }, 2]);
    // The failed first try is not replayed.
    assert.deepEqual([byId.get('conv_a')?.input, byId.get('conv_a')?.expected],
      [{ patient_query: 'A 60-year-old on metformin', follow_ups: ['His eGFR is 40, metformin?'] }, { final_response: 'a1' }]);
    assert.deepEqual(byId.get('conv_b')?.input, { patient_query: 'A woman asks about metformin' });
  });

  it('finds a conversation by any of its messages, once', async () => {
    const found = await servedConversations(client, 10, { matchingTurn: ilike(field('input', 'message'), '%metformin%') });
    assert.deepEqual(found.map((c) => c.conversationId).sort(), ['conv_a', 'conv_b']);
  });

  it('the conversation\'s analysis tells the failed first try from the turn 0 that replaced it', async () => {
    const analysis = await analyzeConversation(client, 'conv_a');
    assert.deepEqual(analysis?.turns.map((turn) => [turn.index, turn.error ?? 'ok']), [[0, 'DEADLINE_EXCEEDED'], [0, 'ok'], [1, 'ok']]);
  });

  it('gives a conversation\'s completed turns in order, the failed try left out (what a live eval replays)', async () => {
    const turns = await completedTurnsByConversation(client, ['conv_a', 'conv_c']);
    assert.deepEqual(turns.get('conv_a'), [{ message: 'A 60-year-old on metformin', answer: 'a0' }, { message: 'His eGFR is 40, metformin?', answer: 'a1' }]);
    assert.deepEqual(turns.get('conv_c'), [{ message: 'warfarin and aspirin', answer: 'c0' }]);
  });
});
