// `tracemesh query …` and `tracemesh dataset …` as a user runs them: separate processes pointed at
// the shared mesh (its clientEnv), over the seeded conversations; tables by default, JSON with --json.
import assert from 'node:assert/strict';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { seededConversations, type SeededConversations } from './seeded-conversations.js';

describe('tracemesh query and dataset (CLI processes)', function () {
  this.timeout(180_000);
  let seed: SeededConversations;

  const tracemesh = (...args: string[]): Promise<CliResult> => runCli(args, seed.shared.mesh.clientEnv);
  const ok = async (...args: string[]): Promise<CliResult> => {
    const result = await tracemesh(...args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };

  before(async () => {
    seed = await seededConversations();
  });

  it('query recent: an aligned table, newest first; --json gives the same rows', async () => {
    const { stdout } = await ok('query', 'recent', '--limit', '200');
    const [header, ...lines] = stdout.trimEnd().split('\n');
    assert.match(header!, /^created \(UTC\) +conversation +turns +status +trace +patient query$/);
    const mine = seed.order.map((label) => seed.conversations[label]).reverse();
    const rowsOfMine = mine.map((c) => lines.findIndex((line) => line.includes(c.rootSpanId)));
    assert.ok(rowsOfMine.every((index) => index >= 0), stdout);
    assert.deepEqual(rowsOfMine, [...rowsOfMine].sort((a, b) => a - b), 'newest first');
    for (const c of mine) {
      const line = lines.find((l) => l.includes(c.rootSpanId))!;
      assert.equal(line.indexOf(c.rootSpanId), header!.indexOf('trace'), 'columns line up');
      assert.equal(line.indexOf(c.conversationId), header!.indexOf('conversation'));
    }
    const twoTurns = lines.find((line) => line.includes(seed.conversations.twoTurns.rootSpanId))!;
    assert.match(twoTurns, / 2  ok +[0-9a-f]{32}  A 60-year-old man/, 'turns are right-aligned under their header, then the status');

    const json = JSON.parse((await ok('query', 'recent', '--limit', '3', '--json')).stdout) as Array<Record<string, unknown>>;
    assert.equal(json.length, 3);
    assert.deepEqual(Object.keys(json[0]!).sort(), ['conversationId', 'created', 'failedTurns', 'finalResponse', 'patientQuery', 'rootSpanId', 'spanId', 'totalTurns', 'traceIds']);
  });

  it('query search and since find the seeded conversations', async () => {
    const search = await ok('query', 'search', seed.marker);
    // The traced conversations and the untraced caller's one (from the service's own turn spans).
    assert.equal(search.stdout.trimEnd().split('\n').length, 1 + seed.order.length + 1, search.stdout);
    assert.ok(search.stdout.includes(seed.untraced.conversationId), search.stdout);
    const since = JSON.parse((await ok('query', 'since', '1', '--limit', '500', '--json')).stdout) as Array<{ rootSpanId: string }>;
    for (const label of seed.order) assert.ok(since.some((c) => c.rootSpanId === seed.conversations[label].rootSpanId), label);
  });

  it('query tools: calls, errors, error rate, mean and p95 per tool', async () => {
    const { stdout } = await ok('query', 'tools');
    const [header, ...lines] = stdout.trimEnd().split('\n');
    assert.match(header!, /^tool +calls +errors +error rate +mean ms +p95 ms$/);
    assert.match(lines.find((l) => l.startsWith('no_such_tool'))!, /^no_such_tool +\d+ +\d+ +100\.0% +\d+\.\d +\d+\.\d$/);
    assert.match(lines.find((l) => l.startsWith('calculate_clinical_metrics'))!, /^calculate_clinical_metrics +\d+ +\d+ +\d+\.\d% +\d+\.\d +\d+\.\d$/);
    const own = JSON.parse((await ok('query', 'tools', '--source', 'tools', '--since', '1', '--json')).stdout) as Array<{ tool: string }>;
    assert.ok(own.some((s) => s.tool === 'calculate_clinical_metrics') && !own.some((s) => s.tool === 'no_such_tool'));
  });

  it('query low-scores for a score name and threshold', async () => {
    const { stdout } = await ok('query', 'low-scores', seed.feedbackScore, '--below', '0.5');
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, stdout);
    assert.match(lines[0]!, /^score +span +created \(UTC\) +trace +conversation +patient query$/);
    assert.match(lines[1]!, new RegExp(`^ 0\\.20  client_conversation .*${seed.conversations.healthy.rootSpanId}  ${seed.conversations.healthy.conversationId}  A 30-year-old woman`));
    assert.equal((await ok('query', 'low-scores', seed.feedbackScore, '--below', '0.1')).stdout.trim(), '(no low scores)');
  });

  it('query conversation: turns, tools, tokens and errors', async () => {
    const twoTurns = seed.conversations.twoTurns;
    const { stdout } = await ok('query', 'conversation', twoTurns.conversationId);
    assert.match(stdout, new RegExp(`^conversation +${twoTurns.conversationId}$`, 'm'));
    assert.match(stdout, /^turn +latency ms +client ms +model calls +tokens +tools +tool errors +outcome +message$/m);
    // Both tools of turn 0 run in parallel and start in the same millisecond: either may be listed first.
    assert.match(stdout, /^ +0 +\d+\.\d +\d+\.\d +2 +\d+ +(calculate_clinical_metrics, check_medications|check_medications, calculate_clinical_metrics) +0 +end_turn +A 60-year-old man/m);
    assert.match(stdout, /^ +1 +\d+\.\d +\d+\.\d +\d +\d+ +.* +0 +end_turn +His blood pressure today is 150\/95\.$/m);
    // The second turn read the first from the prompt cache.
    assert.match(stdout, /^tokens +\d+ \(prompt \d+, [1-9]\d* of them from the prompt cache; completion \d+\)$/m);
    assert.match(stdout, /^errors: none$/m);
    const failed = await ok('query', 'conversation', seed.conversations.toolError.rootSpanId);
    assert.match(failed.stdout, /^worker_execute_tool +NOT_FOUND: unknown tool "no_such_tool"/m);
    const json = JSON.parse((await ok('query', 'conversation', twoTurns.rootSpanId, '--json')).stdout) as { turns: unknown[]; tokens: { total: number; prompt: number; promptCached: number } };
    assert.equal(json.turns.length, 2);
    assert.ok(json.tokens.total > 0);
    assert.ok(json.tokens.promptCached > 0 && json.tokens.promptCached < json.tokens.prompt);
  });

  it('query rejects bad arguments and unknown conversations with a message and exit code 1', async () => {
    const cases = [
      [['query', 'since', 'abc'], /hours must be a positive number, got "abc"/],
      [['query', 'recent', '--limit', '0'], /--limit must be a positive whole number/],
      [['query', 'tools', '--source', 'spans'], /--source must be calls or tools/],
      [['query', 'low-scores', 'x', '--below', 'low'], /--below must be a number/],
      // An id no test uses: the walking skeleton's failed turn on "conv_missing" is logged in the shared store.
      [['query', 'conversation', 'conv_never_used'], /nothing is logged for conversation or trace "conv_never_used"/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => tracemesh(...args)));
    cases.forEach(([args, message], i) => {
      const result = results[i]!;
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n +at /, 'no stack trace');
    });
  });

  it('dataset search twice: the same rows, no duplicates, progress on stderr', async () => {
    const name = `cli ${seed.marker}`;
    for (let run = 0; run < 2; run++) {
      const result = await ok('dataset', 'search', seed.marker, '--name', name);
      assert.match(result.stdout, new RegExp(`^dataset +${name} \\([0-9a-f-]{36}\\)$`, 'm'));
      assert.match(result.stdout, /^written +5 rows \(new or updated\)$/m);
      assert.match(result.stdout, /^in dataset +5 rows$/m, `run ${run + 1}`);
      for (const label of seed.order) assert.ok(result.stdout.includes(`conversation:${seed.conversations[label].conversationId}`));
      assert.ok(result.stdout.includes(`conversation:${seed.untraced.conversationId}`), 'the untraced caller\'s conversation too');
      assert.match(result.stderr, /selecting conversations matching "tmrun[a-z]+"…\ninserting 5 rows\nflushing 5 rows…\nreading the dataset back…/);
    }
  });

  it('dataset complex --json: the multi-tool and multi-turn conversations', async () => {
    const result = await ok('dataset', 'complex', '--name', `cli complex ${seed.marker}`, '--limit', '200', '--json');
    const answer = JSON.parse(result.stdout) as { totalRows: number; verified: number; rows: Array<{ metadata: { conversation_id: string }; tags: string[] }> };
    const ids = new Set(answer.rows.map((row) => row.metadata.conversation_id));
    assert.ok(ids.has(seed.conversations.twoTurns.conversationId) && ids.has(seed.conversations.toolError.conversationId));
    assert.equal(answer.verified, answer.rows.length);
    assert.ok(answer.rows.every((row) => row.tags.includes('complex')));
  });
});
