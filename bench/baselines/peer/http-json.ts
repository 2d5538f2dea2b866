// The little HTTP/JSON plumbing the peer's two servers share: read a JSON body, answer JSON, listen
// and announce, stop with the harness.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from '../../../lib/process/ready.js';
import type { Tracing } from '../../../lib/tracing/tracing.js';

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const BT_PARENT_HEADER = 'x-bt-parent-span';

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Listens on a free loopback port with keep-alive, tells the harness, and stops when told to. */
export function serveUntilStopped(server: Server, service: string, tracing: Tracing): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    announceReady({ service, address: `http://127.0.0.1:${port}`, port });
  });
  const stop = (): void => {
    server.close();
    server.closeIdleConnections();
    void tracing.shutdown(3_000).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
}
