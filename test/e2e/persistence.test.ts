// Conversations live in the embedded database, not in memory: restarting the conversation service
// (even killing it) keeps every conversation, and the next turn continues the history.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

describe('conversations survive restarts', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;

  before(async () => {
    mesh = await startMesh({ dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-restart-')), env: { OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' } });
  });
  after(async () => mesh?.stop());

  it('keeps every conversation across a graceful restart and a SIGKILL', async () => {
    const connect = () => new ConversationServiceClient(mesh.processes.get('conversation')?.ready.address ?? '', credentials.createInsecure());
    let client = connect();
    const first = await streamTurn(client, SEED_QUERY);
    const other = await streamTurn(client, 'A 60-year-old man, 170 cm, 95 kg.');
    client.close();

    await mesh.restart('conversation');
    client = connect();
    const afterRestart = await getConversation(client, first.conversationId);
    assert.equal(afterRestart.conversation?.turns.length, 1);
    assert.equal(afterRestart.conversation?.turns[0]?.result?.text, first.text, 'the stored answer is intact');
    assert.equal((await getConversation(client, other.conversationId)).conversation?.turns.length, 1);

    const second = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId: first.conversationId, onEvent: () => undefined });
    assert.equal(second.turnIndex, 1);
    const call = second.toolCalls.find((c) => c.toolName === 'calculate_clinical_metrics');
    assert.equal(fromStruct(call?.arguments).weight, 180, 'the restarted service still knows the first turn');
    client.close();

    mesh.processes.get('conversation')?.child.kill('SIGKILL');
    await mesh.restart('conversation');
    client = connect();
    assert.equal((await getConversation(client, first.conversationId)).conversation?.turns.length, 2, 'a completed turn survives a crash');
    client.close();
  });
});
