// What a failed span says, read back from the local trace store. A gRPC status other than INTERNAL
// or UNKNOWN is an expected answer: its span says "NOT_FOUND: …" with metadata.error_code and no
// Node stack, and the caller gets the error unchanged. A bug (a plain Error, INTERNAL) keeps its
// stack: that is where to look. Spans of this test process (traced into the shared mesh's trace
// store), of the conversation service (a turn whose deadline passes), and of the tool worker's
// handler run here (its tool spans keep the tool's own stack for a tool's bug).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import type { ExecuteToolResponse } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import type { SpanRow } from '../../clients/node/trace-reader.js';
import { grpcError, invalidArgument, notFound } from '../../lib/grpc/errors.js';
import { traced, tracedUnder } from '../../lib/tracing/spans.js';
import { ToolRegistry } from '../../services/toolworker/tool-registry.js';
import { createToolWorkerHandlers } from '../../services/toolworker/toolworker-service.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';

const STACK_LINE = /^ {4}at /m;

const errorCodeOf = (row: SpanRow | undefined): unknown => (row?.metadata as Record<string, unknown> | undefined)?.error_code;

/** Whatever `work` throws (it must throw). */
async function thrownBy(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return assert.fail('it should have thrown');
}

describe('span errors (read back from the local trace store)', function () {
  this.timeout(60_000);
  let shared: SharedMesh;

  before(async () => {
    shared = await sharedMesh();
  });

  /** The stored spans of the trace rooted at a span of this process, once `expected` are there. */
  async function storedTrace(rootSpanId: string, expected: Record<string, number>): Promise<SpanRow[]> {
    await shared.tracing.flush();
    return waitForSpans(rootSpanId, expected);
  }

  it('traced(): an expected status thrown by an async callback is "NOT_FOUND: …" with error_code and no stack; the caller gets the same error', async () => {
    const missing = notFound('conversation', 'conv_gone', 'no conversation "conv_gone"');
    let rootSpanId = '';
    const thrown = await thrownBy(() =>
      traced({ name: 'span_errors_not_found' }, async (span) => {
        rootSpanId = span.rootSpanId;
        await Promise.resolve();
        throw missing;
      }),
    );
    assert.equal(thrown, missing, 'rethrown unchanged');
    const row = named(await storedTrace(rootSpanId, { span_errors_not_found: 1 }), 'span_errors_not_found')[0];
    assert.equal(row?.error, 'NOT_FOUND: no conversation "conv_gone"');
    assert.equal(errorCodeOf(row), 'NOT_FOUND');
  });

  it('tracedUnder(): a plain-value callback that throws INVALID_ARGUMENT, nested two deep: each span says "INVALID_ARGUMENT: …"', async () => {
    const invalid = invalidArgument([{ field: 'weight', description: 'must be > 0' }], 'weight must be > 0');
    let rootSpanId = '';
    const thrown = await thrownBy(() =>
      traced({ name: 'span_errors_outer' }, (outer) => {
        rootSpanId = outer.rootSpanId;
        // A synchronous callback: it throws rather than returning a rejected promise.
        return tracedUnder(outer, { name: 'span_errors_inner' }, (): number => {
          throw invalid;
        });
      }),
    );
    assert.equal(thrown, invalid);
    const rows = await storedTrace(rootSpanId, { span_errors_outer: 1, span_errors_inner: 1 });
    for (const name of ['span_errors_outer', 'span_errors_inner']) {
      const row = named(rows, name)[0];
      assert.equal(row?.error, 'INVALID_ARGUMENT: weight must be > 0', name);
      assert.equal(errorCodeOf(row), 'INVALID_ARGUMENT', name);
    }
  });

  it('a bug keeps its stack: a plain Error and an INTERNAL status are recorded as the SDK does, message then stack', async () => {
    const crash = new Error('the tool crashed');
    const internal = grpcError(status.INTERNAL, 'an invariant broke');
    let rootSpanId = '';
    await traced({ name: 'span_errors_bugs' }, async (root) => {
      rootSpanId = root.rootSpanId;
      assert.equal(await thrownBy(() => tracedUnder(root, { name: 'span_errors_plain' }, async () => Promise.reject(crash))), crash);
      assert.equal(await thrownBy(() => tracedUnder(root, { name: 'span_errors_internal' }, () => { throw internal; })), internal);
    });
    const rows = await storedTrace(rootSpanId, { span_errors_plain: 1, span_errors_internal: 1 });
    const plain = String(named(rows, 'span_errors_plain')[0]?.error ?? '');
    assert.ok(plain.startsWith('the tool crashed\n\nError: the tool crashed\n'), plain);
    assert.match(plain, STACK_LINE);
    const bug = String(named(rows, 'span_errors_internal')[0]?.error ?? '');
    assert.ok(bug.startsWith('an invariant broke\n\nError: an invariant broke\n'), bug);
    assert.match(bug, STACK_LINE);
    assert.equal(named(rows, 'span_errors_bugs')[0]?.error ?? undefined, undefined, 'the callback that caught them did not fail');
  });

  it('the conversation service: a turn whose deadline passes leaves "DEADLINE_EXCEEDED: …" on server_process_turn, without a stack', async () => {
    const client = createConversationClient(shared.mesh.conversationTarget);
    let rootSpanId = '';
    const error = (await thrownBy(() =>
      streamTurn(client, SEED_QUERY, {
        deadlineMs: 150,
        onEvent: (event) => {
          rootSpanId ||= event.turnStarted?.trace?.rootSpanId ?? '';
        },
      }),
    )) as ServiceError;
    client.close();
    assert.equal(error.code, status.DEADLINE_EXCEEDED);
    assert.ok(rootSpanId, 'the turn had started');
    const turn = named(await storedTrace(rootSpanId, { server_process_turn: 1 }), 'server_process_turn')[0];
    assert.equal(turn?.error, "DEADLINE_EXCEEDED: the caller's deadline passed");
    assert.equal(errorCodeOf(turn), 'DEADLINE_EXCEEDED');
  });

  it("the tool worker's tool spans: a status as \"CODE: …\" without a stack, a tool's bug as INTERNAL with the tool's own stack", async () => {
    const registry = new ToolRegistry();
    const failingTool = (name: string, failure: () => unknown) =>
      registry.register({
        name,
        description: 'fails',
        inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 0 } } },
        execute: () => {
          throw failure();
        },
      });
    failingTool('span_errors_tool_not_found', () => notFound('patient', 'p1', 'no patient p1'));
    failingTool('span_errors_tool_unknown', () => grpcError(status.UNKNOWN, 'the lab service failed'));
    failingTool('span_errors_tool_crash', () => new Error('tool bug'));
    const handlers = createToolWorkerHandlers(registry, pino({ level: 'silent' }));
    const execute = (toolName: string, args: Record<string, number>) =>
      new Promise<ExecuteToolResponse>((resolve, reject) => {
        const call = Object.assign(new EventEmitter(), {
          // As grpc-js hands a Struct to a handler: `kind` on every value.
          request: { toolName, toolCallId: 'toolu_span_errors', arguments: { fields: Object.fromEntries(Object.entries(args).map(([key, n]) => [key, { kind: 'numberValue', numberValue: n }])) } },
          getDeadline: () => Infinity,
        });
        handlers.ExecuteTool(call as never, (failure, response) => (failure ? reject(failure) : resolve(response as ExecuteToolResponse)));
      });

    let rootSpanId = '';
    const codes = await traced({ name: 'span_errors_worker' }, async (root) => {
      rootSpanId = root.rootSpanId;
      const codeOf = async (toolName: string, args: Record<string, number>) => ((await thrownBy(() => execute(toolName, args))) as ServiceError).code;
      return [
        await codeOf('span_errors_tool_not_found', {}),
        await codeOf('span_errors_tool_unknown', {}),
        await codeOf('span_errors_tool_crash', {}),
        await codeOf('span_errors_tool_crash', { n: -1 }),
      ];
    });
    assert.deepEqual(codes, [status.NOT_FOUND, status.UNKNOWN, status.INTERNAL, status.INVALID_ARGUMENT]);

    const rows = await storedTrace(rootSpanId, { span_errors_tool_not_found: 1, span_errors_tool_unknown: 1, span_errors_tool_crash: 2 });
    const notFoundRow = named(rows, 'span_errors_tool_not_found')[0];
    assert.equal(notFoundRow?.error, 'NOT_FOUND: no patient p1');
    assert.equal(errorCodeOf(notFoundRow), 'NOT_FOUND');
    const unknownRow = named(rows, 'span_errors_tool_unknown')[0];
    assert.equal(unknownRow?.error, 'UNKNOWN: the lab service failed');
    assert.equal(errorCodeOf(unknownRow), 'UNKNOWN');
    const crashes = named(rows, 'span_errors_tool_crash').map((row) => ({ error: String(row.error ?? ''), code: errorCodeOf(row) }));
    const invalid = crashes.find((crash) => crash.code === 'INVALID_ARGUMENT');
    assert.equal(invalid?.error, 'INVALID_ARGUMENT: span_errors_tool_crash: n must be >= 0');
    const bug = crashes.find((crash) => crash.code === 'INTERNAL');
    assert.ok(bug, JSON.stringify(crashes));
    assert.ok(bug.error.startsWith('INTERNAL: span_errors_tool_crash failed: tool bug\n\nError: tool bug\n'), bug.error);
    assert.match(bug.error, STACK_LINE);
    assert.doesNotMatch(bug.error, /errors\.ts/, "the tool's stack, not that of the status made from it");
  });
});
