// The Braintrust HTTP API client the CLI and evals use: a backend that never answers gives an
// error naming the URL and the time waited, not the platform's bare "operation was aborted".
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { BraintrustApi } from '../../clients/node/braintrust-api.js';

describe('Braintrust API client', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let url = '';

  before(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    assert.ok(address && typeof address === 'object');
    url = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('names the URL and the deadline when the backend does not answer', async () => {
    const api = new BraintrustApi({ enabled: true, projectName: 'p', backend: 'local', apiKey: 'k', appUrl: url, apiUrl: url }, 150);
    const started = performance.now();
    await assert.rejects(api.btql({ query: 'SELECT 1', fmt: 'json' }), new RegExp(`^Error: ${url}/btql did not answer within 150 ms$`));
    assert.ok(performance.now() - started < 2_000);
  });
});

describe('Braintrust API client: error answers', () => {
  it('reports the backend\'s own message from a JSON error body, and the start of any other body', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    const server = createHttpServer((req, res) => {
      const json = req.url === '/btql';
      res.writeHead(json ? 504 : 502, { 'content-type': json ? 'application/json' : 'text/html' });
      res.end(json ? JSON.stringify({ error: 'the query ran longer than 30000 ms; narrow it' }) : '<html>bad gateway</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    const base = `http://127.0.0.1:${address.port}`;
    try {
      const api = new BraintrustApi({ enabled: true, projectName: 'p', backend: 'local', apiKey: 'k', appUrl: base, apiUrl: base }, 2_000);
      await assert.rejects(api.btql({ query: 'SELECT 1', fmt: 'json' }), new RegExp(`^Error: ${base}/btql answered 504: the query ran longer than 30000 ms; narrow it$`));
      await assert.rejects(api.post(`${base}/other`, {}), new RegExp(`^Error: ${base}/other answered 502: <html>bad gateway</html>$`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
