// The offline model on loopback HTTP, reached by the real SDK through its baseURL (as any external
// tool would with ANTHROPIC_BASE_URL), and the `serve.ts` entry point as a child process.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { startOfflineModelServer, type OfflineModelServer } from '../../lib/llm/offline/index.js';
import { isReadyMessage, type ReadyMessage } from '../../lib/process/ready.js';
import { OFFLINE_MODEL_NAME } from '../../lib/llm/offline/model-names.js';

const SEED = `I have a 45-year-old female patient, 5'4" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?`;
const TOOLS: Anthropic.Tool[] = [
  { name: 'calculate_clinical_metrics', input_schema: { type: 'object' } },
  { name: 'search_medical_knowledge', input_schema: { type: 'object' } },
];

function clientFor(url: string): Anthropic {
  return new Anthropic({ apiKey: null, defaultHeaders: { authorization: null }, baseURL: url, maxRetries: 0 });
}

describe('offline model over HTTP', () => {
  let server: OfflineModelServer;

  before(async () => {
    server = await startOfflineModelServer({ port: 0, deltaDelayMs: 0 });
  });
  after(async () => {
    await server.close();
  });

  it('listens on loopback and serves the SDK: streamed tool calls, then a non-streaming answer', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = clientFor(server.url);
    const stream = client.messages.stream({ model: OFFLINE_MODEL_NAME, max_tokens: 2048, messages: [{ role: 'user', content: SEED }], tools: TOOLS });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const calls = await stream.finalMessage();
    assert.ok(deltas > 1);
    assert.equal(calls.stop_reason, 'tool_use');
    const metrics = calls.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === 'calculate_clinical_metrics');
    assert.deepEqual(metrics?.input, { height: 64, height_unit: 'in', weight: 180, weight_unit: 'lb', age: 45, sex: 'female' });

    const results: Anthropic.ToolResultBlockParam[] = calls.content.flatMap((b) =>
      b.type === 'tool_use'
        ? [{ type: 'tool_result' as const, tool_use_id: b.id, content: b.name === 'calculate_clinical_metrics' ? '{"bmi":{"value":30.9,"label":"Obesity class I"}}' : '{"results":[]}' }]
        : [],
    );
    const answer = await client.messages.create({
      model: OFFLINE_MODEL_NAME,
      max_tokens: 2048,
      messages: [{ role: 'user', content: SEED }, { role: 'assistant', content: calls.content }, { role: 'user', content: results }],
      tools: TOOLS,
    });
    assert.equal(answer.stop_reason, 'end_turn');
    const text = answer.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    assert.match(text, /\*\*BMI 30\.9 kg\/m²\*\*/);
    assert.match(text, /The medical knowledge search returned no matching entries\./);
  });

  it('reports a malformed request as BadRequestError and an unknown path as 404', async () => {
    const client = clientFor(server.url);
    await assert.rejects(client.messages.create({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [] }), Anthropic.BadRequestError);
    const response = await fetch(`${server.url}/v1/nothing`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 404);
  });

  it('an SDK abort over HTTP rejects with APIUserAbortError, and close() ends in-flight streams', async () => {
    const slow = await startOfflineModelServer({ deltaDelayMs: 20 });
    try {
      const stream = clientFor(slow.url).messages.stream({ model: OFFLINE_MODEL_NAME, max_tokens: 2048, messages: [{ role: 'user', content: SEED }] });
      await new Promise<void>((resolve) => stream.once('text', () => resolve()));
      stream.abort();
      await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);

      const pending = clientFor(slow.url).messages.stream({ model: OFFLINE_MODEL_NAME, max_tokens: 2048, messages: [{ role: 'user', content: SEED }] });
      await new Promise<void>((resolve) => pending.once('text', () => resolve()));
      const outcome = pending.finalMessage().then(
        () => 'finished',
        () => 'failed',
      );
      const started = performance.now();
      await slow.close();
      assert.ok(performance.now() - started < 1000, 'close does not wait for streams to finish');
      assert.equal(await outcome, 'failed');
    } finally {
      await slow.close().catch(() => undefined);
    }
  });
});

describe('offline model: serve.ts entry point', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });

  it('starts a server that announces its address and answers the SDK', async () => {
    const entry = fileURLToPath(new URL('../../lib/llm/offline/serve.ts', import.meta.url));
    const started = fork(entry, ['--port', '0', '--delta-delay-ms', '0'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child = started;
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      started.on('message', (message) => {
        if (isReadyMessage(message)) resolve(message);
      });
      started.once('exit', (code) => reject(new Error(`serve.ts exited early with code ${String(code)}`)));
    });
    assert.equal(ready.service, 'offline-model');
    assert.match(ready.address, /^http:\/\/127\.0\.0\.1:\d+$/);
    const message = await clientFor(ready.address).messages.create({ model: OFFLINE_MODEL_NAME, max_tokens: 2048, messages: [{ role: 'user', content: SEED }], tools: TOOLS });
    assert.equal(message.stop_reason, 'tool_use');
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
