// The offline model's wire layer on its own: the SSE frames, the fetch handler's routes and errors,
// and the request rules it enforces.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createOfflineModelFetch, InvalidRequestError, OfflineClinicalModel, parseMessagesRequest } from '../../lib/llm/offline/index.js';
import { chunkChars, chunkWords, encodeSseFrame, replyToStreamEvents } from '../../lib/llm/offline/sse-encoder.js';
import type { ModelReply } from '../../lib/llm/offline/wire-types.js';
import { OFFLINE_MODEL_NAME } from '../../lib/llm/offline/model-names.js';

const SEED = `I have a 45-year-old female patient, 5'4" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?`;
const BASE = 'http://offline-model.invalid';

function post(path: string, body: unknown, init: RequestInit = {}) {
  return createOfflineModelFetch()(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Splits an SSE body into (event, data) pairs, insisting on the framing the SDK needs. */
function parseFrames(body: string): Array<{ event: string; data: Record<string, unknown> }> {
  assert.ok(body.endsWith('\n\n'), 'the last frame ends with a blank line too');
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const match = /^event: ([a-z_]+)\ndata: (.+)$/.exec(frame);
      assert.ok(match, `malformed frame: ${frame}`);
      const data = JSON.parse(match[2] ?? '') as Record<string, unknown>;
      assert.equal(data.type, match[1]);
      return { event: match[1] ?? '', data };
    });
}

const SAMPLE_REPLY: ModelReply = {
  id: 'msg_offline_test',
  model: OFFLINE_MODEL_NAME,
  content: [
    { type: 'text', text: "I'll calculate her metrics and search the knowledge base for you now." },
    { type: 'tool_use', id: 'toolu_offline_1', name: 'calculate_clinical_metrics', input: { height: 64, height_unit: 'in', weight: 180, weight_unit: 'lb', note: 'café — ✓ 😀' } },
  ],
  stop_reason: 'tool_use',
  usage: { input_tokens: 100, output_tokens: 40 },
};

describe('offline model: SSE encoding', () => {
  it('produces the full event sequence with indexes, and tool input that reassembles to the same JSON', () => {
    const events = replyToStreamEvents(SAMPLE_REPLY);
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    assert.equal(types.filter((t) => t === 'content_block_start').length, 2);
    assert.equal(types.filter((t) => t === 'content_block_stop').length, 2);
    const textDeltas = events.flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e] : []));
    assert.ok(textDeltas.length > 3);
    assert.ok(textDeltas.every((e) => e.index === 0));
    assert.equal(textDeltas.map((e) => (e.delta.type === 'text_delta' ? e.delta.text : '')).join(''), SAMPLE_REPLY.content[0]?.type === 'text' ? SAMPLE_REPLY.content[0].text : '');
    const json = events
      .flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : []))
      .join('');
    assert.deepEqual(JSON.parse(json), SAMPLE_REPLY.content[1]?.type === 'tool_use' ? SAMPLE_REPLY.content[1].input : undefined);
    const start = events[0];
    assert.ok(start?.type === 'message_start');
    assert.deepEqual(start.message.content, []);
    assert.equal(start.message.stop_reason, null);
    const delta = events.at(-2);
    assert.ok(delta?.type === 'message_delta');
    assert.equal(delta.delta.stop_reason, 'tool_use');
    assert.equal(delta.usage.output_tokens, 40);
  });

  it('frames every event as "event: …\\ndata: …" followed by a blank line', () => {
    const body = replyToStreamEvents(SAMPLE_REPLY).map(encodeSseFrame).join('');
    assert.equal(parseFrames(body).length, replyToStreamEvents(SAMPLE_REPLY).length);
  });

  it('property: text and JSON chunking never lose or reorder a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 1, max: 9 }), (text, n) => {
        assert.equal(chunkWords(text, n).join(''), text);
        assert.equal(chunkChars(text, n).join(''), text);
        // A code point is never split, so each chunk survives a JSON round trip on its own.
        for (const chunk of chunkChars(text, n)) assert.equal(JSON.parse(JSON.stringify(chunk)), chunk);
      }),
      { numRuns: 300 },
    );
  });
});

describe('offline model: fetch handler', () => {
  it('streams text/event-stream that ends in message_stop, with a request id', async () => {
    const response = await post('/v1/messages', { model: OFFLINE_MODEL_NAME, max_tokens: 1000, stream: true, messages: [{ role: 'user', content: SEED }] });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(response.headers.get('request-id') ?? '', /^req_offline_/);
    const frames = parseFrames(await response.text());
    assert.equal(frames.at(-1)?.event, 'message_stop');
    assert.ok(frames.filter((f) => f.event === 'content_block_delta').every((f) => typeof f.data.index === 'number'));
  });

  it('answers to its own name and Claude\'s model names; any other is a 404 not_found_error, as the API answers it', async () => {
    for (const model of ['claude-sonnet-4-6', 'claude-sonnet-5-5', 'claude-fable-5-1', 'claude-mythos-preview', 'claude-opus-4-1-20250805', 'claude-3-5-haiku-latest', 'claude-3-7-sonnet-20250219']) {
      const response = await post('/v1/messages', { model, max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(response.status, 200, model);
    }
    for (const model of ['claude-nope', 'gpt-4o', 'claude-sonnet-4-5-typo']) {
      const response = await post('/v1/messages', { model, max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(response.status, 404, model);
      assert.deepEqual(await response.json(), { type: 'error', error: { type: 'not_found_error', message: `model: ${model}` } });
    }
  });

  it('answers any base path ending in /v1/messages, and count_tokens', async () => {
    const response = await post('/proxy/anthropic/v1/messages', { model: OFFLINE_MODEL_NAME, max_tokens: 1000, messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const message = (await response.json()) as { type: string; content: Array<{ type: string; text: string }> };
    assert.equal(message.type, 'message');
    assert.match(message.content[0]?.text ?? '', /offline clinical model/);
    const count = await post('/v1/messages/count_tokens', { model: OFFLINE_MODEL_NAME, messages: [{ role: 'user', content: SEED }] });
    const tokens = (await count.json()) as { input_tokens: number };
    assert.equal(tokens.input_tokens, new OfflineClinicalModel().countInputTokens(parseMessagesRequest({ model: OFFLINE_MODEL_NAME, max_tokens: 1, messages: [{ role: 'user', content: SEED }] })));
  });

  it('returns the API error envelope: 400 for a body that is not JSON, 404 for other paths, 405 for other methods', async () => {
    const bad = await post('/v1/messages', '{not json');
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { type: 'error', error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' } });
    const missing = await post('/v1/models', {});
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, 'not_found_error');
    const wrongMethod = await createOfflineModelFetch()(`${BASE}/v1/messages`, { method: 'GET' });
    assert.equal(wrongMethod.status, 405);
  });

  it('rejects at once with an AbortError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(post('/v1/messages', { model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal }), { name: 'AbortError' });
  });

  it('an abort mid-stream errors the body with AbortError and nothing is produced after it', async () => {
    const controller = new AbortController();
    const fetchOffline = createOfflineModelFetch({ deltaDelayMs: 5 });
    const response = await fetchOffline(`${BASE}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: OFFLINE_MODEL_NAME, max_tokens: 2000, stream: true, messages: [{ role: 'user', content: SEED }] }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    assert.ok(reader);
    for (let i = 0; i < 4; i++) await reader.read();
    controller.abort();
    await assert.rejects(reader.read(), { name: 'AbortError' });
  });

  it('reads a Request object as input, as fetch allows', async () => {
    const request = new Request(`${BASE}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: OFFLINE_MODEL_NAME, max_tokens: 1000, messages: [{ role: 'user', content: SEED }] }) });
    const response = await createOfflineModelFetch()(request);
    assert.equal(response.status, 200);
    const message = (await response.json()) as { stop_reason: string };
    assert.equal(message.stop_reason, 'end_turn');
  });
});

describe('offline model: request rules', () => {
  const user = (content: unknown) => ({ role: 'user', content });
  const reject = (body: unknown, pattern: RegExp) => assert.throws(() => parseMessagesRequest(body), (e: unknown) => e instanceof InvalidRequestError && pattern.test(e.message));

  it('names the offending field, as the API does', () => {
    reject({ max_tokens: 10, messages: [user('hi')] }, /^model: /);
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 1.5, messages: [user('hi')] }, /^max_tokens: /);
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [{ role: 'system', content: 'hi' }] }, /^messages\.0\.role: /);
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [user([{ type: 'text' }])] }, /^messages\.0\.content/);
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [user([])] }, /non-empty content/);
    reject([], /JSON object/);
  });

  it('pairs tool calls with results in both directions, and wants the user to speak last', () => {
    const call = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 't', input: {} }] };
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [user('q'), call, user('no results here')] }, /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/);
    reject(
      { model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [user('q'), call, user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }, { type: 'tool_result', tool_use_id: 'toolu_2', content: 'x' }])] },
      /^messages\.2\.content\.1: unexpected `tool_use_id`.*toolu_2/,
    );
    reject({ model: OFFLINE_MODEL_NAME, max_tokens: 10, messages: [user('q'), call] }, /last message/);
    const ok = parseMessagesRequest({
      model: OFFLINE_MODEL_NAME,
      max_tokens: 10,
      system: [{ type: 'text', text: 'be brief' }],
      messages: [user('q'), call, user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '{"a":1}' }, { type: 'image', source: {} }] }, { type: 'image', source: {} }])],
    });
    assert.equal(ok.system, 'be brief');
    assert.deepEqual(ok.messages[2]?.content, [
      { type: 'tool_result', tool_use_id: 'toolu_1', text: '{"a":1}', is_error: false },
      { type: 'unsupported', original_type: 'image' },
    ]);
  });
});
