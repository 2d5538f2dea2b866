// Retrying turns from the Node client (streamTurnWithRetries, `chat --retries`): passing failures
// are tried again with the same request_id after the service's RetryInfo delay (or a backoff),
// other failures at once are the answer, and the turn's deadline bounds every try and wait.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { status } from '@grpc/grpc-js';
import { createConversationClient, getConversation, streamTurn, type ConversationServiceClient } from '../../clients/node/conversation-client.js';
import { retryDelayOf, streamTurnWithRetries } from '../../clients/node/turn-retries.js';
import { grpcError } from '../../lib/grpc/errors.js';
import { duringTurn, keepConversationBusy } from '../helpers/busy-conversation.js';
import { failureOf } from '../helpers/call-failure.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';

/** A port with nothing listening on it (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('turn retries', function () {
  this.timeout(90_000);
  let shared: SharedMesh;
  let client: ConversationServiceClient;

  before(async () => {
    shared = await sharedMesh();
    client = createConversationClient(shared.mesh.conversationTarget);
  });
  after(() => client?.close());

  it('retries what a later try can get past, after the RetryInfo delay when there is one; nothing else', () => {
    const withRetryInfo = (code: status, retryDelayMs: number) => grpcError(code, 'x', { errorInfo: { reason: 'R', domain: 'd' }, retryDelayMs });
    assert.equal(retryDelayOf(withRetryInfo(status.ABORTED, 1000), 0), 1000);
    assert.equal(retryDelayOf(withRetryInfo(status.RESOURCE_EXHAUSTED, 3000), 4), 3000);
    assert.equal(retryDelayOf(withRetryInfo(status.UNAVAILABLE, 700), 0), 700);
    // Without one: a jittered backoff, doubling, capped at 5 s.
    const first = retryDelayOf(grpcError(status.UNAVAILABLE, 'down'), 0) ?? -1;
    assert.ok(first >= 125 && first <= 250, String(first));
    const late = retryDelayOf(grpcError(status.UNAVAILABLE, 'down'), 10) ?? -1;
    assert.ok(late >= 2500 && late <= 5000, String(late));
    // A full conversation or context window does not empty itself: no RetryInfo, no retry.
    assert.equal(retryDelayOf(grpcError(status.RESOURCE_EXHAUSTED, 'too many turns'), 0), undefined);
    for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.DEADLINE_EXCEEDED, status.CANCELLED, status.UNAUTHENTICATED, status.INTERNAL]) {
      assert.equal(retryDelayOf(grpcError(code, 'no'), 0), undefined, status[code]);
    }
    assert.equal(retryDelayOf(new Error('not a status'), 0), undefined);
  });

  it('a turn on a busy conversation waits out the running one (ABORTED, RetryInfo 1 s) and then runs, once', async () => {
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
    const retried: Array<[string, number, number]> = [];
    const { during: second } = await duringTurn(client, { conversationId: first.conversationId }, () =>
      streamTurnWithRetries(client, 'His blood pressure is 150/95.', {
        conversationId: first.conversationId,
        retries: 3,
        onRetry: (error, retry, delayMs) => retried.push([status[error.code], retry, delayMs]),
      }),
    );
    const result = await second;
    assert.deepEqual(retried[0], ['ABORTED', 1, 1000]);
    assert.equal(result.turnIndex, 2);
    assert.equal(result.replayed, false);
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 3, 'each turn ran once');
  });

  it('an unreachable service is tried `retries` more times with a growing backoff, then the UNAVAILABLE is the answer', async () => {
    const unreachable = createConversationClient(`127.0.0.1:${await closedPort()}`);
    try {
      const delays: number[] = [];
      const started = Date.now();
      const error = await failureOf(streamTurnWithRetries(unreachable, 'hello', { retries: 2, onRetry: (_, __, delayMs) => delays.push(delayMs) }));
      assert.equal(error.code, status.UNAVAILABLE);
      assert.equal(delays.length, 2);
      assert.ok(delays[0]! >= 125 && delays[0]! <= 250 && delays[1]! >= 250 && delays[1]! <= 500, String(delays));
      assert.ok(Date.now() - started >= delays[0]! + delays[1]!, 'it waited between tries');
    } finally {
      unreachable.close();
    }
  });

  it('never retries a request that is wrong, nor past the turn\'s deadline', async () => {
    let retries = 0;
    const missing = await failureOf(streamTurnWithRetries(client, 'hello', { conversationId: 'conv_nope', retries: 3, onRetry: () => retries++ }));
    assert.equal(missing.code, status.NOT_FOUND);
    assert.equal(retries, 0);

    // The RetryInfo's 1 s wait would end past a 600 ms deadline: the ABORTED is the answer at once.
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
    const { during: busy } = await duringTurn(client, { conversationId: first.conversationId }, () =>
      failureOf(streamTurnWithRetries(client, 'again', { conversationId: first.conversationId, retries: 3, deadlineMs: 600, onRetry: () => retries++ })),
    );
    assert.equal((await busy).code, status.ABORTED);
    assert.equal(retries, 0);
  });

  it('chat retries a turn on a busy conversation, saying why, and the turn then runs', async () => {
    // Busy for a few seconds: longer than the CLI takes to start and send its first try.
    const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
    const busy = await keepConversationBusy(client, first.conversationId, 30);
    const result = await runCli(['chat', '--retries', '20', '--conversation', first.conversationId, 'His blood pressure is 150/95.'], shared.mesh.clientEnv);
    await busy.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /↻ ABORTED: a turn is already running on conversation "conv_[0-9a-f-]+"; retry when it has finished — trying again in 1\.0 s \(1 of 20\)/);
    assert.match(result.stderr, /· turn \d+ · end_turn/);
    const none = await runCli(['chat', '--retries', '0', '--conversation', 'conv_nope', 'hi'], shared.mesh.clientEnv);
    assert.equal(none.code, 1);
    assert.doesNotMatch(none.stderr, /↻/);
    // How to try the failed turn again without running it twice.
    assert.match(none.stderr, /request id: ([0-9a-f-]{36}) \(to try this turn again, run at most once: the same message with --request-id \1\)/);
    const bad = await runCli(['chat', '--retries', '-1', 'hi'], shared.mesh.clientEnv);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--retries must be a whole number ≥ 0, got "-1"/);
  });
});
