// A `fetch` that answers the Anthropic Messages API in-process from the offline clinical model, so
// `new Anthropic({ fetch: createOfflineModelFetch() })` runs the real SDK unchanged: streaming,
// non-streaming, errors and cancellation all take the SDK's own code paths.
import { isOfflineServedModel } from './model-names.js';
import { OfflineClinicalModel } from './offline-model.js';
import { parseMessagesRequest, parseMessagesRequestText } from './request-validation.js';
import type { StreamEvent } from './sse-encoder.js';
import { encodeSseFrame, replyToStreamEvents } from './sse-encoder.js';
import { InvalidRequestError, toMessageResponse } from './wire-types.js';

export interface OfflineModelFetchOptions {
  /** Pause between streamed deltas in milliseconds; 0 streams as fast as the consumer reads. */
  deltaDelayMs?: number;
  model?: OfflineClinicalModel;
}

// With no delay, still let timers and I/O run every few deltas, so a long answer cannot starve
// the event loop of the process it is embedded in.
const DELTAS_BETWEEN_YIELDS = 8;

export function createOfflineModelFetch(options: OfflineModelFetchOptions = {}): typeof fetch {
  const model = options.model ?? new OfflineClinicalModel();
  const deltaDelayMs = Math.max(0, options.deltaDelayMs ?? 0);

  async function offlineFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const incoming = input instanceof Request ? input : undefined;
    const signal = init?.signal ?? incoming?.signal ?? undefined;
    if (signal?.aborted) throw abortError();
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? incoming?.method ?? 'GET').toUpperCase();

    const route = /\/v1\/messages(\/count_tokens)?\/?$/.exec(url.pathname);
    if (!route) return errorResponse(404, 'not_found_error', `Not found: ${url.pathname}`);
    if (method !== 'POST') return errorResponse(405, 'invalid_request_error', `Method ${method} is not allowed on ${url.pathname}`);

    const bodyText = await readBody(input, init);
    try {
      if (route[1]) return jsonResponse(200, { input_tokens: countTokens(model, bodyText) });
      const request = parseMessagesRequestText(bodyText);
      if (!isOfflineServedModel(request.model)) return errorResponse(404, 'not_found_error', `model: ${request.model}`);
      const reply = model.reply(request);
      const requestId = `req_offline_${reply.id.slice(-24)}`;
      if (!request.stream) return jsonResponse(200, toMessageResponse(reply), requestId);
      return new Response(sseStream(replyToStreamEvents(reply), deltaDelayMs, signal), {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId },
      });
    } catch (error) {
      if (error instanceof InvalidRequestError) return errorResponse(400, 'invalid_request_error', error.message);
      return errorResponse(500, 'api_error', `offline model failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return offlineFetch;
}

function countTokens(model: OfflineClinicalModel, bodyText: string): number {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw new InvalidRequestError('The request body is not valid JSON.');
  }
  // count_tokens takes a Messages request without max_tokens.
  const withMax = typeof body === 'object' && body !== null && !Array.isArray(body) ? { max_tokens: 1, ...body } : body;
  return model.countInputTokens(parseMessagesRequest(withMax));
}

/**
 * Emits one frame per pull (so a consumer that stops reading stops the model), pausing before
 * each delta. On abort it stops at once and errors with an AbortError, which the SDK reports as
 * APIUserAbortError; on abort, cancel or completion no timer is left behind.
 */
function sseStream(events: readonly StreamEvent[], deltaDelayMs: number, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  let deltasSinceYield = 0;
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  let wake: (() => void) | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const stopWaiting = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const finish = (): void => {
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    stopWaiting();
  };
  function onAbort(): void {
    if (finished) return;
    finish();
    controller?.error(abortError());
  }
  const pause = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (deltaDelayMs > 0) {
        timer = setTimeout(stopWaiting, deltaDelayMs);
      } else {
        immediate = setImmediate(stopWaiting);
      }
    });

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      signal?.addEventListener('abort', onAbort, { once: true });
    },
    async pull(c) {
      if (finished) return;
      const event = events[next];
      if (!event) {
        finish();
        c.close();
        return;
      }
      if (event.type === 'content_block_delta' && (deltaDelayMs > 0 || ++deltasSinceYield >= DELTAS_BETWEEN_YIELDS)) {
        deltasSinceYield = 0;
        await pause();
        if (finished) return;
      }
      c.enqueue(encoder.encode(encodeSseFrame(event)));
      next++;
    },
    cancel() {
      finish();
    },
  });
}

async function readBody(input: RequestInfo | URL, init: RequestInit | undefined): Promise<string> {
  const body = init?.body;
  if (typeof body === 'string') return body;
  if (body !== undefined && body !== null) return new Response(body).text();
  return input instanceof Request ? input.text() : '';
}

function jsonResponse(status: number, body: object, requestId?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (requestId) headers['request-id'] = requestId;
  return new Response(JSON.stringify(body), { status, headers });
}

/** The API's error envelope; the SDK maps the status to its error classes (400 → BadRequestError). */
function errorResponse(status: number, type: string, message: string): Response {
  return jsonResponse(status, { type: 'error', error: { type, message } });
}

function abortError(): DOMException {
  return new DOMException('aborted', 'AbortError');
}
