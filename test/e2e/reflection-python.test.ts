// An independent reflection client (Python grpcio + protobuf from Debian, no generated tracemesh
// code) lists, describes and calls both services from the descriptors they serve — what grpcurl
// does, and what grpcurl-like clients reject when descriptors are incomplete.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { suiteMesh } from '../helpers/suite-mesh.js';

const run = promisify(execFile);
const reflect = fileURLToPath(new URL('../../clients/python/reflect.py', import.meta.url));

async function python(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [reflect, ...args], { timeout: 60_000 });
  return stdout;
}

async function pythonFailure(...args: string[]): Promise<string> {
  return (await pythonExit(...args)).stderr;
}

async function pythonExit(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run('/usr/bin/python3', [reflect, ...args], { timeout: 60_000 });
  } catch (error) {
    return error as { code: number; stderr: string };
  }
  return assert.fail('the call should have failed');
}

/** A user's mistake: one line naming it, exit status 2, no traceback. */
async function usageError(...args: string[]): Promise<string> {
  const { code, stderr } = await pythonExit(...args);
  assert.doesNotMatch(stderr, /Traceback/);
  assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
  assert.equal(code, 2);
  return stderr.trim();
}

describe('reflection, from an independent Python client', function () {
  this.timeout(120_000);
  let shared: SharedMesh;

  before(async () => {
    shared = await sharedMesh();
  });

  it('lists the services of both servers', async () => {
    const conversation = (await python('--target', shared.mesh.conversationTarget, 'list')).trim().split('\n');
    assert.deepEqual(conversation.sort(), [
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'tracemesh.conversation.v1.ConversationService',
    ]);
    const worker = (await python('--target', shared.mesh.toolworkerTarget, 'list')).trim().split('\n');
    assert.ok(worker.includes('tracemesh.toolworker.v1.ToolWorkerService'));
  });

  for (const version of ['v1', 'v1alpha']) {
    it(`resolves every message of both services over ${version}`, async () => {
      const conversation = JSON.parse(
        await python('--target', shared.mesh.conversationTarget, '--reflection', version, 'describe', 'tracemesh.conversation.v1.ConversationService'),
      ) as { methods: Array<{ name: string }>; messages: string[] };
      assert.deepEqual(conversation.methods.map((m) => m.name), ['Chat', 'StreamChat', 'Converse', 'GetConversation']);
      for (const message of ['tracemesh.conversation.v1.TurnResult', 'tracemesh.conversation.v1.ToolCall', 'google.protobuf.Struct', 'google.protobuf.Timestamp']) {
        assert.ok(conversation.messages.includes(message), `${message} resolved`);
      }
      const worker = JSON.parse(
        await python('--target', shared.mesh.toolworkerTarget, '--reflection', version, 'describe', 'tracemesh.toolworker.v1.ToolWorkerService'),
      ) as { messages: string[] };
      assert.ok(worker.messages.includes('tracemesh.toolworker.v1.ExecuteToolResponse.ScoresEntry'), 'map entries resolve');
    });
  }

  it('streams a chat turn from JSON, with a traceparent the mesh continues', async () => {
    const traceId = randomBytes(16).toString('hex');
    const output = await python(
      '--target', shared.mesh.conversationTarget,
      '-H', `traceparent: 00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'call', 'tracemesh.conversation.v1.ConversationService/StreamChat',
      JSON.stringify({ message: 'A 45-year-old woman, 64 in tall, 180 lb, with fatigue: what should I check?' }),
    );
    const events = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    assert.ok(events.filter((e) => e.textDelta).length > 5, 'text deltas arrive one per line');
    const completed = events.at(-1)?.turnCompleted?.result as { stopReason: string; trace: { rootSpanId: string }; toolCalls: unknown[] };
    assert.equal(completed.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(completed.trace.rootSpanId, traceId);
    assert.ok(completed.toolCalls.length >= 1);
  });

  it('reports health and tool errors as gRPC statuses', async () => {
    const health = JSON.parse(await python('--target', shared.mesh.conversationTarget, 'call', 'grpc.health.v1.Health/Check', '{}')) as { status: string };
    assert.equal(health.status, 'SERVING');
    const invalid = await pythonFailure(
      '--target', shared.mesh.toolworkerTarget, 'call', 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool',
      JSON.stringify({ tool_name: 'calculate_clinical_metrics', arguments: { height: 64, weight: -180 } }),
    );
    assert.match(invalid, /INVALID_ARGUMENT: .*weight/);
    const unknown = await pythonFailure(
      '--target', shared.mesh.toolworkerTarget, 'call', 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool',
      JSON.stringify({ tool_name: 'no_such_tool', arguments: {} }),
    );
    assert.match(unknown, /NOT_FOUND/);
  });

  it('reports mistakes in the request or the command in one line, without a traceback', async () => {
    const target = ['--target', shared.mesh.conversationTarget];
    const chat = [...target, 'call', 'tracemesh.conversation.v1.ConversationService/Chat'];
    assert.equal(await usageError(...chat, '{"message": 5}'), 'reflect.py: request field "message": expected string, got number');
    assert.match(await usageError(...chat, '{"mesage": "hello"}'), /^reflect\.py: unknown field "mesage" in tracemesh\.conversation\.v1\.ChatRequest\b/);
    assert.match(await usageError(...chat, '{"message": "hi", "options": {"maxTokens": 1.5}}'), /"options\.maxTokens": expected integer, got 1\.5/);
    assert.match(await usageError(...chat, '{"message": "hi",}'), /request is not valid JSON/);
    assert.match(await usageError(...target, 'call', 'tracemesh.conversation.v1.ConversationService/Chatt', '{}'), /no such method "Chatt"/);
    assert.match(await usageError(...target, 'call', 'tracemesh.conversation.v1.NoSuchService/Chat', '{}'), /no such service .*try: reflect\.py list/);
    assert.match(await usageError(...target, 'describe'), /usage: /);
  });
});

describe('reflection from the Python client, on a mesh that requires a bearer token', function () {
  this.timeout(120_000);
  const token = `reflect-${randomBytes(8).toString('hex')}`;
  const suite = suiteMesh('reflect-auth', { TRACEMESH_AUTH_TOKEN: token, OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' });
  const withToken = (): string[] => ['--target', suite.mesh().conversationTarget, '-H', `authorization: Bearer ${token}`];

  it('sends the -H metadata on the reflection lookups too: list and call work with the token', async () => {
    const services = (await python(...withToken(), 'list')).trim().split('\n');
    assert.ok(services.includes('tracemesh.conversation.v1.ConversationService'));
    const chat = JSON.parse(
      await python(...withToken(), 'call', 'tracemesh.conversation.v1.ConversationService/Chat', JSON.stringify({ message: 'A 50-year-old man, 180 cm, 90 kg: BMI?' })),
    ) as { result: { stopReason: string } };
    assert.equal(chat.result.stopReason, 'STOP_REASON_END_TURN');
    const health = JSON.parse(await python(...withToken(), 'call', 'grpc.health.v1.Health/Check')) as { status: string };
    assert.equal(health.status, 'SERVING');
  });

  it('says that reflection needs the token when it is missing', async () => {
    const { code, stderr } = await pythonExit('--target', suite.mesh().conversationTarget, 'call', 'grpc.health.v1.Health/Check', '{}');
    assert.equal(code, 2);
    assert.doesNotMatch(stderr, /Traceback/);
    assert.match(stderr, /^ERROR UNAUTHENTICATED: .*reflection needs the token.*-H 'authorization: Bearer <token>'/);
  });
});
