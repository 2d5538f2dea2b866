// The Python caller (generated stubs, Debian's grpcio) streams turns, and its spans and the mesh's
// share one trace: its python_client_turn spans are the parents of the mesh's server spans.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import { keepConversationBusy } from '../helpers/busy-conversation.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, nameOf, nearestAncestorNamed, serviceNames, waitForSpans } from '../helpers/trace-rows.js';

const run = promisify(execFile);
const chat = fileURLToPath(new URL('../../clients/python/chat.py', import.meta.url));

describe('Python caller', function () {
  this.timeout(120_000);
  let shared: SharedMesh;

  before(async () => {
    shared = await sharedMesh();
  });

  it('streams two turns and joins the mesh in one trace', async () => {
    const { stdout, stderr } = await run(
      '/usr/bin/python3',
      [chat, "A 45-year-old female, 5'4\", 180 lbs, with fatigue and thirst.", 'Her blood pressure today is 150/95.'],
      { env: { ...process.env, ...shared.mesh.clientEnv }, timeout: 90_000 },
    );
    assert.match(stdout, /## Assessment/);
    assert.match(stderr, /✓ calculate_clinical_metrics/);
    // The second turn reads the first from the prompt cache.
    assert.match(stderr, /turn 1 · STOP_REASON_END_TURN · \d+ in \(\d+ from the prompt cache\) \/ \d+ out tokens · trace/);
    const traceId = /trace: ([0-9a-f]{32})/.exec(stderr)?.[1];
    assert.ok(traceId, stderr);
    const reported = [...stderr.matchAll(/· trace ([0-9a-f]{32})/g)].map((m) => m[1]);
    assert.equal(reported.length, 2);
    assert.ok(reported.every((root) => root === traceId), 'the mesh reported the caller\'s trace for every turn');

    const rows = await waitForSpans(traceId, { python_client_turn: 2, server_process_turn: 2, calculate_clinical_metrics: 2 });
    assert.ok(rows.every((row) => row.root_span_id === traceId));
    const roots = rows.filter((row) => !row.span_parents?.length);
    assert.deepEqual(roots.map(nameOf), ['python_client_conversation'], 'one root: the Python conversation span');
    const services = serviceNames(rows);
    for (const service of ['tracemesh-python-client', 'conversation', 'toolworker']) assert.ok(services.has(service), `spans from ${service}`);
    for (const turn of named(rows, 'server_process_turn')) {
      assert.equal(nameOf(nearestAncestorNamed(rows, turn, ['python_client_turn']) ?? {}), 'python_client_turn');
    }
  });

  it('prints the google.rpc details of a failed turn, not only its status', async () => {
    const failure = await run('/usr/bin/python3', [chat, '--conversation', 'conv_no_such_conversation', 'Hello?'], {
      env: { ...process.env, ...shared.mesh.clientEnv }, timeout: 90_000,
    }).then(() => assert.fail('chat.py should have failed'), (error: { code: number; stderr: string }) => error);
    assert.equal(failure.code, 1);
    assert.match(failure.stderr, /^ERROR NOT_FOUND: conversation "conv_no_such_conversation" does not exist/m);
    const detail = /^ {2}1\) (\{.*\})$/m.exec(failure.stderr)?.[1];
    assert.ok(detail, failure.stderr);
    assert.deepEqual(
      { ...(JSON.parse(detail) as Record<string, unknown>), description: undefined },
      { '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceType: 'conversation', resourceName: 'conv_no_such_conversation', description: undefined },
    );
    const empty = await run('/usr/bin/python3', [chat, ''], { env: { ...process.env, ...shared.mesh.clientEnv }, timeout: 90_000 })
      .then(() => assert.fail('chat.py should have failed'), (error: { stderr: string }) => error);
    assert.match(empty.stderr, /^ {2}1\) \{"@type": "type\.googleapis\.com\/google\.rpc\.BadRequest", "fieldViolations": \[\{"field": "message", "description": "must not be empty"\}\]\}$/m);
  });

  it('tries a turn on a busy conversation again with the same request_id, saying why, until it runs', async () => {
    const client = createConversationClient(shared.mesh.conversationTarget);
    try {
      const first = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg.');
      const busy = await keepConversationBusy(client, first.conversationId, 20);
      const { stderr } = await run('/usr/bin/python3', [chat, '--retries', '20', '--conversation', first.conversationId, 'His blood pressure is 150/95.'], {
        env: { ...process.env, ...shared.mesh.clientEnv }, timeout: 90_000,
      });
      await busy.done;
      assert.match(stderr, /↻ ABORTED: a turn is already running on conversation "conv_[0-9a-f-]+"; retry when it has finished — trying again in 1\.0 s \(1 of 20\)/);
      assert.match(stderr, /— conversation conv_[0-9a-f-]+ · turn \d+ · STOP_REASON_END_TURN/);
    } finally {
      client.close();
    }
  });

  it('finds the mesh by its ports alone, and leaves the message out of its span when PHI is redacted', async () => {
    const { CONVERSATION_TARGET: target = '', TRACESTORE_URL: store = '', ...rest } = { ...process.env, ...shared.mesh.clientEnv };
    const env = { ...rest, CONVERSATION_PORT: target.split(':').at(-1) ?? '', TRACESTORE_PORT: new URL(store).port, TRACEMESH_REDACT_PHI: 'yes' };
    const message = 'Patient Maria Gonzalez, 45, 165 cm, 70 kg.';
    const { stderr } = await run('/usr/bin/python3', [chat, message], { env, timeout: 90_000 });
    const traceId = /trace: ([0-9a-f]{32})/.exec(stderr)?.[1];
    assert.ok(traceId, stderr);
    const rows = await waitForSpans(traceId, { python_client_turn: 1, server_process_turn: 1 });
    const turn = JSON.stringify(named(rows, 'python_client_turn')[0]);
    assert.match(turn, /"tracemesh\.message":"\[REDACTED\]"/);
    assert.ok(!turn.includes('Gonzalez'), turn);
  });
});
