// Two conversation replicas sharing one PostgreSQL: any replica serves any turn of any
// conversation, and two turns of one conversation never run at once, whichever replicas get them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import { deleteConversation, getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { startService, stopProcess, type ServiceProcess } from '../../lib/process/mesh-launcher.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { duringTurn } from '../helpers/busy-conversation.js';
import { failureOf } from '../helpers/call-failure.js';
import { assertNewestFirstOnce, listAll } from './conversation-listing.js';

describe('conversation replicas on one PostgreSQL', function () {
  this.timeout(120_000);
  let postgres: TestPostgres;
  const processes: ServiceProcess[] = [];
  const clients: ConversationServiceClient[] = [];

  before(async () => {
    postgres = await startPostgres();
    const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-replicas-'));
    const logDir = join(dataDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const env = { ...process.env, TRACEMESH_DATA_DIR: dataDir, TRACEMESH_TRACING: 'off', OFFLINE_MODEL_DELTA_DELAY_MS: '2' };
    const worker = await startService('toolworker', { ...env, TOOLWORKER_PORT: '0' }, 'file', logDir, 30_000);
    processes.push(worker);
    for (const replica of ['a', 'b']) {
      const conversation = await startService(
        'conversation',
        { ...env, CONVERSATION_PORT: '0', TOOLWORKER_TARGET: worker.ready.address, DATABASE_URL: postgres.url, CONVERSATION_DB: join(dataDir, `unused-${replica}.db`) },
        'file',
        logDir,
        30_000,
      );
      processes.push(conversation);
      clients.push(new ConversationClient(conversation.ready.address, credentials.createInsecure()));
    }
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const service of processes.reverse()) await stopProcess(service.child);
    postgres?.stop();
  });

  it('alternates one conversation\'s turns between the two replicas', async () => {
    const [a, b] = clients as [ConversationServiceClient, ConversationServiceClient];
    const first = await streamTurn(a, SEED_QUERY);
    const second = await streamTurn(b, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId });
    assert.equal(second.turnIndex, 1);
    const metrics = second.toolCalls.find((call) => call.toolName === 'calculate_clinical_metrics');
    assert.equal(fromStruct(metrics?.arguments).weight, 180, 'replica b saw the history replica a wrote');
    const third = await streamTurn(a, 'Her creatinine is 1.0 mg/dL.', { conversationId: first.conversationId });
    assert.equal(third.turnIndex, 2);
    for (const client of [a, b]) {
      const stored = await getConversation(client, first.conversationId);
      assert.deepEqual(stored.conversation?.turns.map((t) => t.result?.turnIndex), [0, 1, 2]);
    }
  });

  it('refuses a concurrent turn of the same conversation on the other replica', async () => {
    const [a, b] = clients as [ConversationServiceClient, ConversationServiceClient];
    const start = await streamTurn(a, 'A 50-year-old man, 180 cm, 90 kg.');
    let sent = false;
    let conflict: ServiceError | undefined;
    const running = streamTurn(a, SEED_QUERY, {
      conversationId: start.conversationId,
      onEvent: (event) => {
        if (!sent && event.textDelta) {
          sent = true;
          void streamTurn(b, 'And his blood pressure is 130/85.', { conversationId: start.conversationId }).catch((error: ServiceError) => (conflict = error));
        }
      },
    });
    const finished = await running;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(conflict?.code, status.ABORTED, 'the other replica saw the lease');
    assert.equal(finished.turnIndex, 1);
    const next = await streamTurn(b, 'And his blood pressure is 130/85.', { conversationId: start.conversationId });
    assert.equal(next.turnIndex, 2, 'once the turn ended, the other replica takes the next one');
  });

  it('lists conversations page by page across both replicas, each once, newest first, though new ones are made between pages', async () => {
    const [a, b] = clients as [ConversationServiceClient, ConversationServiceClient];
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await streamTurn(i % 2 === 0 ? a : b, `Note ${i}: thanks. Anything else to add?`)).conversationId);
    const during: string[] = [];
    const listed = await listAll([a, b], 2, async (pageIndex) => {
      if (pageIndex < 3) during.push((await streamTurn(pageIndex % 2 === 0 ? b : a, 'Thanks. Anything else to add?')).conversationId);
    });
    assertNewestFirstOnce(listed);
    const ids = listed.map((c) => c.conversationId);
    assert.deepEqual(ids.filter((id) => mine.includes(id)), [...mine].reverse(), 'the microsecond page cursor neither skips nor repeats');
    assert.deepEqual(ids.filter((id) => during.includes(id)), []);
    assert.equal(listed.find((c) => c.conversationId === mine[0])?.firstUserMessage, 'Note 0: thanks. Anything else to add?');
  });

  it('refuses to delete a conversation whose turn runs on the other replica (ABORTED), then deletes it for both', async () => {
    const [a, b] = clients as [ConversationServiceClient, ConversationServiceClient];
    const start = await streamTurn(a, 'A 50-year-old man, 180 cm, 90 kg.');
    const { finished, during: refused } = await duringTurn(a, { conversationId: start.conversationId }, () => failureOf(deleteConversation(b, start.conversationId)));
    const error = await refused;
    assert.equal(error.code, status.ABORTED, 'the other replica saw the lease');
    assert.equal(decodeErrorDetails(error).errorInfo?.reason, 'TURN_IN_PROGRESS');
    assert.equal(decodeErrorDetails(error).retryDelayMs, 1000);
    assert.equal(finished.turnIndex, 1);
    assert.equal((await getConversation(b, start.conversationId)).conversation?.turns.length, 2, 'the turn was stored');
    await deleteConversation(b, start.conversationId);
    for (const client of [a, b]) assert.equal((await failureOf(getConversation(client, start.conversationId))).code, status.NOT_FOUND);
    assert.equal((await failureOf(deleteConversation(a, start.conversationId))).code, status.NOT_FOUND);
    assert.equal((await listAll([a], 500)).some((c) => c.conversationId === start.conversationId), false);
  });
});
