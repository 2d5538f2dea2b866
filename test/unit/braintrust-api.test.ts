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
