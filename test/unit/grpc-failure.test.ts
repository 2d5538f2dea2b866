// The CLI's one-line failure: grpc-js's own diagnostics (an empty "Resolution note", per-stage
// deadline timings) are left out, read from real calls that fail.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { status } from '@grpc/grpc-js';
import { createConversationClient, getConversation } from '../../clients/node/conversation-client.js';
import { describeFailure, withoutClientDiagnostics } from '../../clients/node/cli/grpc-failure.js';
import { failureOf } from '../helpers/call-failure.js';

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('describeFailure', function () {
  this.timeout(20_000);

  it('a refused connection: the reason, without an empty "Resolution note"', async () => {
    const server = createServer();
    const port = await listening(server);
    await new Promise((resolve) => server.close(resolve));
    const client = createConversationClient(`127.0.0.1:${port}`);
    try {
      const error = await failureOf(getConversation(client, 'conv_x', 2_000));
      assert.equal(error.code, status.UNAVAILABLE);
      const line = describeFailure(error);
      assert.match(line, /^UNAVAILABLE: .*ECONNREFUSED/);
      assert.doesNotMatch(line, /Resolution note/);
    } finally {
      client.close();
    }
  });

  it('a deadline: how long, without the per-stage timings', async () => {
    // Accepts the connection and never answers: the call waits out its deadline.
    const silent = createServer(() => undefined);
    const port = await listening(silent);
    const client = createConversationClient(`127.0.0.1:${port}`);
    try {
      const error = await failureOf(getConversation(client, 'conv_x', 300));
      assert.equal(error.code, status.DEADLINE_EXCEEDED);
      assert.match(error.details, /^Deadline exceeded after [\d.]+s,/, 'grpc-js adds its timings');
      assert.match(describeFailure(error), /^DEADLINE_EXCEEDED: Deadline exceeded after [\d.]+s$/);
    } finally {
      client.close();
      silent.close();
    }
  });

  it('leaves other messages as they are', () => {
    for (const message of ['conversation "conv_x" does not exist', 'Resolution note: taken as a phrase, mid-sentence', '']) {
      assert.equal(withoutClientDiagnostics(message), message);
    }
  });
});
