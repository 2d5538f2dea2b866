// An independent reflection client (Python grpcio + protobuf from Debian, no generated tracemesh
// code) lists, describes and calls both services from the descriptors they serve — what grpcurl
// does, and what grpcurl-like clients reject when descriptors are incomplete.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
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

/** Runs reflect.py with `input` on its stdin; `stopAfter` lines of stdout, it closes the pipe (as `| head`). */
function pythonPiped(args: string[], input: string, stopAfter?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [reflect, ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stopAfter !== undefined && stdout.split('\n').length > stopAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

interface DetailedStatus { code: number; message: string; details?: Array<Record<string, unknown> & { '@type': string }> }

/** The details reflect.py lists after "ERROR <CODE>: <message>", one JSON object a line. */
function listedDetails(stderr: string): Array<Record<string, unknown>> {
  return [...stderr.matchAll(/^ {2}\d+\) (\{.*\})$/gm)].map((m) => JSON.parse(m[1] ?? '{}') as Record<string, unknown>);
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
      assert.deepEqual(conversation.methods.map((m) => m.name), ['Chat', 'StreamChat', 'Converse', 'GetConversation', 'ListTurns', 'ListConversations', 'DeleteConversation']);
      for (const message of ['tracemesh.conversation.v1.TurnResult', 'tracemesh.conversation.v1.ToolCall', 'tracemesh.conversation.v1.ConversationSummary', 'google.protobuf.Struct', 'google.protobuf.Timestamp', 'google.protobuf.Empty']) {
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
    assert.match(invalid, /^ERROR INVALID_ARGUMENT: .*weight/);
    // The google.rpc details follow, decoded, as grpcurl lists them.
    assert.deepEqual(listedDetails(invalid), [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'weight', description: 'must be > 0' }] },
    ]);
    const unknown = await pythonFailure(
      '--target', shared.mesh.toolworkerTarget, 'call', 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool',
      JSON.stringify({ tool_name: 'no_such_tool', arguments: {} }),
    );
    assert.match(unknown, /^ERROR NOT_FOUND: /);
    const [resource] = listedDetails(unknown);
    assert.equal(resource?.['@type'], 'type.googleapis.com/google.rpc.ResourceInfo');
    assert.deepEqual([resource?.resourceType, resource?.resourceName], ['tool', 'no_such_tool']);
    // --format-error: the whole status as one JSON object, as grpcurl -format-error prints it.
    const status = JSON.parse(await pythonFailure(
      '--target', shared.mesh.conversationTarget, '--format-error', 'call', 'tracemesh.conversation.v1.ConversationService/GetConversation',
      JSON.stringify({ conversation_id: 'conv_no_such_conversation' }),
    )) as DetailedStatus;
    assert.equal(status.code, 5);
    assert.deepEqual(status.details?.map((d) => [d['@type'], d.resourceName]), [['type.googleapis.com/google.rpc.ResourceInfo', 'conv_no_such_conversation']]);
  });

  for (const version of ['v1', 'v1alpha']) {
    it(`serves the google.rpc error detail types over ${version}, as grpcurl needs to decode error details`, async () => {
      const target = ['--target', shared.mesh.toolworkerTarget, '--reflection', version, 'describe'];
      const badRequest = JSON.parse(await python(...target, 'google.rpc.BadRequest')) as { fields: Array<{ name: string; type: string; label?: string }> };
      assert.deepEqual(badRequest.fields.map((f) => [f.name, f.type, f.label]), [['field_violations', 'google.rpc.BadRequest.FieldViolation', 'repeated']]);
      const errorInfo = JSON.parse(await python(...target, 'google.rpc.ErrorInfo')) as { fields: Array<{ name: string; type: string }> };
      assert.deepEqual(errorInfo.fields.map((f) => `${f.type} ${f.name}`), ['string reason', 'string domain', 'map<string, string> metadata']);
      for (const symbol of ['google.rpc.ResourceInfo', 'google.rpc.Status']) {
        assert.equal((JSON.parse(await python(...target, symbol)) as { name: string }).name, symbol);
      }
    });
  }

  it('describes messages (types, labels, oneofs, comments), enums and methods', async () => {
    const target = ['--target', shared.mesh.conversationTarget, 'describe'];
    interface FieldOut { name: string; json_name: string; number: number; type: string; label?: string; oneof?: string; comment?: string }
    const event = JSON.parse(await python(...target, 'tracemesh.conversation.v1.ConverseResponse')) as {
      kind: string; comment: string; fields: FieldOut[]; oneofs: Array<{ name: string; fields: string[]; comment: string }>;
    };
    assert.equal(event.kind, 'message');
    assert.match(event.comment, /one event of a turn on a Converse stream/);
    assert.deepEqual(event.fields[0], {
      name: 'turn_started', json_name: 'turnStarted', number: 1, type: 'tracemesh.conversation.v1.TurnStarted', oneof: 'event',
      comment: 'First event of every turn: which conversation and trace it belongs to.',
    });
    assert.deepEqual(event.oneofs.map((o) => [o.name, o.fields.length, o.comment]), [['event', 6, 'The event; exactly one is set.']]);
    const result = JSON.parse(await python('--target', shared.mesh.toolworkerTarget, 'describe', 'tracemesh.toolworker.v1.ExecuteToolResponse')) as { fields: FieldOut[] };
    const byName = new Map(result.fields.map((f) => [f.name, f]));
    assert.deepEqual([byName.get('scores')?.type, byName.get('scores')?.label], ['map<string, double>', 'map']);
    assert.equal(byName.get('result')?.type, 'google.protobuf.Struct');
    assert.equal(byName.get('duration_ms')?.type, 'double');
    const turn = JSON.parse(await python(...target, 'tracemesh.conversation.v1.TurnResult')) as { fields: FieldOut[] };
    assert.deepEqual(turn.fields.find((f) => f.name === 'tool_calls')?.label, 'repeated');

    const stopReason = JSON.parse(await python(...target, 'tracemesh.conversation.v1.StopReason')) as { kind: string; values: Array<{ name: string; number: number }> };
    assert.equal(stopReason.kind, 'enum');
    assert.deepEqual(stopReason.values.slice(0, 2).map((v) => [v.name, v.number]), [['STOP_REASON_UNSPECIFIED', 0], ['STOP_REASON_END_TURN', 1]]);

    // grpcurl's method syntax, pkg.Service.Method.
    const converse = JSON.parse(await python(...target, 'tracemesh.conversation.v1.ConversationService.Converse')) as Record<string, unknown>;
    assert.equal(converse.signature, 'rpc Converse(stream tracemesh.conversation.v1.ConverseRequest) returns (stream tracemesh.conversation.v1.ConverseResponse)');
    assert.deepEqual([converse.kind, converse.client_streaming, converse.server_streaming], ['method', true, true]);
    assert.match(String(converse.comment), /^Converse runs many turns/);
  });

  it('drives the bidirectional Converse with a stream of JSON requests on stdin, or one per argument', async () => {
    const args = ['--target', shared.mesh.conversationTarget, 'call', 'tracemesh.conversation.v1.ConversationService/Converse'];
    // One per line, one spread over lines, and an invalid one (empty message) in between.
    const input = '{"message": "A 50-year-old man, 180 cm, 90 kg: BMI?"}\n{"message": ""}\n{\n  "message": "Thanks. And his ideal body weight?"\n}\n';
    const { code, stdout, stderr } = await pythonPiped([...args, '@'], input);
    assert.equal(code, 0, stderr);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, { result?: { conversationId: string; turnIndex?: number }; conversationId?: string; code?: number }>);
    const ends = events.filter((e) => e.turnCompleted ?? e.turnFailed);
    assert.deepEqual(ends.map((e) => (e.turnCompleted ? 'completed' : `failed ${e.turnFailed?.code}`)), ['completed', 'failed 3', 'completed']);
    const ids = new Set(events.flatMap((e) => [e.turnCompleted?.result?.conversationId, e.turnStarted?.conversationId]).filter(Boolean));
    assert.equal(ids.size, 1, 'one conversation');
    assert.equal(ends[2]?.turnCompleted?.result?.turnIndex, 1);

    const fromArgs = await python(...args, '{"message": "A 50-year-old man, 180 cm, 90 kg: BMI?"}', '{"message": "Thanks."}');
    assert.equal(fromArgs.trim().split('\n').filter((line) => line.includes('"turnCompleted"')).length, 2);
    assert.equal(await usageError(...args, '{"message": "hi"}', '{"mesage": "x"}'), 'reflect.py: request 2: unknown field "mesage" in tracemesh.conversation.v1.ConverseRequest (fields: conversationId, message, options, requestId)');
    assert.match(await usageError('--target', shared.mesh.conversationTarget, 'call', 'tracemesh.conversation.v1.ConversationService/Chat', '{}', '{}'), /Chat takes one request message, got 2/);
  });

  it('exits quietly when its reader goes away (reflect.py call … | head)', async () => {
    const { code, stdout, stderr } = await pythonPiped(
      ['--target', shared.mesh.conversationTarget, 'call', 'tracemesh.conversation.v1.ConversationService/StreamChat', JSON.stringify({ message: 'A 45-year-old woman, 64 in tall, 180 lb, with fatigue: what should I check?' })],
      '', 1,
    );
    assert.match(stdout, /turnStarted/);
    assert.doesNotMatch(stderr, /Traceback|BrokenPipe/);
    assert.equal(code, 0);
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
    assert.deepEqual(listedDetails(stderr).map((d) => d.reason), ['TOKEN_MISSING']);
  });

  it('shows the ErrorInfo of a refused token', async () => {
    const { code, stderr } = await pythonExit('--target', suite.mesh().conversationTarget, '-H', 'authorization: Bearer wrong', 'list');
    assert.equal(code, 2);
    assert.match(stderr, /^ERROR UNAUTHENTICATED: the bearer token is not valid\n/);
    const [info] = listedDetails(stderr);
    assert.deepEqual([info?.['@type'], info?.reason], ['type.googleapis.com/google.rpc.ErrorInfo', 'TOKEN_INVALID']);
  });
});
