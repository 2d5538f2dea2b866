// A model endpoint that fails on command, for fault tests at the edge no machine here can reach
// (the Anthropic API). Requests it lets through are answered by the real offline model; the
// scripted ones get 429 / 529 / 500, a stream whose connection is reset after a few frames, a
// stream that stops sending after a few frames (connection left open), no answer at all, a
// malformed answer (stop_reason tool_use with no tool_use block in it), or the 404 the API gives
// for a model it does not have.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOfflineModelFetch, encodeSseFrame, replyToStreamEvents } from '../../lib/llm/offline/index.js';

export type Fault = 'ok' | '429' | '529' | '500' | 'reset-mid-stream' | 'stall-mid-stream' | 'no-answer' | 'tool-use-without-calls' | 'unknown-model';

export interface FaultyModelServer {
  url: string;
  /** Faults for the next requests, in order; when it runs out, `then` applies. */
  script(faults: Fault[], then?: Fault): void;
  /** How many /v1/messages requests arrived since the last script(). */
  requests(): number;
  close(): Promise<void>;
}

const ERROR_BODIES: Record<'429' | '529' | '500', { type: string; message: string }> = {
  '429': { type: 'rate_limit_error', message: 'rate limited (injected)' },
  '529': { type: 'overloaded_error', message: 'overloaded (injected)' },
  '500': { type: 'api_error', message: 'internal error (injected)' },
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFaultyModelServer(deltaDelayMs = 2): Promise<FaultyModelServer> {
  const model = createOfflineModelFetch({ deltaDelayMs });
  let queue: Fault[] = [];
  let fallback: Fault = 'ok';
  let count = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    count++;
    const fault = queue.shift() ?? fallback;
    if (fault === '429' || fault === '529' || fault === '500') {
      res.writeHead(Number(fault), { 'content-type': 'application/json', ...(fault === '429' ? { 'retry-after-ms': '50' } : {}) });
      res.end(JSON.stringify({ type: 'error', error: ERROR_BODIES[fault] }));
      return;
    }
    if (fault === 'no-answer') return; // the connection stays open until the client gives up
    if (fault === 'unknown-model') {
      const requested = (JSON.parse(body) as { model?: unknown }).model;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `model: ${String(requested)}` } }));
      return;
    }
    if (fault === 'tool-use-without-calls') {
      const reply = { id: `msg_fault_${count}`, model: 'fault', content: [{ type: 'text' as const, text: 'Let me check that.' }], stop_reason: 'tool_use' as const, usage: { input_tokens: 10, output_tokens: 5 } };
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(replyToStreamEvents(reply).map(encodeSseFrame).join(''));
      return;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const response = await model(`http://model${req.url ?? ''}`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: abort.signal });
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    if (!response.body) {
      res.end();
      return;
    }
    let frames = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      res.write(chunk);
      frames++;
      if (fault === 'reset-mid-stream' && frames === 12) {
        res.socket?.destroy();
        return;
      }
      if (fault === 'stall-mid-stream' && frames === 12) {
        await reader.cancel();
        return; // nothing more is sent, and the connection stays open
      }
    }
    res.end();
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script(faults, then = 'ok') {
      queue = [...faults];
      fallback = then;
      count = 0;
    },
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
