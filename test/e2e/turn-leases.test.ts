// A conversation service that stops in the middle of a turn — shut down (SIGTERM past its grace
// period) or killed — must not leave that conversation refusing turns: each turn holds a lease on
// its conversation (turn-tracker.ts) that otherwise only runs out after a minute. The shutdown
// frees what its cancelled turns hold before closing the store; a service starting on the same
// host frees the leases of a process that is gone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials } from '@grpc/grpc-js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { ConversationServiceClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

const LONG_TOOL_CALL = 'Hold on. [[call diagnostics_sleep {"ms": 20000}]]';

describe('turn leases when the conversation service stops mid-turn', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-leases-'));
    mesh = await startMesh({
      dataDir,
      env: { OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off', TOOLWORKER_DIAGNOSTIC_TOOLS: '1', TRACEMESH_SHUTDOWN_GRACE_MS: '300' },
    });
  });
  after(async () => mesh?.stop());

  const connect = (): InstanceType<typeof ConversationServiceClient> =>
    new ConversationServiceClient(mesh.processes.get('conversation')?.ready.address ?? '', credentials.createInsecure());

  /** Starts a conversation, then a second turn on it that waits in a 20 s tool call; resolves once that call runs. */
  async function conversationMidTurn(): Promise<string> {
    const client = connect();
    const first = await streamTurn(client, 'A 60-year-old man, 170 cm, 95 kg.');
    let toolStarted!: () => void;
    const running = new Promise<void>((resolve) => (toolStarted = resolve));
    streamTurn(client, LONG_TOOL_CALL, { conversationId: first.conversationId, onEvent: (event) => event.toolCallStarted && toolStarted() })
      .catch(() => undefined)
      .finally(() => client.close());
    await running;
    await delay(200);
    return first.conversationId;
  }

  async function nextTurnRuns(conversationId: string): Promise<void> {
    const client = connect();
    try {
      const result = await streamTurn(client, 'Her blood pressure today is 150/95.', { conversationId });
      assert.equal(result.turnIndex, 1, 'the interrupted turn was not stored; this one follows the first');
    } finally {
      client.close();
    }
  }

  it('a graceful shutdown that cancels a running turn frees its conversation before closing the store', async () => {
    const conversationId = await conversationMidTurn();
    await mesh.restart('conversation');
    await nextTurnRuns(conversationId);
    const log = readFileSync(join(dataDir, 'logs', 'conversation.log'), 'utf8');
    assert.match(log, /turns still running after the grace period; cancelling them/);
    assert.doesNotMatch(log, /database connection is not open|could not free the conversation/);
  });

  it('a service started after one was killed mid-turn frees the conversation it held', async () => {
    const conversationId = await conversationMidTurn();
    mesh.processes.get('conversation')?.child.kill('SIGKILL');
    await mesh.restart('conversation');
    await nextTurnRuns(conversationId);
    assert.match(readFileSync(join(dataDir, 'logs', 'conversation.log'), 'utf8'), /"freed":1,.*freed conversations held by a process that ended mid-turn/);
  });
});
