// POST /otel/v1/traces with hand-made OTLP/JSON: the span → row mapping, parent routing (header vs
// braintrust.parent), merging by span id (retries, SDK rows), gzip bodies, and malformed input → 400.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '../../lib/json.js';
import { btqlRows, byName, postRows, registerProject, requestJson, startTestStore, type TestStore } from './store-harness.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROOT_ID = 'b7ad6b7169203331';
const CHILD_ID = '00f067aa0ba902b7';
const OTHER_ID = '1111111111111111';
const START = '1700000000000000000';

const attribute = (key: string, value: JsonObject): JsonObject => ({ key, value });

function exportRequest(): JsonObject {
  return {
    resourceSpans: [
      {
        resource: { attributes: [attribute('service.name', { stringValue: 'conversation' })] },
        scopeSpans: [
          {
            scope: { name: 'tracemesh-grpc', version: '1.0.0' },
            spans: [
              {
                traceId: TRACE_ID, spanId: ROOT_ID, name: 'tracemesh.conversation.v1.ConversationService/Chat', kind: 2,
                startTimeUnixNano: START, endTimeUnixNano: '1700000001500000000',
                attributes: [
                  attribute('rpc.system', { stringValue: 'grpc' }),
                  attribute('rpc.grpc.status_code', { intValue: '13' }),
                  attribute('big', { intValue: '9007199254740993' }),
                  attribute('flags', { arrayValue: { values: [{ boolValue: true }, { doubleValue: 0.5 }] } }),
                  attribute('nested', { kvlistValue: { values: [attribute('k', { stringValue: 'v' })] } }),
                ],
                status: { code: 2, message: 'tool worker unavailable' },
                events: [{ name: 'exception', timeUnixNano: START, attributes: [attribute('exception.message', { stringValue: 'boom' })] }],
              },
              {
                traceId: TRACE_ID, spanId: CHILD_ID, parentSpanId: ROOT_ID, name: 'lookup_drug', kind: 1,
                startTimeUnixNano: '1700000000250000000', endTimeUnixNano: '1700000000750000000',
                attributes: [
                  attribute('gen_ai.operation.name', { stringValue: 'execute_tool' }),
                  attribute('braintrust.input_json', { stringValue: '{"drug":"aspirin"}' }),
                  attribute('braintrust.output_json', { stringValue: '{"found":true}' }),
                  attribute('braintrust.scores', { stringValue: '{"relevance":0.75}' }),
                ],
                status: { code: 1 },
              },
              {
                traceId: TRACE_ID, spanId: OTHER_ID, parentSpanId: ROOT_ID, name: 'elsewhere', kind: 3,
                startTimeUnixNano: START, endTimeUnixNano: START,
                attributes: [attribute('braintrust.parent', { stringValue: 'project_name:otlp-other' }), attribute('gen_ai.operation.name', { stringValue: 'chat' })],
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('trace store OTLP/JSON ingest', () => {
  let store: TestStore;
  let projectId: string;
  const sendOtlp = (body: unknown, headers: Record<string, string> = { 'x-bt-parent': 'project_name:otlp-tests' }) =>
    requestJson(`${store.url}/otel/v1/traces`, { body, headers });
  const traceRows = (project: string): Promise<JsonObject[]> => btqlRows(store.url, `SELECT * FROM project_logs('${project}') WHERE root_span_id = '${TRACE_ID}'`);

  before(async () => {
    store = await startTestStore();
    projectId = await registerProject(store.url, 'otlp-tests');
  });
  after(async () => {
    await store.dispose();
  });

  it('maps spans to rows in one tree, filed under x-bt-parent unless braintrust.parent says otherwise', async () => {
    const answer = await sendOtlp(exportRequest());
    assert.deepEqual(answer, { status: 200, body: {} });
    const rows = await traceRows(projectId);
    assert.equal(rows.length, 2);

    const root = byName(rows, 'tracemesh.conversation.v1.ConversationService/Chat');
    assert.equal(root.id, ROOT_ID);
    assert.equal(root.span_id, ROOT_ID);
    assert.equal(root.is_root, true);
    assert.equal(root.span_parents, undefined);
    assert.equal((root.span_attributes as JsonObject).type, 'function');
    assert.deepEqual(root.metrics, { start: 1700000000, end: 1700000001.5 });
    assert.equal(root.created, '2023-11-14T22:13:20.000Z');
    assert.equal(root.error, 'tool worker unavailable');
    const metadata = root.metadata as JsonObject;
    assert.equal(metadata['rpc.system'], 'grpc');
    assert.equal(metadata['rpc.grpc.status_code'], 13);
    assert.equal(metadata.big, '9007199254740993', 'int64 beyond 2^53 stays exact, as a string');
    assert.deepEqual(metadata.flags, [true, 0.5]);
    assert.deepEqual(metadata.nested, { k: 'v' });
    assert.equal(metadata['otel.kind'], 'server');
    assert.equal(metadata['otel.status_code'], 'error');
    assert.equal(metadata['otel.status_message'], 'tool worker unavailable');
    assert.equal(metadata['service.name'], 'conversation');
    assert.equal(metadata['otel.scope.name'], 'tracemesh-grpc');
    assert.equal((metadata['otel.events'] as JsonObject[])[0]!.name, 'exception');

    const child = byName(rows, 'lookup_drug');
    assert.deepEqual(child.span_parents, [ROOT_ID]);
    assert.equal((child.span_attributes as JsonObject).type, 'tool');
    assert.deepEqual(child.input, { drug: 'aspirin' });
    assert.deepEqual(child.output, { found: true });
    assert.deepEqual(child.scores, { relevance: 0.75 });
    assert.equal((child.metadata as JsonObject)['braintrust.input_json'], undefined);

    const other = await requestJson<{ project: { id: string } }>(`${store.url}/api/project/register`, { body: { project_name: 'otlp-other' } });
    const elsewhere = await traceRows(other.body.project.id);
    assert.deepEqual(elsewhere.map((row) => row.span_id), [OTHER_ID]);
    assert.equal((elsewhere[0]!.span_attributes as JsonObject).type, 'llm');
  });

  it('merges a re-sent span instead of duplicating it, and merges into an SDK row with the same span id', async () => {
    await sendOtlp(exportRequest());
    assert.equal((await traceRows(projectId)).length, 2);

    await postRows(store.url, [{ project_id: projectId, log_id: 'g', id: 'sdk-row', span_id: 'abcdefabcdefabcd', root_span_id: TRACE_ID, span_parents: [ROOT_ID], input: 'from the SDK', span_attributes: { name: 'sdk_span', type: 'task' } }]);
    await sendOtlp({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: 'abcdefabcdefabcd', parentSpanId: ROOT_ID, name: 'sdk_span', startTimeUnixNano: START, endTimeUnixNano: START, attributes: [attribute('extra', { stringValue: 'from otel' })] }] }] }],
    });
    const rows = await traceRows(projectId);
    assert.equal(rows.length, 3);
    const merged = rows.find((row) => row.span_id === 'abcdefabcdefabcd')!;
    assert.equal(merged.id, 'sdk-row');
    assert.equal(merged.input, 'from the SDK');
    assert.equal((merged.metadata as JsonObject).extra, 'from otel');
  });

  it('accepts gzip bodies, enum names and project_id / experiment_id parents', async () => {
    const body = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'aaaaaaaaaaaaaaaa', name: 'zipped', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: START, endTimeUnixNano: START, status: { code: 'STATUS_CODE_OK' } }] }] }],
    };
    const answer = await requestJson(`${store.url}/otel/v1/traces`, {
      rawBody: gzipSync(JSON.stringify(body)),
      headers: { 'content-encoding': 'gzip', 'x-bt-parent': `project_id:${projectId}` },
    });
    assert.equal(answer.status, 200);
    const [row] = await btqlRows(store.url, `SELECT * FROM project_logs('${projectId}') WHERE span_id = 'aaaaaaaaaaaaaaaa'`);
    assert.equal((row!.metadata as JsonObject)['otel.kind'], 'client');
    assert.equal((row!.metadata as JsonObject)['otel.status_code'], 'ok');

    await sendOtlp(body, { 'x-bt-parent': 'experiment_id:exp-otel' });
    assert.equal((await btqlRows(store.url, "SELECT * FROM experiment('exp-otel')")).length, 1);
  });

  it('answers malformed bodies with 400 (or 415) and keeps serving', async () => {
    const cases: { body?: unknown; raw?: string; headers?: Record<string, string>; status: number; error: RegExp }[] = [
      { raw: '{"resourceSpans": [', status: 400, error: /malformed JSON/ },
      { body: [1, 2], status: 400, error: /must be a JSON object/ },
      { body: { resourceSpans: 'nope' }, status: 400, error: /resourceSpans must be an array/ },
      { body: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: ROOT_ID, name: 'a', startTimeUnixNano: START }] }] }] }, status: 400, error: /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/ },
      { body: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, name: 'a', startTimeUnixNano: START }] }] }] }, status: 400, error: /spanId/ },
      { body: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: ROOT_ID, name: 'a', startTimeUnixNano: 'yesterday' }] }] }] }, status: 400, error: /startTimeUnixNano/ },
      { body: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: ROOT_ID, name: 'a', startTimeUnixNano: START, attributes: [{ key: 'n', value: { intValue: 'x' } }] }] }] }] }, status: 400, error: /intValue/ },
      { body: exportRequest(), headers: {}, status: 400, error: /x-bt-parent/ },
      { body: exportRequest(), headers: { 'x-bt-parent': 'team:red' }, status: 400, error: /unknown parent kind "team"/ },
      { raw: 'binary', headers: { 'content-type': 'application/x-protobuf', 'x-bt-parent': 'project_name:p' }, status: 415, error: /only JSON/ },
      { raw: 'not gzip', headers: { 'content-encoding': 'gzip', 'x-bt-parent': 'project_name:p' }, status: 400, error: /could not be decompressed/ },
    ];
    for (const c of cases) {
      const answer = await requestJson<JsonObject>(`${store.url}/otel/v1/traces`, {
        ...(c.raw !== undefined ? { rawBody: c.raw } : { body: c.body }),
        headers: c.headers ?? { 'x-bt-parent': 'project_name:otlp-tests' },
      });
      assert.equal(answer.status, c.status, `${JSON.stringify(c).slice(0, 120)} → ${JSON.stringify(answer.body)}`);
      assert.match(String(answer.body.error), c.error);
    }
    assert.equal((await requestJson(`${store.url}/version`)).status, 200);
    assert.equal((await sendOtlp({})).status, 200, 'an empty export is fine');
  });
});
