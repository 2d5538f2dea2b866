// Health follows the service's real state (NOT_SERVING until its workers answer, NOT_SERVING while
// shutting down), and SIGTERM drains: in-flight turns finish, new calls are refused, the process
// exits; a second signal forces.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import { openConverse, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { findFreePort } from '../../lib/process/free-port.js';
import { startService, stopProcess, type ServiceProcess } from '../../lib/process/mesh-launcher.js';
import { checkHealth, healthClient, waitForHealth } from '../../lib/grpc/health-client.js';

describe('health and graceful shutdown', function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-lifecycle-'));
  const logDir = join(dataDir, 'logs');
  const started: ServiceProcess[] = [];
  let workerPort = 0;

  const start = async (name: 'conversation' | 'toolworker', env: Record<string, string>): Promise<ServiceProcess> => {
    const service = await startService(
      name,
      { ...process.env, TRACEMESH_DATA_DIR: dataDir, TRACEMESH_TRACING: 'off', LOG_LEVEL: 'debug', ...env },
      'file',
      logDir,
      30_000,
    );
    started.push(service);
    return service;
  };

  before(async () => {
    (await import('node:fs')).mkdirSync(logDir, { recursive: true });
    workerPort = await findFreePort();
  });
  after(async () => {
    for (const service of started.reverse()) await stopProcess(service.child);
  });

  it('reports NOT_SERVING until the workers answer, then SERVING', async () => {
    const conversation = await start('conversation', { CONVERSATION_PORT: '0', TOOLWORKER_TARGET: `127.0.0.1:${workerPort}` });
    const health = healthClient(conversation.ready.address);
    const seen: string[] = [];
    const watch = health.Watch({ service: '' });
    watch.on('data', (update: { status: string }) => seen.push(update.status));
    watch.on('error', () => undefined);
    assert.equal(await checkHealth(health), 'NOT_SERVING');
    assert.equal(await checkHealth(health, 'tracemesh.conversation.v1.ConversationService'), 'NOT_SERVING');

    await start('toolworker', { TOOLWORKER_PORT: String(workerPort) });
    assert.equal(await waitForHealth(health, 'SERVING'), 'SERVING');
    await delay(100);
    assert.deepEqual(seen.slice(0, 1), ['NOT_SERVING']);
    assert.equal(seen.at(-1), 'SERVING', `Watch saw ${seen.join(' → ')}`);
    watch.cancel();
    health.close();
    await stopProcess(conversation.child);
  });

  it('on SIGTERM: NOT_SERVING, new calls refused, the in-flight turn finishes, then exit 0', async () => {
    const conversation = await start('conversation', {
      CONVERSATION_PORT: '0',
      TOOLWORKER_TARGET: `127.0.0.1:${workerPort}`,
      OFFLINE_MODEL_DELTA_DELAY_MS: '8',
    });
    const health = healthClient(conversation.ready.address);
    assert.equal(await waitForHealth(health, 'SERVING'), 'SERVING');
    const statuses: string[] = [];
    const watch = health.Watch({ service: '' });
    watch.on('data', (update: { status: string }) => statuses.push(update.status));
    watch.on('error', () => undefined);

    const client: ConversationServiceClient = new ConversationClient(conversation.ready.address, credentials.createInsecure());
    const events: StreamChatResponse__Output[] = [];
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => conversation.child.once('exit', (code) => resolve(code)));
    // A Converse session open (idle) when the drain begins.
    const session = openConverse(client, { deadlineMs: 60_000 });
    const inFlight = streamTurn(client, SEED_QUERY, {
      onEvent: (event) => {
        events.push(event);
        if (!signalled && event.textDelta?.iteration === 1) {
          signalled = true;
          conversation.child.kill('SIGTERM');
        }
      },
    });
    const result = await inFlight;
    assert.ok(signalled, 'the signal arrived mid-turn');
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN', 'the in-flight turn finished');
    assert.ok(statuses.includes('NOT_SERVING'), `health went NOT_SERVING while draining (${statuses.join(' → ')})`);

    const refused = await streamTurn(client, 'hello', { deadlineMs: 3_000 }).then(
      () => 'accepted',
      (error: ServiceError) => status[error.code],
    );
    assert.notEqual(refused, 'accepted', 'no new turn starts while shutting down');
    // The open session's next message ends the stream (UNAVAILABLE): its caller reconnects to another
    // replica at once, instead of each message failing in a stream held until the drain's end.
    session.call.write({ message: 'hello again' });
    const ended = await session.done.then(() => 'ended without an error', (error: ServiceError) => `${status[error.code]}: ${error.details}`);
    assert.match(ended, /^UNAVAILABLE: /);
    assert.deepEqual(session.failures, []);
    assert.equal(await exited, 0);
    watch.cancel();
    client.close();
    health.close();
  });

  it('a second signal forces the exit at once', async () => {
    const conversation = await start('conversation', {
      CONVERSATION_PORT: '0',
      TOOLWORKER_TARGET: `127.0.0.1:${workerPort}`,
      OFFLINE_MODEL_DELTA_DELAY_MS: '50',
      TRACEMESH_SHUTDOWN_GRACE_MS: '60000',
    });
    const client: ConversationServiceClient = new ConversationClient(conversation.ready.address, credentials.createInsecure());
    const health = healthClient(conversation.ready.address);
    assert.equal(await waitForHealth(health, 'SERVING'), 'SERVING');
    health.close();
    const exited = new Promise<number | null>((resolve) => conversation.child.once('exit', (code) => resolve(code)));
    let signalledAt = 0;
    const turn = streamTurn(client, SEED_QUERY, {
      metadata: new Metadata(),
      onEvent: (event) => {
        if (!signalledAt && event.textDelta) {
          signalledAt = Date.now();
          conversation.child.kill('SIGTERM');
          setTimeout(() => conversation.child.kill('SIGTERM'), 200);
        }
      },
    }).then(
      () => 'completed',
      (error: ServiceError) => status[error.code],
    );
    assert.equal(await exited, 1, 'forced exit code');
    assert.ok(Date.now() - signalledAt < 5_000, 'it did not wait for the 60 s grace period');
    assert.notEqual(await turn, 'completed');
    client.close();
  });
});
