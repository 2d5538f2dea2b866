// `tracemesh eval` end to end against the shared mesh: real conversations are logged, made into a
// dataset with the SDK, then evaluated in logged mode (no model calls) and live mode (each query
// through the mesh again), stored as experiments, compared with a baseline, and gated from the CLI
// (exit 1 on a deliberately bad setting, 0 on a good one, 2 when the eval cannot run).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Eval, initDataset, initExperiment, traced } from 'braintrust';
import { waitForTrace } from '../../clients/node/cli/trace-waiter.js';
import { createConversationClient } from '../../clients/node/conversation-client.js';
import { runEval, type EvalRunReport } from '../../clients/node/evals/run-eval.js';
import type { GateVerdict } from '../../clients/node/evals/gate.js';
import { evalScorers } from '../../clients/node/evals/scorers/index.js';
import { EvalTrace } from '../../clients/node/evals/trace.js';
import { TraceBackend } from '../../clients/node/trace-reader.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { tracingConfig } from '../../lib/config.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';

const tracemesh = (args: string[], env: Record<string, string>) => runCli(args, env);

const SEED_QUERY = "I have a 45-year-old female patient, 5'4\", 180 lbs, with fatigue and increased thirst. What should I consider?";
// The offline model makes exactly this call: a tool error whatever tools the worker has.
const FAILING_TOOL_QUERY = '[[call calculate_clinical_metrics {"height": 64, "weight": -5}]] A 45-year-old woman, 5\'4", -5 lbs.';
const CONVERSATIONS = [
  [SEED_QUERY],
  ["A 60-year-old man, 5'10\", 210 lbs, blood pressure 150/95, already on lisinopril. What are the next steps?"],
  ['A 52-year-old woman, 165 cm, 88 kg, with fatigue.', 'Her blood pressure today is 150/95.'],
  [FAILING_TOOL_QUERY],
];

interface ScoredCase {
  metadata: Record<string, unknown>;
  scores: Record<string, number | null>;
  /** Each scorer's metadata, by score name. */
  details: Record<string, Record<string, unknown>>;
}

/** The cases of a stored experiment, read back through the SDK, by patient query. */
async function experimentCases(experimentName: string): Promise<Map<string, ScoredCase>> {
  const rows: Array<Record<string, unknown>> = [];
  for await (const row of initExperiment(tracingConfig().projectName, { experiment: experimentName, open: true }).fetch()) rows.push(row as Record<string, unknown>);
  const attributes = (row: Record<string, unknown>) => (row.span_attributes ?? {}) as { type?: string; purpose?: string };
  const cases = new Map<string, ScoredCase>();
  for (const root of rows.filter((row) => attributes(row).type === 'eval')) {
    const scored: ScoredCase = { metadata: (root.metadata ?? {}) as Record<string, unknown>, scores: {}, details: {} };
    for (const row of rows.filter((r) => r.root_span_id === root.root_span_id && attributes(r).purpose === 'scorer')) {
      for (const [name, value] of Object.entries((row.scores ?? {}) as Record<string, number | null>)) {
        scored.scores[name] = value;
        scored.details[name] = (row.metadata ?? {}) as Record<string, unknown>;
      }
    }
    cases.set((root.input as { patient_query: string }).patient_query, scored);
  }
  return cases;
}

function scorer(report: EvalRunReport, name: string) {
  const found = report.scorers.find((s) => s.name === name);
  assert.ok(found, `scorer ${name} is in the report`);
  return found;
}

describe('tracemesh eval', function () {
  this.timeout(120_000);
  let shared: SharedMesh;
  const suffix = randomBytes(3).toString('hex');
  const datasetName = `eval-cases-${suffix}`;
  const project = () => tracingConfig().projectName;
  const logged: Array<{ conversationId: string; rootSpanId: string; finalResponse: string }> = [];
  let loggedReport: EvalRunReport;
  let liveReport: EvalRunReport;

  before(async () => {
    shared = await sharedMesh();
    const client = createConversationClient();
    try {
      logged.push(
        ...(await Promise.all(
          CONVERSATIONS.map(async (turns) => {
            const conversation = new TracedConversation(client);
            let finalResponse = '';
            for (const turn of turns) finalResponse = (await conversation.turn(turn)).text;
            conversation.finish();
            return { conversationId: conversation.id, rootSpanId: conversation.rootSpanId, finalResponse };
          }),
        )),
      );
    } finally {
      client.close();
    }
    await shared.tracing.flush();
    const backend = new TraceBackend();
    await Promise.all(
      logged.map(({ rootSpanId }) =>
        waitForTrace(backend, rootSpanId, { settleMs: 300, isComplete: (rows) => rows.some((r) => (r.span_attributes as { name?: string }).name === 'client_conversation' && r.output) }),
      ),
    );
    const dataset = initDataset({ project: project(), dataset: datasetName });
    CONVERSATIONS.forEach((turns, i) => {
      dataset.insert({
        // As `tracemesh dataset` writes a conversation of several turns: its later messages to replay.
        input: { patient_query: turns[0], ...(turns.length > 1 ? { follow_ups: turns.slice(1) } : {}) },
        expected: { final_response: logged[i]?.finalResponse },
        metadata: { conversation_id: logged[i]?.conversationId, total_turns: turns.length, source: 'eval-test' },
        tags: ['eval-test'],
      });
    });
    await dataset.flush();
  });

  it('logged mode scores the logged responses with their logged traces, stored as an experiment', async () => {
    loggedReport = await runEval({ dataset: datasetName, mode: 'logged', experimentName: `logged-${suffix}`, progress: silentProgress });
    assert.equal(loggedReport.cases, 4);
    // The dataset's first experiment: nothing earlier on it, whatever else the project holds.
    assert.deepEqual([loggedReport.baseline, loggedReport.baselineChoice], [undefined, { source: 'none', reason: `no earlier experiment on dataset ${datasetName}` }]);
    assert.deepEqual(loggedReport.failedCases, []);
    assert.ok(loggedReport.lowestCases.length > 0 && loggedReport.lowestCases.every((low) => logged.some((l) => l.rootSpanId === low.traceRootSpanId)), 'the lowest cases name the logged traces they were scored on');
    // The local store's viewer page for the experiment, and its data.
    assert.equal(loggedReport.experiment.url, `${process.env.TRACESTORE_URL}/ui/experiments/${loggedReport.experiment.id}`);
    assert.equal((await fetch(loggedReport.experiment.url)).status, 200);
    const page = (await (await fetch(`${process.env.TRACESTORE_URL}/ui/api/experiments/${loggedReport.experiment.id}`)).json()) as { rows: unknown[] };
    assert.equal(page.rows.length, 4);
    for (const s of loggedReport.scorers) assert.ok(s.n > 0 && s.mean !== undefined, `${s.name} scored cases: ${JSON.stringify(s)}`);

    // Read back: each case with its scores, and the logged conversation trace it was scored on.
    const cases = await experimentCases(loggedReport.experiment.name);
    assert.equal(cases.size, 4);
    CONVERSATIONS.forEach((turns, i) => {
      const scored = cases.get(turns[0] ?? '');
      assert.ok(scored, `case ${i} is stored`);
      assert.equal(scored.metadata.trace_root_span_id, logged[i]?.rootSpanId, `case ${i} read its own conversation's trace`);
      assert.equal(Object.keys(scored.scores).length, loggedReport.scorers.length);
    });
    const seed = cases.get(SEED_QUERY);
    assert.equal(seed?.scores.follows_medical_structure, 1);
    assert.equal(seed?.scores.expected_tools_called, 1, JSON.stringify(seed?.details.expected_tools_called));
    assert.ok((seed?.details.expected_tools_called?.called as string[]).includes('calculate_clinical_metrics'));
    assert.ok((seed?.scores.answer_cites_tool_results ?? 0) >= 0.5, 'the answer cites the metrics');
    const failing = cases.get(FAILING_TOOL_QUERY);
    assert.equal(failing?.scores.no_tool_errors, 0);
    assert.match(JSON.stringify(failing?.details.no_tool_errors?.failed), /weight must be > 0/);
    assert.equal(failing?.scores.answer_cites_tool_results, null, 'no successful call: nothing to cite');
    assert.equal(typeof failing?.scores.llm_judge, 'number', 'judged even though the question scripts a tool call');
  });

  it('the Trace accessor reads a real conversation trace: thread, tool calls, errors', async () => {
    const twoTurns = logged[2];
    assert.ok(twoTurns);
    const trace = new EvalTrace(() => new TraceBackend().fetchTrace(twoTurns.rootSpanId));
    const [thread, calls, errors, llm] = await Promise.all([trace.thread(), trace.toolCalls(), trace.errors(), trace.llmSpans()]);
    assert.ok(llm.length >= 4, 'two turns, each with a tool round');
    assert.equal(thread.filter((m) => m.role === 'user' && typeof m.content === 'string').length, 2, 'both questions, once each');
    const metrics = calls.filter((c) => c.name === 'calculate_clinical_metrics');
    assert.equal(metrics.length, 2, 'metrics in both turns');
    assert.ok(metrics.every((c) => c.status === 'succeeded' && c.span !== undefined), 'matched with the tool spans');
    const failed = calls.filter((c) => c.status === 'failed');
    assert.ok(failed.every((c) => c.error), 'failed calls say why');
    assert.equal(errors.length > 0, failed.length > 0, 'span errors exactly when calls failed');
  });

  it('live mode re-runs each query through the mesh and compares with the baseline', async () => {
    liveReport = await runEval({ dataset: datasetName, mode: 'live', experimentName: `live-${suffix}`, baseline: loggedReport.experiment.name, judge: false, progress: silentProgress });
    assert.equal(liveReport.cases, 4);
    assert.deepEqual(liveReport.failedCases, []);
    assert.equal(liveReport.baseline, loggedReport.experiment.name);
    assert.equal(scorer(liveReport, 'expected_tools_called').mean, 1, 'the new traces were read');
    const length = scorer(liveReport, 'length_score');
    assert.ok(length.baseline && length.baseline.diff !== undefined, 'compared with the baseline');
    assert.equal(liveReport.scorers.some((s) => s.name === 'llm_judge'), false);
    // The offline model is deterministic: replaying every turn gives the logged answers, so the
    // answer-only scores match the logged ones case by case — the two-turn case included.
    const [live, before] = await Promise.all([experimentCases(liveReport.experiment.name), experimentCases(loggedReport.experiment.name)]);
    CONVERSATIONS.forEach((turns) => {
      const query = turns[0] ?? '';
      assert.equal(live.get(query)?.metadata.live_turns, turns.length, `all ${turns.length} turn(s) replayed`);
      for (const name of ['length_score', 'follows_medical_structure']) {
        assert.equal(live.get(query)?.scores[name], before.get(query)?.scores[name], `${name} of "${query.slice(0, 30)}…"`);
      }
    });
  });

  it('the viewer\'s experiment page shows the numbers eval prints, for runs that only partly overlap', async () => {
    // Against the logged run's 4 cases: one case unchanged, one with a one-line answer, one that
    // fails (no answer to score), and one the baseline never ran.
    const partialDataset = `eval-partial-${suffix}`;
    const partial = initDataset({ project: project(), dataset: partialDataset });
    const [seed, , twoTurns] = CONVERSATIONS;
    partial.insert({ input: { patient_query: seed![0] }, expected: { final_response: logged[0]?.finalResponse }, metadata: { conversation_id: logged[0]?.conversationId } });
    partial.insert({ input: { patient_query: twoTurns![0], follow_ups: twoTurns!.slice(1) }, expected: { final_response: 'Check her glucose.' }, metadata: {} });
    partial.insert({ input: { patient_query: CONVERSATIONS[1]![0] }, expected: {}, metadata: {} });
    partial.insert({ input: { patient_query: 'A 70-year-old woman on warfarin asks whether she can take aspirin.' }, expected: { final_response: logged[1]?.finalResponse }, metadata: {} });
    await partial.flush();
    const report = await runEval({ dataset: partialDataset, mode: 'logged', experimentName: `partial-${suffix}`, baseline: loggedReport.experiment.name, judge: false, progress: silentProgress });
    assert.equal(report.failedCases.length, 1);
    assert.equal(report.comparison?.sharedCases, 2);

    interface Viewed { experiment: { base: { id: string; name: string } | null; scores: Record<string, { score: number; diff?: number; improvements: number; regressions: number }> } }
    const viewed = async (id: string | undefined): Promise<Viewed['experiment']> => ((await (await fetch(`${process.env.TRACESTORE_URL}/ui/api/experiments/${id}`)).json()) as Viewed).experiment;
    const [page, basePage] = await Promise.all([viewed(report.experiment.id), viewed(loggedReport.experiment.id)]);
    assert.deepEqual(page.base, { id: loggedReport.experiment.id, name: loggedReport.experiment.name });
    const near = (a: number | undefined, b: number | undefined, what: string) => assert.ok(a === b || (a !== undefined && b !== undefined && Math.abs(a - b) < 1e-9), `${what}: viewer ${a}, eval ${b}`);
    let unlikeMeans = 0;
    for (const { name, mean, baseline } of report.scorers) {
      const shown = page.scores[name];
      near(shown?.score, mean, `${name} mean`);
      if (!shown || !baseline) continue;
      near(shown.diff, baseline.diff, `${name} change`);
      assert.deepEqual([shown.improvements, shown.regressions], [baseline.improvements, baseline.regressions], name);
      const baseMean = basePage.scores[name]?.score;
      if (baseline.diff !== undefined && baseMean !== undefined && Math.abs(baseline.diff - (shown.score - baseMean)) > 1e-6) unlikeMeans++;
    }
    assert.ok(unlikeMeans > 0, 'some change over the shared cases is not the difference of the two means');
    // The endpoint the SDK's summary reads answers the same.
    const sdk = (await (await fetch(`${process.env.TRACESTORE_URL}/experiment-comparison2?experiment_id=${report.experiment.id}&base_experiment_id=${loggedReport.experiment.id}`)).json()) as { scores: unknown };
    assert.deepEqual(sdk.scores, page.scores);
  });

  it('the gate fails (exit 1) on a setting that stops before the answer, and says why', async () => {
    const result = await tracemesh(
      ['eval', '--dataset', datasetName, '--mode', 'live', '--max-iterations', '1', '--baseline', liveReport.experiment.name, '--no-judge', '--gate', '--min', 'follows_medical_structure=0.8'],
      shared.mesh.clientEnv,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /experiment {2}eval-cases-[0-9a-f]+-live-iter1/, 'the experiment name records the setting');
    assert.match(result.stdout, /gate: FAILED/);
    assert.match(result.stdout, /✗ \[quality\] follows_medical_structure: mean 0\.\d\d is below --min 0\.80/);
    assert.match(result.stdout, /✗ \[quality\] length_score: fell 0\.\d\d below baseline live-[0-9a-f]+ over 4 shared cases/);
    // Capped before the answer: answer_complete says so, case by case.
    assert.match(result.stdout, /^answer_complete +0\.\d\d +4 +0\.00 +-\d\.\d\d +0 +[1-4]$/m);
    // What to open next: the lowest-scoring cases, each with the trace it was scored on.
    assert.match(result.stdout, /^lowest-scoring cases \(mean · its lowest score · the trace it was scored on\):\n {2}\d\.\d\d {2}\w+ \d\.\d\d {2}tracemesh trace [0-9a-f]{32} {2}\S/m);
    assert.match(result.stderr, /eval: 4\/4 cases · \d+\.\d s/, 'progress on stderr');
  });

  it('the gate passes (exit 0) on a good setting, with the comparison in the table', async () => {
    const result = await tracemesh(
      ['eval', '--dataset', datasetName, '--baseline', loggedReport.experiment.name, '--gate', '--min', 'length_score=0.5', '--min', 'llm_judge=0.5', '--json'],
      shared.mesh.clientEnv,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as EvalRunReport & { gate: { verdict: { passed: boolean } } };
    assert.equal(report.gate.verdict.passed, true);
    assert.equal(report.baseline, loggedReport.experiment.name);
    assert.ok(report.scorers.every((s) => Math.abs(s.baseline?.diff ?? NaN) < 1e-9), `the same responses score the same: ${JSON.stringify(report.scorers)}`);
    // Per-case rows: the dataset record, the query, the scores, the trace, and its usage.
    assert.equal(report.caseRows.length, 4);
    for (const row of report.caseRows) {
      assert.ok(row.id && row.query !== '' && row.error === undefined, JSON.stringify(row));
      assert.ok(logged.some((l) => l.rootSpanId === row.traceRootSpanId), 'the logged trace it was scored on');
      assert.equal(Object.keys(row.scores).length, report.scorers.length);
      assert.ok(row.usage && row.usage.model_calls >= 1 && row.usage.prompt_tokens > 0, JSON.stringify(row.usage));
    }
    assert.equal(report.caseRows.find((row) => row.query.startsWith('[[call'))?.usage?.tool_errors, 1);
    assert.ok(report.usage && report.usage.cases === 4);
  });

  it('without --baseline, compares with the latest earlier experiment on the same dataset, not the project\'s latest', async () => {
    // Another dataset's experiment is now the project's newest: the backend's own default.
    const otherDataset = `eval-other-${suffix}`;
    const other = initDataset({ project: project(), dataset: otherDataset });
    // A case of its own: no input in common with the main dataset.
    other.insert({ input: { patient_query: 'A 70-year-old woman on warfarin asks whether she can take aspirin.' }, expected: { final_response: logged[1]?.finalResponse }, metadata: {} });
    await other.flush();
    const otherReport = await runEval({ dataset: otherDataset, mode: 'logged', experimentName: `other-${suffix}`, judge: false, progress: silentProgress });

    const env = shared.mesh.clientEnv;
    const result = await tracemesh(['eval', '--dataset', datasetName, '--no-judge', '--gate', '--json'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as EvalRunReport & { gate: { verdict: GateVerdict } };
    assert.notEqual(report.baseline, otherReport.experiment.name);
    assert.match(report.baseline ?? '', new RegExp(`^(eval-cases-${suffix}-|logged-${suffix}|live-${suffix})`), 'an experiment on this dataset');
    assert.deepEqual(report.baselineChoice, { source: 'latest on dataset' });
    assert.equal(report.comparison?.sharedCases, 4);

    // A baseline on other cases: said plainly, and the gate does not pass on unrelated means.
    const [unrelated, noBaseline] = await Promise.all([
      tracemesh(['eval', '--dataset', otherDataset, '--baseline', loggedReport.experiment.name, '--no-judge', '--gate'], env),
      tracemesh(['eval', '--dataset', otherDataset, '--no-baseline', '--no-judge', '--gate'], env),
    ]);
    assert.equal(unrelated.code, 1, unrelated.stdout + unrelated.stderr);
    assert.match(unrelated.stdout, /baseline {4}logged-[0-9a-f]+ \(given by --baseline; it ran on another dataset\) · 0 of 1 cases shared/);
    assert.match(unrelated.stdout, /no case of this run is in baseline logged-[0-9a-f]+ \(cases are matched by input\)/);
    assert.match(unrelated.stdout, /✗ \[comparison\] cannot compare with baseline logged-[0-9a-f]+: it has none of this run's cases/);
    assert.doesNotMatch(unrelated.stdout, /\[quality\].*below baseline/);
    assert.equal(noBaseline.code, 0, noBaseline.stdout + noBaseline.stderr);
    assert.match(noBaseline.stdout, /baseline {4}\(none: --no-baseline\)/);
  });

  it('answer_complete flags answers cut by --max-tokens, which length_score cannot see', async () => {
    const report = await runEval({ dataset: datasetName, mode: 'live', maxTokens: 60, experimentName: `tok-${suffix}`, baseline: false, judge: false, progress: silentProgress });
    assert.deepEqual(report.failedCases, []);
    const cases = await experimentCases(report.experiment.name);
    const truncated = [...cases.values()].filter((c) => c.metadata.stop_reason === 'STOP_REASON_MAX_TOKENS');
    assert.ok(truncated.length > 0, 'some answers were cut');
    for (const c of truncated) {
      assert.equal(c.scores.answer_complete, 0);
      assert.match(String(c.details.answer_complete?.why), /truncated/);
    }
    assert.ok(report.caseRows.some((row) => row.stopReason === 'STOP_REASON_MAX_TOKENS'));
  });

  it('cases that fail to run are reported apart with their traces, kept out of the means, and fail the gate as infrastructure', async () => {
    // Nothing listens on port 1: every turn fails UNAVAILABLE.
    const result = await tracemesh(['eval', '--dataset', datasetName, '--mode', 'live', '--target', '127.0.0.1:1', '--deadline', '5', '--no-judge', '--no-baseline', '--gate', '--json'], shared.mesh.clientEnv);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as EvalRunReport & { gate: { verdict: GateVerdict } };
    assert.equal(report.failedCases.length, 4);
    for (const failed of report.failedCases) {
      assert.match(failed.error, /UNAVAILABLE|DEADLINE_EXCEEDED/);
      assert.match(failed.traceRootSpanId ?? '', /^[0-9a-f]{32}$/, 'the client-side trace of the attempt');
    }
    // Not scored 0: not scored at all.
    assert.ok(report.scorers.every((s) => s.n === 0 && s.mean === undefined), JSON.stringify(report.scorers));
    assert.ok(report.caseRows.every((row) => row.error !== undefined && Object.keys(row.scores).length === 0));
    assert.deepEqual(report.gate.verdict.failures.map((f) => f.kind), ['infrastructure']);
    assert.match(report.gate.verdict.failures[0]!.message, /^4 of 4 cases failed to run \((UNAVAILABLE|DEADLINE_EXCEEDED) ×4\)/);
    // A run where nothing ran is no baseline: the next one passes over it to an older run.
    const next = await runEval({ dataset: datasetName, mode: 'logged', judge: false, progress: silentProgress });
    assert.notEqual(next.baseline, report.experiment.name);
    assert.equal(next.comparison?.sharedCases, 4);
  });

  it('in any Eval, the trace scorers read the case through the SDK\'s own trace', async () => {
    const toolUse = { type: 'tool_use', id: 'toolu_sdk_1', name: 'calculate_clinical_metrics', input: { height: 64, weight: 180 } };
    const result = await Eval<{ patient_query: string }, string, null, Record<string, unknown>>(
      project(),
      {
        data: [{ input: { patient_query: "5'4\", 180 lbs: her BMI?" }, expected: null, metadata: {} }],
        task: async () => {
          traced((span) => span.log({ input: [{ role: 'user', content: 'BMI?' }], output: { role: 'assistant', content: [toolUse] } }), { name: 'model', type: 'llm' });
          traced((span) => span.log({ input: toolUse.input, output: { bmi: { value: 30.9 } }, metadata: { tool_call_id: toolUse.id } }), { name: toolUse.name, type: 'tool' });
          return 'Her BMI is 30.9.';
        },
        scores: evalScorers({ judge: false }).filter((s) => ['expected_tools_called', 'no_tool_errors', 'answer_cites_tool_results'].includes(s.name)),
        experimentName: `sdk-trace-${suffix}`,
      },
      { reporter: { name: 'quiet', reportEval: () => true, reportRun: () => true }, progress: silentProgress },
    );
    assert.deepEqual(result.results[0]?.scores, { expected_tools_called: 1, no_tool_errors: 1, answer_cites_tool_results: 1 });
  });

  it('exits 2 when the eval cannot run: usage, unknown dataset, baseline or scorer', async () => {
    const env = shared.mesh.clientEnv;
    const [usage, noDataset, noBaseline, noScorer] = await Promise.all([
      tracemesh(['eval', '--mode', 'logged'], env),
      tracemesh(['eval', '--dataset', `missing-${suffix}`], env),
      tracemesh(['eval', '--dataset', datasetName, '--baseline', `missing-${suffix}`], env),
      tracemesh(['eval', '--dataset', datasetName, '--gate', '--min', 'lenght_score=0.8'], env),
    ]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /required option '--dataset <name>' not specified/);
    assert.equal(noDataset.code, 2);
    assert.match(noDataset.stderr, /dataset "missing-[0-9a-f]+" in project \S+ has no records/);
    assert.equal(noBaseline.code, 2);
    assert.match(noBaseline.stderr, /baseline experiment "missing-[0-9a-f]+" was not found/);
    assert.equal(noScorer.code, 2);
    assert.match(noScorer.stderr, /no scorer named "lenght_score"/);
  });
});

const silentProgress = { start: () => undefined, setTotal: () => undefined, increment: () => undefined, stop: () => undefined };
