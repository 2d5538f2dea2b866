// Property-based fuzzing of both services with fast-check: thousands of generated requests and
// metadata (trace headers included) against real processes. Properties: every call ends with an
// expected status code within its deadline (no UNKNOWN = no uncaught exception, no hang), and the
// services are still healthy and useful afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { ToolWorkerServiceClient } from '../../gen/ts/tracemesh/toolworker/v1/ToolWorkerService.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { toStruct } from '../../lib/grpc/struct.js';
import type { JsonObject } from '../../lib/json.js';
import { ConversationServiceClient as ConversationClient, ToolWorkerServiceClient as WorkerClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

const DEADLINE_MS = 15_000;
const counts = { cases: 0, byCode: new Map<string, number>() };

function record(code: number): void {
  counts.cases++;
  const name = status[code] ?? String(code);
  counts.byCode.set(name, (counts.byCode.get(name) ?? 0) + 1);
}

function outcome<T>(invoke: (done: (error: ServiceError | null, value?: T) => void) => void): Promise<number> {
  return new Promise((resolve) => invoke((error) => resolve(error ? error.code : status.OK)));
}

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_=:;,./ ABCDEF'.split('')), maxLength: 300 });
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: length, maxLength: length });

const traceHeaderValue = fc.oneof(
  printable,
  fc.tuple(hex(32), hex(16)).map(([t, s]) => `00-${t}-${s}-01`),
  fc.tuple(hex(32), hex(16)).map(([t, s]) => `ff-${t}-${s}-zz`),
  fc.constant('00-00000000000000000000000000000000-0000000000000000-01'),
  fc.base64String({ maxLength: 600 }),
);

const metadataArbitrary = fc
  .array(fc.tuple(fc.constantFrom('x-bt-parent-span', 'traceparent', 'tracestate', 'baggage', 'x-custom', 'grpc-timeout-ish'), traceHeaderValue), { maxLength: 5 })
  .map((entries) => {
    const metadata = new Metadata();
    for (const [key, value] of entries) metadata.add(key, value);
    return metadata;
  });

const jsonValue: fc.Arbitrary<JsonObject[string]> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -1000, max: 1000 }),
    printable,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(printable, tie('value'), { maxKeys: 4 }),
  ),
})).value as fc.Arbitrary<JsonObject[string]>;

const clinicalArgs = fc.record(
  {
    height: fc.oneof(fc.double({ min: -10, max: 400, noNaN: true }), fc.integer({ min: 40, max: 90 })),
    height_unit: fc.constantFrom('in', 'cm', 'furlong'),
    weight: fc.oneof(fc.double({ min: -10, max: 1000, noNaN: true }), fc.integer({ min: 80, max: 300 })),
    weight_unit: fc.constantFrom('lb', 'kg'),
    age: fc.integer({ min: -5, max: 140 }),
    sex: fc.constantFrom('female', 'male', 'other'),
    systolic_bp: fc.integer({ min: 0, max: 400 }),
    diastolic_bp: fc.integer({ min: 0, max: 300 }),
    serum_creatinine: fc.double({ min: -1, max: 30, noNaN: true }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonObject>;

describe('fuzzing both services (fast-check)', function () {
  this.timeout(300_000);
  let mesh: RunningMesh;
  let conversation: ConversationServiceClient;
  let worker: ToolWorkerServiceClient;
  let existingConversation = '';

  before(async () => {
    mesh = await startMesh({
      dataDir: mkdtempSync(join(tmpdir(), 'tracemesh-fuzz-')),
      env: { OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_MAX_TURNS: '5' },
    });
    conversation = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
    worker = new WorkerClient(mesh.toolworkerTarget, credentials.createInsecure());
    existingConversation = (await streamTurn(conversation, 'A 30-year-old man, 170 cm, 70 kg.')).conversationId;
  });

  after(async () => {
    conversation?.close();
    worker?.close();
    await mesh?.stop();
    const summary = [...counts.byCode.entries()].map(([code, n]) => `${code}=${n}`).join(' ');
    console.log(`      fuzz: ${counts.cases} calls (${summary})`);
  });

  it('ExecuteTool: arbitrary tool names and arguments give OK, INVALID_ARGUMENT or NOT_FOUND', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('calculate_clinical_metrics'), printable),
        fc.oneof(clinicalArgs, fc.dictionary(printable, jsonValue, { maxKeys: 6 })),
        metadataArbitrary,
        async (toolName, args, metadata) => {
          const code = await outcome((done) =>
            worker.ExecuteTool({ toolName, arguments: toStruct(args), toolCallId: 'fuzz' }, metadata, { deadline: Date.now() + DEADLINE_MS }, done),
          );
          record(code);
          assert.ok([status.OK, status.INVALID_ARGUMENT, status.NOT_FOUND].includes(code), `${toolName} ${JSON.stringify(args)} → ${status[code]}`);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('GetConversation and Chat: arbitrary ids, messages, options and trace headers give only expected codes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(''), fc.constant(existingConversation), printable, fc.string({ maxLength: 200 })),
        metadataArbitrary,
        async (conversationId, metadata) => {
          const code = await outcome((done) => conversation.GetConversation({ conversationId }, metadata, { deadline: Date.now() + DEADLINE_MS }, done));
          record(code);
          assert.ok([status.OK, status.INVALID_ARGUMENT, status.NOT_FOUND].includes(code), `GetConversation(${JSON.stringify(conversationId)}) → ${status[code]}`);
        },
      ),
      { numRuns: 500 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(''), fc.constant(existingConversation), printable),
        fc.oneof(printable, fc.constant('   '), fc.constant('x'.repeat(40_000)), fc.constant("A 45-year-old woman, 5'4\", 180 lbs, thirsty.")),
        fc.record({ model: fc.oneof(fc.constant(''), printable), maxIterations: fc.integer({ min: 0, max: 40 }), maxTokens: fc.integer({ min: 1, max: 64 }) }),
        metadataArbitrary,
        async (conversationId, message, options, metadata) => {
          const code = await outcome((done) =>
            conversation.Chat({ conversationId, message, options }, metadata, { deadline: Date.now() + DEADLINE_MS }, done),
          );
          record(code);
          assert.ok(
            [status.OK, status.INVALID_ARGUMENT, status.NOT_FOUND, status.RESOURCE_EXHAUSTED].includes(code),
            `Chat(${JSON.stringify({ conversationId, message: message.slice(0, 40), options })}) → ${status[code]}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('undecodable request bytes are rejected cleanly on every method', async () => {
    const raw = new Client(mesh.conversationTarget, credentials.createInsecure());
    const rawWorker = new Client(mesh.toolworkerTarget, credentials.createInsecure());
    const identity = (bytes: Buffer): Buffer => bytes;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          [raw, '/tracemesh.conversation.v1.ConversationService/Chat'],
          [raw, '/tracemesh.conversation.v1.ConversationService/GetConversation'],
          [rawWorker, '/tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool'],
          [rawWorker, '/tracemesh.toolworker.v1.ToolWorkerService/ListTools'],
        ) as fc.Arbitrary<[Client, string]>,
        fc.uint8Array({ maxLength: 512 }),
        async ([client, path], bytes) => {
          const code = await outcome((done) =>
            client.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), new Metadata(), { deadline: Date.now() + DEADLINE_MS }, done),
          );
          record(code);
          assert.ok(![status.UNKNOWN, status.DEADLINE_EXCEEDED, status.UNAVAILABLE].includes(code), `${path} with ${bytes.length} random bytes → ${status[code]}`);
        },
      ),
      { numRuns: 400 },
    );
    raw.close();
    rawWorker.close();
  });

  it('leaves both services healthy and answering', async () => {
    const result = await streamTurn(conversation, "A 45-year-old female, 5'4\", 180 lbs, with fatigue.");
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(result.toolCalls[0]?.isError, false);
    for (const process of mesh.processes.values()) assert.equal(process.child.exitCode, null, `${process.name} is still running`);
  });
});
