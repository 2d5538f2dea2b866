// Failed conversations and eval traffic in the queries, against the shared mesh: a conversation
// whose every turn failed keeps its patient query, counts its failed turns and carries an error on
// its root, and `query recent|search` list it with its status (and `--errors` only such ones); an
// eval run's live conversation (root metadata.source "eval", as clients/node/evals/eval-tasks.ts
// marks it) is left out of lists and tool statistics unless --include-evals, and the CLI says how
// many were left out. Also `query btql`, and low-scores for a score that was never logged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConversationClient } from '../../clients/node/conversation-client.js';
import { TraceAnalytics } from '../../clients/node/analytics/trace-analytics.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { withProjectId } from '../../clients/node/cli/commands/query.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { objectAt, stringAt } from '../../clients/node/span-fields.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';

interface Logged {
  rootSpanId: string;
  conversationId: string;
}

describe('failed conversations and eval traffic in the queries', function () {
  this.timeout(120_000);
  let shared: SharedMesh;
  // Lowercase letters only: PHI redaction leaves them alone.
  const marker = `tmfail${[...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;
  let notFound: Logged;
  let late: Logged;
  let evalRun: Logged;
  const evalTool = `no_such_tool_${marker}`;

  const tracemesh = (...args: string[]): Promise<CliResult> => runCli(args, shared.mesh.clientEnv);
  const ok = async (...args: string[]): Promise<CliResult> => {
    const result = await tracemesh(...args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };

  /** One traced conversation of these turns, finished whether or not they failed. */
  async function converse(messages: string[], options: { conversationId?: string; metadata?: Record<string, string>; deadlineMs?: number } = {}): Promise<Logged> {
    const client = createConversationClient(shared.mesh.conversationTarget);
    const conversation = new TracedConversation(client, { conversationId: options.conversationId, metadata: options.metadata });
    try {
      for (const message of messages) await conversation.turn(message, { deadlineMs: options.deadlineMs });
    } catch {
      // A failed turn ends the conversation, as in `tracemesh chat`.
    } finally {
      conversation.finish();
      client.close();
    }
    return { rootSpanId: conversation.rootSpanId, conversationId: conversation.id };
  }

  before(async () => {
    shared = await sharedMesh();
    // Fails at once, deterministically: the conversation does not exist.
    notFound = await converse([`Is ibuprofen safe with warfarin? (${marker})`], { conversationId: `conv_missing_${marker}` });
    // The walkthrough's case: the caller's deadline passes mid-turn.
    late = await converse([`${SEED_QUERY} (${marker} late)`], { deadlineMs: 150 });
    // As an eval run's live task marks its conversations.
    evalRun = await converse([`Eval case (${marker}): [[call ${evalTool} {"x": 1}]]`], { metadata: { source: 'eval', eval_experiment: `exp ${marker}` } });
    await shared.tracing.flush();
    for (const { rootSpanId } of [notFound, late, evalRun]) {
      const rows = await waitForSpans(rootSpanId, { client_conversation: 1 });
      assert.ok(named(rows, 'client_conversation').some((row) => objectAt(row, 'output')), 'the root has its output');
    }
    await waitForSpans(evalRun.rootSpanId, { worker_execute_tool: 1 });
  });

  it('the root of a conversation whose every turn failed keeps its query, counts the failed turn and has an error', async () => {
    const rows = await waitForSpans(notFound.rootSpanId, { client_conversation: 1 });
    const root = named(rows, 'client_conversation')[0]!;
    const query = `Is ibuprofen safe with warfarin? (${marker})`;
    assert.deepEqual(root.input, { patient_query: query });
    const output = objectAt(root, 'output');
    assert.deepEqual(
      { total: output?.total_turns, completed: output?.completed_turns, failed: output?.failed_turns, query: output?.patient_query, response: output?.final_response },
      { total: 1, completed: 0, failed: 1, query, response: '' },
    );
    assert.match(stringAt(output, 'last_error') ?? '', /^NOT_FOUND: conversation "conv_missing_tmfail[a-z]+" does not exist/);
    assert.match(String(root.error), /^NOT_FOUND: /);
  });

  it('recent, search and --errors list failed conversations with their status; search finds them by error text', async () => {
    const analytics = new TraceAnalytics();
    const found = await analytics.searchConversations(marker, { limit: 50, excludeSources: ['eval'] });
    const byRoot = new Map(found.map((c) => [c.rootSpanId, c]));
    for (const failed of [notFound, late]) {
      const summary = byRoot.get(failed.rootSpanId);
      assert.ok(summary, `found by its message: ${JSON.stringify(found)}`);
      assert.deepEqual([summary.totalTurns, summary.failedTurns], [0, 1]);
    }
    assert.match(byRoot.get(late.rootSpanId)!.error ?? '', /DEADLINE_EXCEEDED/);
    assert.ok(byRoot.get(late.rootSpanId)!.conversationId.startsWith('conv_'), 'the conversation id, from the service\'s turn if the client never learned it');
    assert.equal(new Set(found.map((c) => c.conversationId)).size, found.length, 'a failed conversation is listed once');

    const byError = await analytics.searchConversations(`conv_missing_${marker}`, { limit: 50 });
    assert.deepEqual(byError.map((c) => c.rootSpanId), [notFound.rootSpanId], 'found by its error text');

    const recent = await ok('query', 'recent', '--limit', '50');
    const [header, ...lines] = recent.stdout.trimEnd().split('\n');
    assert.match(header!, /^created \(UTC\) +conversation +turns +status +trace +patient query$/);
    const line = lines.find((l) => l.includes(notFound.rootSpanId));
    assert.ok(line, recent.stdout);
    // Every turn tried (1), the status with the error (cut to the column's width), the patient query.
    assert.match(line, /  1  failed: NOT_FOUND: conversation "conv_missing_\S+ +[0-9a-f]{32}  Is ibuprofen safe with warfarin\? \(tmfail/);

    const errorsOnly = JSON.parse((await ok('query', 'search', marker, '--errors', '--json')).stdout) as Array<{ rootSpanId: string; failedTurns: number }>;
    assert.deepEqual(errorsOnly.map((c) => c.rootSpanId).sort(), [notFound.rootSpanId, late.rootSpanId].sort());
    const recentErrors = JSON.parse((await ok('query', 'recent', '--errors', '--limit', '500', '--json')).stdout) as Array<{ rootSpanId: string; failedTurns: number }>;
    assert.ok(recentErrors.some((c) => c.rootSpanId === notFound.rootSpanId));
    assert.ok(recentErrors.every((c) => c.failedTurns > 0), 'only failed conversations');
  });

  it('eval conversations are left out of lists and tool statistics unless --include-evals, and the CLI says so', async () => {
    const search = await ok('query', 'search', marker, '--json');
    const ids = (JSON.parse(search.stdout) as Array<{ rootSpanId: string }>).map((c) => c.rootSpanId);
    assert.ok(!ids.includes(evalRun.rootSpanId), 'not listed by default');
    assert.match(search.stderr, /left out 1 eval conversation \(--include-evals lists them\)/);
    const included = await ok('query', 'search', marker, '--include-evals', '--json');
    assert.ok((JSON.parse(included.stdout) as Array<{ rootSpanId: string }>).some((c) => c.rootSpanId === evalRun.rootSpanId));
    assert.doesNotMatch(included.stderr, /left out/);

    const tools = await ok('query', 'tools', '--json');
    assert.ok(!(JSON.parse(tools.stdout) as Array<{ tool: string }>).some((s) => s.tool === evalTool), 'its tool call is not counted');
    assert.match(tools.stderr, /left out \d+ tool calls of eval runs' conversations/);
    const allTools = JSON.parse((await ok('query', 'tools', '--include-evals', '--json')).stdout) as Array<{ tool: string; calls: number }>;
    assert.equal(allTools.find((s) => s.tool === evalTool)?.calls, 1);
  });

  it('query btql fills in the project, prints a table or JSON, and shows the store\'s error with exit 1', async () => {
    const query = `SELECT span_attributes.name AS name, input.patient_query AS query FROM project_logs WHERE root_span_id = '${notFound.rootSpanId}' AND span_attributes.name = 'client_conversation'`;
    const table = await ok('query', 'btql', query);
    assert.deepEqual(table.stdout.trimEnd().split('\n'), ['name                 query', `client_conversation  Is ibuprofen safe with warfarin? (${marker})`]);
    const json = JSON.parse((await ok('query', 'btql', query.replace('FROM project_logs', 'FROM project_logs()'), '--json')).stdout) as unknown;
    assert.deepEqual(json, [{ name: 'client_conversation', query: `Is ibuprofen safe with warfarin? (${marker})` }]);
    const pipe = await ok('query', 'btql', `select: count(*) AS n | from: project_logs | filter: root_span_id = '${notFound.rootSpanId}'`, '--json');
    assert.ok(((JSON.parse(pipe.stdout) as Array<{ n: number }>)[0]?.n ?? 0) >= 2, 'the pipe form too');

    const bad = await tracemesh('query', 'btql', 'SELEC * FROM project_logs');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'tracemesh query btql: invalid query: expected SELECT but found "SELEC" (at line 1, column 1)\n');
  });

  it('withProjectId: project_logs and project_logs() get the id, quoted text and explicit ids stay', () => {
    assert.equal(withProjectId("SELECT * FROM project_logs WHERE input.q = 'project_logs'", 'p1'), "SELECT * FROM project_logs('p1') WHERE input.q = 'project_logs'");
    assert.equal(withProjectId('from: PROJECT_LOGS ( ) | limit: 1', 'p1'), "from: project_logs('p1') | limit: 1");
    assert.equal(withProjectId("SELECT * FROM project_logs('other')", 'p1'), "SELECT * FROM project_logs('other')");
    assert.equal(withProjectId("SELECT * FROM project_logs WHERE a = 'it''s project_logs'", 'p1'), "SELECT * FROM project_logs('p1') WHERE a = 'it''s project_logs'");
  });

  it('low-scores for a score that was never logged says so, with the known names, and exits 1', async () => {
    const result = await tracemesh('query', 'low-scores', `nosuchscore_${marker}`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^tracemesh query: no span in the project's logs has a score named "nosuchscore_${marker}" \\((scores logged: [a-z_]+(, [a-z0-9_]+)*|no scores are logged yet)\\)\\n$`));
    assert.equal(result.stdout, '');
  });
});
