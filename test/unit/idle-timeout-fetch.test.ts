// The byte-level watch on model responses: a body that stops sending fails with
// ModelStreamSilentError after the allowed silence; one that keeps sending — pings included,
// however long the whole takes — does not; an aborted request is not failed as silent later.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { idleTimeoutFetch, ModelStreamSilentError, streamSilence } from '../../lib/llm/idle-timeout-fetch.js';

/** A fetch whose response body the test writes to, and may stop writing to. */
function controlledFetch(): { fetch: typeof fetch; send: (text: string) => void; end: () => void } {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    send: (text) => controller?.enqueue(new TextEncoder().encode(text)),
    end: () => controller?.close(),
  };
}

async function readAll(response: Response): Promise<string> {
  return await response.text();
}

describe('idleTimeoutFetch', () => {
  it('fails a response body that stops sending, with ModelStreamSilentError, after the allowed silence', async () => {
    const source = controlledFetch();
    const response = await idleTimeoutFetch(source.fetch, 100)('http://model/v1/messages');
    source.send('event: message_start\n\n');
    const started = performance.now();
    const error = await readAll(response).then(() => assert.fail('the body should fail'), (e: unknown) => e);
    assert.ok(error instanceof ModelStreamSilentError, String(error));
    assert.ok(performance.now() - started >= 90, 'not before the silence allowed');
    assert.equal(error.idleMs, 100);
  });

  it('lets a body through that keeps sending, even when the whole takes longer than the allowed silence', async () => {
    const source = controlledFetch();
    const response = await idleTimeoutFetch(source.fetch, 150)('http://model/v1/messages');
    const reading = readAll(response);
    for (let i = 0; i < 6; i++) {
      source.send(`event: ping\ndata: {"n": ${i}}\n\n`);
      await delay(50);
    }
    source.end();
    const text = await reading;
    assert.equal(text.split('event: ping').length - 1, 6);
  });

  it('stops watching once the request is aborted (the abort is the story, not a silence)', async () => {
    const source = controlledFetch();
    const abort = new AbortController();
    const response = await idleTimeoutFetch(source.fetch, 50)('http://model/v1/messages', { signal: abort.signal });
    abort.abort();
    await delay(120);
    source.send('late');
    source.end();
    assert.equal(await readAll(response), 'late', 'no silence error after the abort');
  });

  it('finds the silence behind the error the SDK wraps it in', () => {
    const silent = new ModelStreamSilentError(100);
    const wrapped = new Error('stream failed', { cause: silent });
    assert.equal(streamSilence(silent), silent);
    assert.equal(streamSilence(wrapped), silent);
    assert.equal(streamSilence(new Error('other')), undefined);
  });
});
