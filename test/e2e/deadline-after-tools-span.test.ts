// A turn whose deadline passes during a model call after its tools ran (the model call that reads
// their results) leaves "DEADLINE_EXCEEDED: …" on server_process_turn, as one that passes anywhere
// else does — not a ModelCallAfterToolsError with the service's Node stack. The caller got the
// right status either way; the span is what a reader of the failed try's trace sees. (The shared
// span-errors test hits this only when its 150 ms happen to end in the second model call.)
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { startFaultyModelServer, type FaultyModelServer } from '../helpers/faulty-model-server.js';
import { suiteMesh } from '../helpers/suite-mesh.js';
import { localTraceBackend, named, waitForSpans } from '../helpers/trace-rows.js';

describe('a deadline that passes in the model call after the tools', function () {
  this.timeout(120_000);
  let model: FaultyModelServer;
  before(async () => {
    model = await startFaultyModelServer(0);
  });
  after(async () => {
    await model?.close();
  });
  // ANTHROPIC_BASE_URL is read when the mesh starts, after the before() above.
  const env: Record<string, string> = {};
  before(() => {
    env.ANTHROPIC_BASE_URL = model.url;
  });
  const suite = suiteMesh('deadline-after-tools', env);

  it('is "DEADLINE_EXCEEDED: …" on server_process_turn, without a stack', async () => {
    // The first model call answers (with tool calls); the second, which gets their results, never does.
    model.script(['ok', 'no-answer']);
    let rootSpanId = '';
    let toolsFinished = 0;
    const error = await streamTurn(suite.client(), SEED_QUERY, {
      deadlineMs: 3_000,
      onEvent: (event) => {
        rootSpanId ||= event.turnStarted?.trace?.rootSpanId ?? '';
        if (event.toolCallFinished) toolsFinished++;
      },
    }).then(
      () => assert.fail('the turn should fail'),
      (failure: ServiceError) => failure,
    );
    assert.equal(error.code, status.DEADLINE_EXCEEDED, error.details);
    assert.ok(toolsFinished > 0, 'the tools ran before the deadline passed');
    assert.equal(model.requests(), 2, 'the deadline passed in the second model call');
    const backend = localTraceBackend(suite.mesh().tracestoreUrl ?? assert.fail('no trace store'));
    const rows = await waitForSpans(rootSpanId, { server_process_turn: 1 }, 20_000, backend);
    const turn = named(rows, 'server_process_turn')[0];
    assert.equal(turn?.error, "DEADLINE_EXCEEDED: the caller's deadline passed");
    assert.equal((turn?.metadata as Record<string, unknown> | undefined)?.error_code, 'DEADLINE_EXCEEDED');
  });
});
