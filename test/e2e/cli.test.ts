// The `tracemesh` CLI as a user runs it: separate processes, real terminal output.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConversationClient, getConversation, streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { initExperiment } from 'braintrust';
import { tracingConfig } from '../../lib/config.js';
import { startService } from '../../lib/process/mesh-launcher.js';
import { cliEntry, runCli, type CliResult } from '../helpers/run-cli.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';

const cli = cliEntry;
const tracemesh = (args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<CliResult> => runCli(args, env, timeout);

/** Starts the CLI with all three standard streams as pipes (so stdin is not a terminal). */
function spawnCli(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: 'pipe', timeout: 60_000 });
}

/** What the process printed on stderr, and its exit status, once it has exited. */
function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('tracemesh CLI', function () {
  this.timeout(120_000);
  let shared: SharedMesh;

  before(async () => {
    shared = await sharedMesh();
  });

  it('chat streams two turns of one conversation, then trace prints their tree', async () => {
    const env = shared.mesh.clientEnv;
    const chat = await tracemesh(['chat', "A 45-year-old female patient, 5'4\", 180 lbs, with fatigue.", 'Her blood pressure today is 150/95.'], env);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stdout, /## Assessment/);
    assert.match(chat.stdout, /Stage 2 hypertension/i, 'the second turn used the blood pressure');
    assert.match(chat.stderr, /✓ calculate_clinical_metrics/);
    assert.match(chat.stderr, /turn 1 · end_turn · \d+ model calls · \d+ in \(\d+ from the prompt cache\) \/ \d+ out tokens/);
    assert.doesNotMatch(chat.stderr, /warning/, 'its spans reached the trace store');
    const rootSpanId = /trace: tracemesh trace ([0-9a-f]{32})/.exec(chat.stderr)?.[1];
    assert.ok(rootSpanId, 'chat prints the trace command');

    const trace = await tracemesh(['trace', rootSpanId, '--wait', '15'], env);
    assert.equal(trace.code, 0, trace.stderr);
    const lines = trace.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^client_conversation \[task\]/);
    assert.equal(lines.filter((l) => l.includes('client_turn')).length, 2);
    assert.equal(lines.filter((l) => /calculate_clinical_metrics \[tool\]/.test(l)).length, 2);
    assert.ok(lines.some((l) => /health_risk=0\.\d\d/.test(l)), 'scores are shown');
    assert.ok(lines.some((l) => /claude_messages_create \[llm\] .* \d+ tokens \(\d+ cached\)$/.test(l)), 'prompt-cache reads are shown');

    const json = await tracemesh(['trace', rootSpanId, '--json'], env);
    const rows = JSON.parse(json.stdout) as Array<{ root_span_id: string }>;
    assert.ok(rows.length >= lines.length - 1);
    assert.ok(rows.every((row) => row.root_span_id === rootSpanId));
  });

  it('chat with empty input runs no turn and says nothing: no trace to open, no tracing warning', async () => {
    const chat = spawnCli(['chat'], { ...shared.mesh.clientEnv, TRACESTORE_URL: 'http://127.0.0.1:1' });
    const exited = exitOf(chat);
    chat.stdin.end();
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /trace:|warning/, stderr);
  });

  it('chat makes every piped stdin line a turn, in order, and separates the answers with a blank line', async () => {
    const chat = spawnCli(['chat'], shared.mesh.clientEnv);
    let stdout = '';
    chat.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = exitOf(chat);
    // All three lines arrive at once, before the first turn has even started (a script, or typing ahead).
    chat.stdin.end('hi\nhello\nthird\n');
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
    const footers = [...stderr.matchAll(/— conversation (\S+) · turn (\d+) · end_turn/g)];
    assert.deepEqual(footers.map((footer) => footer[2]), ['0', '1', '2'], stderr);
    const conversationId = footers[0]?.[1] ?? '';
    assert.ok(footers.every((footer) => footer[1] === conversationId), 'one conversation');
    assert.doesNotMatch(stderr, /you>/, 'no prompt when stdin is not a terminal');
    const client = createConversationClient(shared.mesh.conversationTarget);
    try {
      const stored = await getConversation(client, conversationId);
      assert.deepEqual(stored.conversation?.turns.map((turn) => turn.userMessage), ['hi', 'hello', 'third']);
    } finally {
      client.close();
    }
    // Each answer is one paragraph: a blank line between turns, none before the first or after the last…
    assert.match(stdout, /^[^\n]+\n\n[^\n]+\n\n[^\n]+\n$/, JSON.stringify(stdout));
    // …and a single turn prints just its answer, as before.
    const single = await tracemesh(['chat', 'hi'], shared.mesh.clientEnv);
    assert.equal(single.code, 0, single.stderr);
    assert.match(single.stdout, /^[^\n]+\n$/, JSON.stringify(single.stdout));
  });

  it('chat exits 0 without a word when its stdout reader goes away (| head -1), cancelling the turn', async () => {
    // A conversation with one stored turn, continued by the CLI whose output nobody reads after the first chunk.
    const client = createConversationClient(shared.mesh.conversationTarget);
    try {
      const { conversationId } = await streamTurn(client, 'hi');
      const chat = spawnCli(['chat', '--conversation', conversationId, SEED_QUERY], shared.mesh.clientEnv);
      const exited = exitOf(chat);
      chat.stdout.once('data', () => chat.stdout.destroy());
      const { code, stderr } = await exited;
      assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error'|\n\s+at /, 'no error, no stack trace');
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /· turn 1 ·/, 'the turn did not run to its end');
      assert.doesNotMatch(stderr, /CANCELLED/, 'the cancellation is not reported as a failure');
      await delay(500); // time enough for a turn left running to complete and be stored
      const stored = await getConversation(client, conversationId);
      assert.equal(stored.conversation?.turns.length, 1, 'the cancelled turn was not stored: its call was cancelled');
    } finally {
      client.close();
    }
  });

  it('reads configuration from a .env file (flags win over it); chat --json prints events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracemesh-dotenv-'));
    writeFileSync(join(dir, '.env'), `CONVERSATION_TARGET=${shared.mesh.conversationTarget}\nTRACESTORE_URL=${shared.mesh.tracestoreUrl ?? ''}\n`);
    const { CONVERSATION_TARGET: _target, TRACESTORE_URL: _store, ...inherited } = process.env;
    const env = { ...inherited, NO_COLOR: '1' };
    // Run from the .env's directory, with tsx given by path (the working directory has no node_modules).
    const tsx = pathToFileURL(join(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url)))).href;
    const fromFile = spawnSync(process.execPath, ['--import', tsx, cli, 'chat', '--json', 'A 40-year-old man, 175 cm, 80 kg: BMI?'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const events = fromFile.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event?: string });
    assert.equal(events[0]?.event, 'turnStarted');
    assert.equal(events.at(-1)?.event, 'turnCompleted');
    const overridden = spawnSync(process.execPath, ['--import', tsx, cli, 'chat', '--target', '127.0.0.1:1', '--deadline', '3', 'hello'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(overridden.status, 1, 'the flag wins over the .env file');
    assert.match(overridden.stderr, /UNAVAILABLE|DEADLINE_EXCEEDED/);
  });

  it('chat exits non-zero with the status and its details when a turn fails', async () => {
    const result = await tracemesh(['chat', '--conversation', 'conv_nope', 'hello'], shared.mesh.clientEnv);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /NOT_FOUND: conversation "conv_nope" does not exist/);
    assert.doesNotMatch(result.stderr, /go on with/, 'no advice to continue a conversation that does not exist');

    // A turn that started and then failed: the conversation exists, and chat says how to go on with it.
    // The deadline must pass after the turn started: on a loaded machine 0.15 s can pass before the
    // call is even sent, so a longer one is tried then.
    let late = { code: 0 as number | null, stderr: '' };
    for (const deadline of ['0.15', '0.4', '1']) {
      late = await tracemesh(['chat', '--deadline', deadline, SEED_QUERY], shared.mesh.clientEnv);
      if (/conversation: conv_/.test(late.stderr)) break;
    }
    assert.equal(late.code, 1, late.stderr);
    assert.match(late.stderr, /DEADLINE_EXCEEDED/);
    const id = /conversation: (conv_[0-9a-f-]+) \(go on with: tracemesh chat --conversation \1\)/.exec(late.stderr)?.[1];
    assert.ok(id, late.stderr);
    const client = createConversationClient(shared.mesh.conversationTarget);
    try {
      assert.equal((await getConversation(client, id)).conversation?.conversationId, id, 'a conversation that exists');
    } finally {
      client.close();
    }
  });

  it('chat --request-id: the same id again prints the stored answer, marked replayed, and runs no second turn; conversations show has the one turn', async () => {
    const requestId = `cli-${Date.now()}`;
    const first = await tracemesh(['chat', '--request-id', requestId, SEED_QUERY], shared.mesh.clientEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /✓ calculate_clinical_metrics/);
    const again = await tracemesh(['chat', '--request-id', requestId, SEED_QUERY], shared.mesh.clientEnv);
    assert.equal(again.code, 0, again.stderr);
    // The stored result's text: the final answer, without the note before the tool calls.
    assert.match(again.stdout, /^## Assessment/);
    assert.ok(first.stdout.endsWith(again.stdout), 'the same answer');
    assert.doesNotMatch(again.stderr, /calculate_clinical_metrics/, 'no tool ran again');
    assert.match(again.stderr, /turn 0 · .* · replayed: the stored answer of the earlier try/);
    // `conversations show` reads the conversation back: the one turn, run once.
    const conversationId = /conversation (conv_[0-9a-f-]+) · turn 0/.exec(again.stderr)?.[1];
    assert.ok(conversationId, again.stderr);
    const shown = await tracemesh(['conversations', 'show', conversationId], shared.mesh.clientEnv);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout.match(/^── turn /gm)?.length, 1);
    assert.match(shown.stdout, /^── turn 0 · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · end_turn · calculate_clinical_metrics, .* · trace [0-9a-f]{32}$/m);
    assert.ok(shown.stdout.includes(`you> ${SEED_QUERY}`));
    assert.ok(shown.stdout.trimEnd().endsWith(again.stdout.trimEnd()), 'the stored answer');
    const missing = await tracemesh(['conversations', 'show', 'conv_nope'], shared.mesh.clientEnv);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND: conversation "conv_nope" does not exist/);
    const twoMessages = await tracemesh(['chat', '--request-id', requestId, 'one', 'two'], shared.mesh.clientEnv);
    assert.equal(twoMessages.code, 1);
    assert.match(twoMessages.stderr, /--request-id names one turn/);
  });

  it('conversations list shows stored conversations newest first; conversations delete removes one for good', async () => {
    const client = createConversationClient(shared.mesh.conversationTarget);
    let older: string;
    let newer: string;
    try {
      older = (await streamTurn(client, 'A 33-year-old man, 175 cm, 70 kg: anything to check?')).conversationId;
      newer = (await streamTurn(client, 'A 41-year-old woman, 160 cm, 58 kg: anything to check?')).conversationId;
    } finally {
      client.close();
    }
    const listed = await tracemesh(['conversations', 'list', '--limit', '2'], shared.mesh.clientEnv);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^updated \(UTC\)\s+conversation\s+turns\s+first message$/);
    assert.equal(lines.length, 3, listed.stdout);
    assert.match(lines[1] ?? '', new RegExp(`${newer}\\s+1\\s+A 41-year-old woman`), 'the newest first, with its turn count and first message');
    assert.match(lines[2] ?? '', new RegExp(`${older}\\s+1\\s+A 33-year-old man`));

    const deleted = await tracemesh(['conversations', 'delete', older, 'conv_nope'], shared.mesh.clientEnv);
    assert.equal(deleted.code, 1, 'one of the two did not exist');
    assert.equal(deleted.stdout, `deleted ${older}\n`);
    assert.match(deleted.stderr, /conversations delete conv_nope: NOT_FOUND: conversation "conv_nope" does not exist/);
    const json = await tracemesh(['conversations', 'list', '--all', '--json'], shared.mesh.clientEnv);
    assert.equal(json.code, 0, json.stderr);
    const ids = json.stdout.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { conversationId: string }).conversationId);
    assert.ok(ids.includes(newer) && !ids.includes(older), `the deleted one is no longer listed, the other is: ${ids.join(', ')}`);
  });

  it('chat says why its spans did not reach a trace store that wants a token it lacks, and what to check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracemesh-token-store-'));
    const store = await startService('tracestore', { ...process.env, TRACEMESH_DATA_DIR: dir, TRACESTORE_PORT: '0', TRACESTORE_TOKEN: 'only-the-store-knows' }, 'file', dir, 30_000);
    try {
      const { TRACESTORE_TOKEN: _token, ...env } = shared.mesh.clientEnv;
      const result = await tracemesh(['chat', 'hello'], { ...env, TRACESTORE_URL: store.ready.address });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /warning: the trace backend did not take this run's spans: .*Unauthorized.* \(check TRACESTORE_TOKEN, or BRAINTRUST_API_KEY\)/);
    } finally {
      store.child.kill('SIGTERM');
    }
  });

  it('rejects bad numbers in options with a one-line message and exit code 1', async () => {
    for (const [args, message] of [
      [['up', '--workers', '0'], /--workers must be a whole number from 1 to 32, got "0"/],
      [['chat', '--deadline', 'abc', 'hi'], /--deadline must be a positive number, got "abc"/],
      [['trace', '0af7651916cd43dd8448eb211c80319c', '--wait', '-1'], /--wait must be a number ≥ 0, got "-1"/],
    ] as const) {
      const result = await tracemesh([...args]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('demo with a bad setting says which service could not start and why, and exits 1', async () => {
    const result = await tracemesh(['demo'], { TRACEMESH_MODEL_IDLE_TIMEOUT_MS: 'abc' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tracemesh: conversation exited before it was ready/m);
    assert.match(result.stderr, /TRACEMESH_MODEL_IDLE_TIMEOUT_MS must be a positive integer, got "abc"/, 'the service\'s own words come along');
  });

  it('query, trace, dataset and eval name the trace store they could not reach and the setting to change', async () => {
    // A port nothing listens on (one just freed): the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const env = { ...shared.mesh.clientEnv, TRACESTORE_URL: `http://127.0.0.1:${port}` };
    for (const [args, command] of [
      [['query', 'recent'], 'query'],
      [['query', 'btql', 'SELECT * FROM project_logs'], 'query btql'],
      [['trace', '0af7651916cd43dd8448eb211c80319c'], 'trace'],
      [['dataset', 'recent'], 'dataset'],
    ] as const) {
      const result = await tracemesh([...args], env);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(
        result.stderr,
        new RegExp(`^tracemesh ${command}: could not reach the trace backend at http://127\\.0\\.0\\.1:${port}: fetch failed \\(.*ECONNREFUSED.*\\); is the trace store running \\(tracemesh up\\)\\? Its address is TRACESTORE_URL \\(or TRACESTORE_PORT\\)$`, 'm'),
        `${args.join(' ')}: ${result.stderr}`,
      );
    }
    // eval says it the same way (exit 2: the eval could not run at all).
    const evaluation = await tracemesh(['eval', '--dataset', 'Anything'], env);
    assert.equal(evaluation.code, 2, evaluation.stderr);
    assert.match(evaluation.stderr, new RegExp(`^tracemesh eval: could not reach the trace backend at http://127\\.0\\.0\\.1:${port}: fetch failed \\(.*ECONNREFUSED.*\\); is the trace store running`, 'm'));
  });

  it("trace finds an eval case's trace with --experiment, and says where to look without it", async () => {
    const experimentName = `cli trace ${Date.now()}`;
    const config = tracingConfig();
    const experiment = initExperiment(config.projectName, { experiment: experimentName, apiKey: config.apiKey, appUrl: config.appUrl });
    // The SDK's OTel bridge prints a console.debug line for a span opened under an experiment.
    const debug = console.debug;
    console.debug = () => undefined;
    let rootSpanId: string;
    try {
      rootSpanId = experiment.traced((span) => {
        span.log({ input: { patient_query: 'a case' }, output: 'an answer', scores: { length_score: 1 } });
        return span.rootSpanId;
      }, { name: 'eval', type: 'eval' });
    } finally {
      console.debug = debug;
    }
    await experiment.flush();
    const env = shared.mesh.clientEnv;
    const inLogs = await tracemesh(['trace', rootSpanId], env);
    assert.equal(inLogs.code, 1);
    assert.match(inLogs.stderr, new RegExp(`^no spans found for trace ${rootSpanId} in the logs of project "tracemesh" \\(an eval case's trace is in its experiment: tracemesh trace ${rootSpanId} --experiment <name>\\)$`, 'm'));
    const found = await tracemesh(['trace', rootSpanId, '--experiment', experimentName], env);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /^eval \[eval\] .*length_score=1\.00/);
    const unknown = await tracemesh(['trace', rootSpanId, '--experiment', 'no such experiment'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^tracemesh trace: project "tracemesh" has no experiment named "no such experiment"$/m);
  });

  it('trace rejects something that is not a trace id', async () => {
    const result = await tracemesh(['trace', "x' OR 1=1 --"], shared.mesh.clientEnv);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /is not a trace id/);
  });

  it('up starts the three services as processes and stops them all on Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-up-'));
    const up = spawn(process.execPath, ['--import', 'tsx', cli, 'up', '--quiet', '--data-dir', dataDir], {
      env: { ...process.env, CONVERSATION_PORT: '0', TOOLWORKER_PORT: '0', TRACESTORE_PORT: '0', CHROMA_PORT: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    up.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    for (let waited = 0; !output.includes('ready') && waited < 30_000; waited += 100) await delay(100);
    assert.match(output, /ready/, output);
    const target = /conversation\s+(\S+)/.exec(output)?.[1] ?? '';
    const store = /tracestore\s+(\S+)/.exec(output)?.[1] ?? '';
    const chat = await tracemesh(['chat', 'A 40-year-old man, 175 cm, 80 kg: BMI?'], { CONVERSATION_TARGET: target, TRACESTORE_URL: store });
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stdout, /BMI 26\.1/);

    up.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(output, /stopping/);
    // Nothing listens any more: new connections to all three services are refused.
    const worker = /toolworker\s+(\S+)/.exec(output)?.[1] ?? '';
    for (const address of [target, worker, store.replace('http://', '')]) {
      const [host, port] = address.split(':');
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host, port: Number(port) });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      assert.ok(refused, `${address} stopped listening`);
    }
  });

  it('demo (npm start) boots its own mesh, streams the seed query and prints the whole trace', async () => {
    const demo = await tracemesh(['demo'], {}, 90_000);
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /## Assessment[\s\S]*## Recommendations[\s\S]*## Follow-up/);
    for (const name of ['client_conversation', 'client_turn', 'server_process_turn', 'claude_messages_create', 'worker_execute_tool', 'calculate_clinical_metrics']) {
      assert.match(demo.stdout, new RegExp(`${name} \\[`), `the trace shows ${name}:\n${demo.stdout}\n${demo.stderr}`);
    }
    assert.match(demo.stderr, /spans, one root_span_id, from 3 processes/);
  });
});
