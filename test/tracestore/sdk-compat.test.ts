// The store driven by the REAL braintrust and @braintrust/otel SDKs (each scenario in its own
// process, see fixtures/), checked by reading back through /btql.
import assert from 'node:assert/strict';
import type { JsonObject } from '../../lib/json.js';
import { btqlRows, byName, requestJson, runFixture, startTestStore, type TestStore } from './store-harness.js';

interface LoggerTrace {
  projectId: string;
  rootSpanId: string;
  rootId: string;
  rootSpanSpanId: string;
  childSpanId: string;
}

interface MixedTraces {
  projectId: string;
  traceA: { rootSpanId: string; rootSpanSpanId: string; otelChildSpanId: string; grandchildSpanId: string };
  traceB: { traceId: string; otelRootSpanId: string; btChildSpanId: string };
}

interface EvalSummary {
  experimentName: string;
  comparisonExperimentName?: string;
  scores: Record<string, { score: number; diff?: number; improvements: number; regressions: number }>;
  metrics: Record<string, { metric: number; unit: string }>;
}

interface DatasetRun {
  datasetId: string;
  ids: string[];
  fetched: JsonObject[];
  totalRecords: number;
  version: string;
  reopenedName: string;
  first: EvalSummary;
  second: EvalSummary;
  threads: unknown[][];
}

describe('trace store with the real SDKs', function () {
  this.timeout(90_000);
  let store: TestStore;

  before(async () => {
    store = await startTestStore();
  });
  after(async () => {
    await store.dispose();
  });

  it('braintrust initLogger: spans logged across batches read back deep-merged, in one tree', async () => {
    const run = await runFixture<LoggerTrace>('sdk-logger-trace', store.url);
    const rows = await btqlRows(store.url, `SELECT * FROM project_logs('${run.projectId}') WHERE root_span_id = '${run.rootSpanId}'`);
    assert.equal(rows.length, 2, 'the feedback comment is not a span');

    const root = byName(rows, 'request');
    assert.equal(root.id, run.rootId);
    assert.equal(root.span_id, run.rootSpanSpanId);
    assert.equal(root.is_root, true);
    assert.equal(root.span_parents, undefined);
    assert.deepEqual(root.input, { question: 'what is 2+2?' });
    assert.deepEqual(root.output, { answer: '4' });
    assert.deepEqual(root.metadata, { user: 'u1', nested: { a: 1, b: 2 } });
    assert.deepEqual(root.scores, { correct: 1, human: 0.5 });
    const rootMetrics = root.metrics as { start: number; end: number };
    assert.equal(typeof rootMetrics.start, 'number');
    assert.ok(rootMetrics.end >= rootMetrics.start);

    const child = byName(rows, 'model_call');
    assert.equal(child.span_id, run.childSpanId);
    assert.deepEqual(child.span_parents, [run.rootSpanSpanId]);
    assert.equal(child.root_span_id, run.rootSpanId);
    assert.equal(child.is_root, false);
    assert.deepEqual(child.input, [{ role: 'user', content: 'what is 2+2?' }]);
    assert.equal(child.output, '4');
    const childMetrics = child.metrics as Record<string, number>;
    assert.equal(childMetrics.prompt_tokens, 5);
    assert.ok(childMetrics.end! >= childMetrics.start!);
    assert.equal((child.span_attributes as JsonObject).type, 'llm');

    for (const row of rows) assert.match(String(row._xact_id), /^[0-9]{16}$/);
  });

  it('@braintrust/otel: OTel spans inside Braintrust spans (and vice versa) land in the same tree', async () => {
    const run = await runFixture<MixedTraces>('otel-mixed-trace', store.url);

    const traceA = await btqlRows(store.url, `SELECT * FROM project_logs('${run.projectId}') WHERE root_span_id = '${run.traceA.rootSpanId}'`);
    assert.deepEqual(traceA.map((row) => (row.span_attributes as JsonObject).name).sort(), ['bt_grandchild', 'bt_root', 'otel_chat']);
    const btRoot = byName(traceA, 'bt_root');
    const otelChat = byName(traceA, 'otel_chat');
    const grandchild = byName(traceA, 'bt_grandchild');
    assert.equal(btRoot.is_root, true);
    assert.equal(otelChat.span_id, run.traceA.otelChildSpanId);
    assert.deepEqual(otelChat.span_parents, [run.traceA.rootSpanSpanId]);
    assert.deepEqual(grandchild.span_parents, [run.traceA.otelChildSpanId]);
    assert.equal((otelChat.span_attributes as JsonObject).type, 'llm');
    const metadata = otelChat.metadata as JsonObject;
    assert.equal(metadata['rpc.method'], 'Chat');
    assert.equal(metadata['service.name'], 'fixture-service');
    assert.equal(metadata['otel.scope.name'], 'fixture-scope');
    assert.equal(metadata['otel.kind'], 'internal');
    assert.equal(metadata['braintrust.parent'], undefined, 'routing attributes are not metadata');
    const metrics = otelChat.metrics as Record<string, number>;
    assert.deepEqual([metrics.prompt_tokens, metrics.completion_tokens, metrics.tokens], [11, 4, 15]);
    assert.ok(metrics.end! >= metrics.start! && metrics.start! > 1.7e9, 'metrics are unix seconds');

    const traceB = await btqlRows(store.url, `SELECT * FROM project_logs('${run.projectId}') WHERE root_span_id = '${run.traceB.traceId}'`);
    assert.equal(traceB.length, 2);
    const otelRoot = byName(traceB, 'otel_root');
    assert.equal(otelRoot.is_root, true);
    assert.equal(otelRoot.span_id, run.traceB.otelRootSpanId);
    assert.equal((otelRoot.span_attributes as JsonObject).type, 'tool');
    assert.deepEqual(byName(traceB, 'bt_child').span_parents, [run.traceB.otelRootSpanId]);
  });

  it('datasets and Eval: insert/update/delete, paged fetch, reopen by id, trace threads, summaries compared with the base', async () => {
    const run = await runFixture<DatasetRun>('sdk-datasets-experiments', store.url);
    assert.equal(run.fetched.length, 4, 'the deleted record is gone');
    const first = run.fetched.find((record) => record.id === run.ids[0]);
    assert.deepEqual(first?.metadata, { source: 'seed', reviewed: true });
    assert.equal(run.totalRecords, 4);
    assert.match(run.version, /^[0-9]{16}$/);
    assert.equal(run.reopenedName, 'arithmetic');

    assert.equal(run.first.scores.exact?.score, 0.5);
    assert.equal(run.first.comparisonExperimentName, undefined);
    assert.equal(run.second.comparisonExperimentName, 'baseline');
    assert.equal(run.second.scores.exact?.score, 1);
    assert.equal(run.second.scores.exact?.diff, 0.5);
    assert.equal(run.second.scores.exact?.improvements, 2);
    assert.equal(run.second.scores.exact?.regressions, 0);
    assert.equal(run.second.metrics.duration?.unit, 's');
    assert.equal(run.second.scores.has_thread?.score, 1, 'trace.getThread() answered through /function/invoke');
    assert.equal(run.threads.length, 4);
    assert.deepEqual(run.threads.find((thread) => JSON.stringify(thread).includes('"1+1"')), [
      { role: 'user', content: '1+1' },
      { role: 'assistant', content: '2' },
    ]);

    const experiment = await requestJson<JsonObject[]>(`${store.url}/api/experiment/get`, {
      body: { project_name: 'sdk-evals', experiment_name: 'candidate' },
    });
    assert.equal(experiment.body.length, 1);
    const cases = await btqlRows(store.url, `select: * | from: experiment('${String(experiment.body[0]!.id)}') | filter: is_root = true`);
    assert.equal(cases.length, 4, 'one eval root per dataset record');
  });
});
