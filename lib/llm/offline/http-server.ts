// The offline model on a loopback HTTP server, for tools outside this process (benchmarks, curl,
// another SDK) that can only be pointed at a URL: set ANTHROPIC_BASE_URL to the server's url.
// It is a thin adapter: node request → fetch Request → the same handler the in-process client uses.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOfflineModelFetch } from './offline-fetch.js';
import type { OfflineClinicalModel } from './offline-model.js';

export interface OfflineModelServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  deltaDelayMs?: number;
  model?: OfflineClinicalModel;
}

export interface OfflineModelServer {
  /** Base URL for the SDK's baseURL / ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:8788 */
  url: string;
  port: number;
  /** Stops listening and drops open connections (in-flight streams end at once). */
  close(): Promise<void>;
}

export async function startOfflineModelServer(options: OfflineModelServerOptions = {}): Promise<OfflineModelServer> {
  const host = options.host ?? '127.0.0.1';
  const handler = createOfflineModelFetch({
    ...(options.deltaDelayMs !== undefined ? { deltaDelayMs: options.deltaDelayMs } : {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const server = createServer((req, res) => {
    serve(req, res, handler, host).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, handler: typeof fetch, host: string): Promise<void> {
  // A client that hangs up mid-stream aborts the model, exactly like an SDK abort in-process.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit = { method, headers, signal: abort.signal };
  if (method !== 'GET' && method !== 'HEAD') init.body = Buffer.concat(chunks).toString('utf8');

  let response: Response;
  try {
    response = await handler(new URL(req.url ?? '/', `http://${host.includes(':') ? `[${host}]` : host}`).href, init);
  } catch {
    res.destroy();
    return;
  }
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drainedOrClosed(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // The stream was aborted (client gone, server closing): nothing more to send.
    res.destroy();
  } finally {
    reader.releaseLock();
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
