// OpenTelemetry conventions, checked at an OTLP collector (a second trace store receiving the
// standard OTEL_EXPORTER_OTLP_* export): RPC spans on both sides of every call, GenAI `chat` spans
// from the Anthropic SDK and `execute_tool` spans from the worker, all in the caller's trace — and
// the Braintrust view keeps one llm span per model call (the GenAI mirrors stay out of it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { waitForTrace } from '../../clients/node/cli/trace-waiter.js';
import { TraceBackend, type SpanRow } from '../../clients/node/trace-reader.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';
import { startTraceStore } from '../../services/tracestore/trace-store.js';
import { localTraceBackend, nameOf } from '../helpers/trace-rows.js';

type Attributes = Record<string, unknown>;
const attributes = (row: SpanRow): Attributes => (row.metadata ?? {}) as Attributes;

function backendFor(url: string, projectName: string): TraceBackend {
  return localTraceBackend(url, { projectName });
}

describe('OpenTelemetry conventions at an OTLP collector', function () {
  this.timeout(120_000);
  let collector: { url: string; close(): Promise<void> };
  let mesh: RunningMesh;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracemesh-otel-'));
    collector = await startTraceStore({ port: 0, host: '127.0.0.1', dbPath: join(dir, 'collector.db') });
    mesh = await startMesh({
      dataDir: dir,
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/otel/v1/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-bt-parent=project_name:collector',
        OFFLINE_MODEL_DELTA_DELAY_MS: '0',
      },
    });
  });
  after(async () => {
    await mesh?.stop();
    await collector?.close();
  });

  it('exports RPC, chat and execute_tool spans with the current semantic conventions', async () => {
    const traceId = randomBytes(16).toString('hex');
    const client = new ConversationServiceClient(mesh.conversationTarget, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    const result = await streamTurn(client, "A 45-year-old female, 5'4\", 180 lbs, with fatigue and thirst.", { metadata });
    client.close();
    assert.equal(result.trace?.rootSpanId, traceId);

    // The store files a span under its braintrust.parent attribute when it has one (spans started
    // inside Braintrust spans carry the mesh's project, by name or by its id in the mesh's own
    // store), else under the x-bt-parent header: read all three places.
    const meshProjectId = await backendFor(mesh.tracestoreUrl ?? '', 'tracemesh').resolveProjectId();
    const collectorBackend = backendFor(collector.url, 'collector');
    const collected = async (): Promise<SpanRow[]> => [
      ...(await collectorBackend.fetchTrace(traceId)),
      ...(await backendFor(collector.url, 'tracemesh').fetchTrace(traceId)),
      ...(await collectorBackend.btql(`SELECT * FROM project_logs('${meshProjectId}') WHERE root_span_id = '${traceId}'`)),
    ];
    // Wait for every span asserted below: the StreamChat server span ends last (after the turn's
    // last event), so it can reach the collector one export batch after the others.
    const serverSpan = (rows: SpanRow[], method: string): boolean =>
      rows.some((s) => attributes(s)['otel.kind'] === 'server' && attributes(s)['rpc.method'] === method);
    let rows: SpanRow[] = [];
    for (let waited = 0; waited < 20_000; waited += 250) {
      rows = await collected();
      const chats = rows.filter((s) => attributes(s)['gen_ai.operation.name'] === 'chat').length;
      if (
        chats >= 2
        && rows.some((s) => attributes(s)['gen_ai.operation.name'] === 'execute_tool')
        && rows.some((s) => attributes(s)['otel.kind'] === 'client')
        && serverSpan(rows, 'tracemesh.conversation.v1.ConversationService/StreamChat')
        && serverSpan(rows, 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool')
      ) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(rows.every((row) => row.root_span_id === traceId), 'everything is in the caller\'s trace');

    const rpc = rows.filter((row) => attributes(row)['rpc.system.name'] === 'grpc');
    const server = rpc.filter((row) => attributes(row)['otel.kind'] === 'server');
    const client_ = rpc.filter((row) => attributes(row)['otel.kind'] === 'client');
    assert.ok(server.some((row) => attributes(row)['rpc.method'] === 'tracemesh.conversation.v1.ConversationService/StreamChat'));
    assert.ok(server.some((row) => attributes(row)['rpc.method'] === 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool'));
    // Which replica served each call: with several workers behind one target, the trace says which.
    const executeServer = server.find((row) => attributes(row)['rpc.method'] === 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool');
    assert.match(String(attributes(executeServer ?? {})['service.instance.id']), /^(toolworker(-\d+)?|\S+:\d+)$/);
    // The caller's address and port apart, as the conventions have them (not "127.0.0.1:51234" in one).
    for (const row of server) {
      assert.equal(attributes(row)['network.peer.address'], '127.0.0.1');
      assert.ok(Number.isInteger(attributes(row)['network.peer.port']), `a port number: ${String(attributes(row)['network.peer.port'])}`);
    }
    const executeClient = client_.find((row) => attributes(row)['rpc.method'] === 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool');
    assert.ok(executeClient, 'the conversation service\'s client span of ExecuteTool');
    assert.equal(attributes(executeClient)['server.address'], '127.0.0.1');
    assert.equal(typeof attributes(executeClient)['server.port'], 'number');
    for (const row of rpc) assert.equal(attributes(row)['rpc.status_code'], 'OK', `${nameOf(row)} has its status`);

    const chats = rows.filter((row) => attributes(row)['gen_ai.operation.name'] === 'chat');
    assert.equal(chats.length, 2, 'one chat span per model call');
    for (const chat of chats) {
      const a = attributes(chat);
      assert.equal(a['gen_ai.provider.name'], 'anthropic');
      assert.equal(typeof a['gen_ai.request.model'], 'string');
      assert.ok(Number(a['gen_ai.usage.input_tokens']) > 0);
      assert.ok(Number(a['gen_ai.usage.output_tokens']) > 0);
    }
    // The second model call read the first one's prompt from the prompt cache.
    assert.ok(chats.some((chat) => Number(attributes(chat)['gen_ai.usage.cache_read.input_tokens']) > 0), 'a chat span read from the prompt cache');
    const toolSpans = rows.filter((row) => attributes(row)['gen_ai.operation.name'] === 'execute_tool');
    const tool = toolSpans.find((row) => attributes(row)['gen_ai.tool.name'] === 'calculate_clinical_metrics');
    assert.ok(tool, `an execute_tool span for the metrics tool among ${toolSpans.map((r) => attributes(r)['gen_ai.tool.name']).join(', ')}`);
    assert.match(String(attributes(tool ?? {})['gen_ai.tool.call.id']), /^toolu_/);

    // The Braintrust view (the mesh's own trace store) has the Braintrust llm spans, not the mirrors.
    const braintrustView = await waitForTrace(backendFor(mesh.tracestoreUrl ?? '', 'tracemesh'), traceId, {
      isComplete: (spans) => spans.filter((s) => nameOf(s) === 'claude_messages_create').length >= 2,
    });
    assert.equal(braintrustView.filter((row) => nameOf(row) === 'claude_messages_create').length, 2);
    assert.ok(!braintrustView.some((row) => attributes(row)['gen_ai.operation.name'] !== undefined), 'no GenAI mirror spans in the Braintrust view');
  });
});
