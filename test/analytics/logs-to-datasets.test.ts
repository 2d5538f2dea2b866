// Logs → datasets against the shared mesh's trace store: which conversations become cases, the rows'
// shape, and that writing a dataset twice leaves one row per conversation — read back through the
// braintrust SDK's own fetch().
import assert from 'node:assert/strict';
import { BraintrustState, initDataset } from 'braintrust';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { selectCases } from '../../clients/node/datasets/conversation-cases.js';
import { datasetRowId, toDatasetRow, type DatasetRow } from '../../clients/node/datasets/dataset-rows.js';
import { writeDataset, type DatasetProgress } from '../../clients/node/datasets/dataset-writer.js';
import { tracingConfig } from '../../lib/config.js';
import type { JsonValue } from '../../lib/json.js';
import { createConversationClient } from '../../clients/node/conversation-client.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { sharedMesh } from '../helpers/shared-mesh.js';
import { seededConversations, type SeededConversations, type SeedLabel } from './seeded-conversations.js';

interface FetchedRecord {
  id: string;
  input: JsonValue;
  expected: JsonValue;
  metadata: JsonValue;
  tags: JsonValue;
}

/** Every record of a dataset, through a fresh SDK state (as another process would see it). */
async function fetchDataset(name: string): Promise<FetchedRecord[]> {
  const config = tracingConfig();
  const login = { apiKey: config.apiKey, appUrl: config.appUrl };
  const dataset = initDataset({ project: config.projectName, dataset: name, ...login, state: new BraintrustState({ ...login, noExitFlush: true }) });
  const records: FetchedRecord[] = [];
  for await (const record of dataset.fetch()) {
    records.push({ id: String(record.id), input: record.input as JsonValue, expected: record.expected as JsonValue, metadata: record.metadata as JsonValue, tags: (record.tags ?? null) as JsonValue });
  }
  return records.sort((a, b) => a.id.localeCompare(b.id));
}

function asRecords(rows: DatasetRow[]): FetchedRecord[] {
  return rows.map((row) => ({ id: row.id, input: row.input, expected: row.expected, metadata: row.metadata, tags: row.tags })).sort((a, b) => a.id.localeCompare(b.id));
}

describe('logs → datasets (real conversations, the braintrust SDK dataset API)', function () {
  this.timeout(120_000);
  let seed: SeededConversations;
  let client: BtqlClient;
  const labelOf = (row: DatasetRow): SeedLabel | undefined =>
    seed.order.find((label) => seed.conversations[label].conversationId === row.metadata.conversation_id);

  before(async () => {
    seed = await seededConversations();
    client = new BtqlClient();
  });

  it('makes one row per conversation in the seed\'s shape, with a row id derived from the conversation id', async () => {
    const rows = await selectCases(client, { kind: 'search', term: seed.marker }, 10);
    const { untraced } = seed;
    assert.deepEqual(rows.map((row) => labelOf(row) ?? row.metadata.conversation_id).sort(), [...seed.order, untraced.conversationId].sort());
    for (const row of rows) {
      const label = labelOf(row);
      const seeded = label ? seed.conversations[label] : { ...untraced, rootSpanId: untraced.traceIds[0]!, tools: [...new Set(untraced.results.flatMap((r) => r.toolCalls.map((c) => c.toolName)))].sort() };
      // A conversation of several turns carries its later messages, so a live eval can replay it.
      const followUps = seeded.queries.slice(1);
      assert.deepEqual(row, {
        id: `conversation:${seeded.conversationId}`,
        input: { patient_query: seeded.queries[0], ...(followUps.length > 0 ? { follow_ups: followUps } : {}) },
        expected: { final_response: seeded.results[seeded.results.length - 1]!.text },
        metadata: { conversation_id: seeded.conversationId, total_turns: seeded.queries.length, source: 'production_logs', root_span_id: seeded.rootSpanId, tools: seeded.tools },
        tags: ['production', 'healthcare', `search:${seed.marker}`],
      });
    }
    assert.equal(datasetRowId({ conversationId: '', rootSpanId: 'abc' }), 'trace:abc', 'a conversation logged without an id falls back to its trace');
  });

  it('leaves out conversations that eval runs logged (metadata.source = "eval")', async () => {
    // A token of its own, so the other tests' counts of the seed's marker stay as they are.
    const token = `evaltraffic${Date.now().toString(36)}`;
    const shared = await sharedMesh();
    const conversations = createConversationClient(shared.mesh.conversationTarget);
    const run = async (metadata: Record<string, string>): Promise<string> => {
      const conversation = new TracedConversation(conversations, { metadata });
      const result = await conversation.turn(`A 50-year-old man, 180 cm, 90 kg (${token}).`);
      conversation.finish();
      return result.conversationId;
    };
    const fromEval = await run({ source: 'eval' });
    const fromProduction = await run({});
    conversations.close();
    await shared.tracing.flush();
    const rows = await selectCases(client, { kind: 'search', term: token }, 20);
    assert.deepEqual(rows.map((row) => row.metadata.conversation_id), [fromProduction], 'only the production conversation is a case');
    assert.notEqual(fromEval, fromProduction);
  });

  it('selects complex cases: ≥ 2 distinct tools called or ≥ 2 turns', async () => {
    const rows = await selectCases(client, { kind: 'complex' }, 200);
    const picked = rows.flatMap((row) => labelOf(row) ?? []).sort();
    const expected = seed.order.filter((label) => seed.conversations[label].tools.length >= 2 || seed.conversations[label].queries.length >= 2).sort();
    assert.ok(expected.includes('twoTurns') && expected.includes('toolError'));
    assert.deepEqual(picked, expected);
    const toolError = rows.find((row) => labelOf(row) === 'toolError')!;
    assert.deepEqual(toolError.metadata.tools, ['calculate_clinical_metrics', 'no_such_tool']);
    assert.ok(toolError.tags.includes('complex') && toolError.tags.includes('multi-tool'));
    assert.ok(rows.find((row) => labelOf(row) === 'twoTurns')!.tags.includes('multi-turn'));
    // The untraced caller's conversation: its two turns are two traces, and its tools are counted over both.
    const untraced = rows.find((row) => row.metadata.conversation_id === seed.untraced.conversationId);
    assert.ok(untraced && untraced.tags.includes('multi-turn'));
    assert.deepEqual(untraced.metadata.tools, [...new Set(seed.untraced.results.flatMap((r) => r.toolCalls.map((c) => c.toolName)))].sort());
    assert.deepEqual(untraced.input.follow_ups, seed.untraced.queries.slice(1));
  });

  it('writes a dataset through the SDK; writing it again updates rows in place instead of duplicating them', async () => {
    const name = `analytics ${seed.marker}`;
    const rows = await selectCases(client, { kind: 'search', term: seed.marker }, 10);
    const progress: DatasetProgress[] = [];
    assert.equal(rows.length, seed.order.length + 1, 'the seeded conversations, the untraced one included');
    const first = await writeDataset(rows, { name, onProgress: (event) => progress.push(event) });
    assert.equal(first.datasetName, name);
    assert.deepEqual([first.written, first.totalRows, first.verified], [5, 5, 5]);
    assert.deepEqual(progress.filter((p) => p.phase === 'inserting').map((p) => p.phase === 'inserting' && p.done), [1, 2, 3, 4, 5]);
    assert.deepEqual(fetchedPhases(progress), ['inserting', 'flushing', 'verifying']);
    assert.deepEqual(await fetchDataset(name), asRecords(rows));

    const again = await writeDataset(rows, { name });
    assert.equal(again.datasetId, first.datasetId, 'the same dataset');
    assert.deepEqual([again.totalRows, again.verified], [5, 5], 'no duplicates');

    // A changed case is updated where it is: the row count stays, the new content is what fetch() reads.
    const changed = rows.map((row, i) => (i === 0 ? { ...row, tags: [...row.tags, 'reviewed'] } : row));
    const third = await writeDataset(changed, { name });
    assert.equal(third.totalRows, 5);
    assert.deepEqual(await fetchDataset(name), asRecords(changed));
  });

  it('a row id stays the same when the conversation is summarised again', () => {
    const summary = { rootSpanId: 'r', spanId: 's', created: '', conversationId: 'conv_x', patientQuery: 'q', finalResponse: 'a', totalTurns: 1, failedTurns: 0, traceIds: ['r'] };
    assert.equal(toDatasetRow(summary).id, toDatasetRow({ ...summary, rootSpanId: 'other', finalResponse: 'b' }).id);
  });
});

function fetchedPhases(progress: DatasetProgress[]): string[] {
  return progress.map((p) => p.phase).filter((phase, i, all) => all[i - 1] !== phase);
}
