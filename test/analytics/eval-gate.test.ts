// The eval gate (thresholds, regressions against the baseline over shared cases, failed cases, a
// baseline sharing no case), the per-scorer summary it reads, the printed report and the progress lines.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { compareWithBaseline } from '../../clients/node/evals/baseline-comparison.js';
import { evaluateGate, GateRuleError, parseGateRules, type GateFailure, type GateInput } from '../../clients/node/evals/gate.js';
import { lowestCases, type ScoredResult } from '../../clients/node/evals/lowest-cases.js';
import { StderrProgress } from '../../clients/node/evals/progress.js';
import { formatReport } from '../../clients/node/evals/report-format.js';
import type { EvalRunReport } from '../../clients/node/evals/run-eval.js';
import { defaultExperimentName } from '../../clients/node/evals/run-eval.js';
import { summariseScores, type ScoredCase, type ScorerSummary } from '../../clients/node/evals/score-summary.js';

const SCORERS = ['length_score', 'llm_judge', 'no_tool_errors'];

function summary(name: string, mean: number | undefined, diff?: number): ScorerSummary {
  return { name, mean, n: mean === undefined ? 0 : 3, min: mean, nulls: 0, baseline: diff === undefined ? undefined : { diff, improvements: 0, regressions: 1, compared: 3 } };
}

const shared = (sharedCases = 3): GateInput['comparison'] => ({ baseline: 'base', sharedCases });
const quality = (message: string): GateFailure => ({ kind: 'quality', message });

describe('eval gate', () => {
  describe('parseGateRules', () => {
    it('reads per-scorer thresholds, a threshold for all, and the tolerance', () => {
      const rules = parseGateRules(['length_score=0.8', '0.5'], '0.1', SCORERS);
      assert.deepEqual([...rules.min], [['length_score', 0.8]]);
      assert.equal(rules.minForAll, 0.5);
      assert.equal(rules.maxRegression, 0.1);
    });
    it('rejects unknown scorers (naming the known ones) and values outside [0, 1]', () => {
      assert.throws(() => parseGateRules(['lenght_score=0.8'], '0.05', SCORERS), (e: Error) => e instanceof GateRuleError && /no scorer named "lenght_score" \(scorers: length_score, llm_judge, no_tool_errors\)/.test(e.message));
      assert.throws(() => parseGateRules(['length_score=80'], '0.05', SCORERS), /between 0 and 1, got "80"/);
      assert.throws(() => parseGateRules(['length_score='], '0.05', SCORERS), /between 0 and 1/);
      assert.throws(() => parseGateRules([], '-0.1', SCORERS), /--max-regression must be a number between 0 and 1/);
    });
    it('shows the name=threshold form for a scorer named without its threshold', () => {
      assert.throws(() => parseGateRules(['length_score'], '0.05', SCORERS), /--min takes name=threshold \(e\.g\. follows_medical_structure=0\.8\) or one threshold for all scorers, got "length_score"/);
      assert.throws(() => parseGateRules(['1.5'], '0.05', SCORERS), /--min must be a number between 0 and 1, got "1.5"/);
    });
  });

  describe('evaluateGate', () => {
    const rules = parseGateRules(['length_score=0.8'], '0.05', SCORERS);

    it('passes when thresholds are met and nothing regressed beyond the tolerance', () => {
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.8, -0.05), summary('llm_judge', 0.2)], cases: 3, failedCases: [], comparison: shared() }, rules);
      assert.deepEqual(verdict, { passed: true, failures: [] });
    });

    it('fails below a threshold, beyond the tolerance, and says why', () => {
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.79), summary('llm_judge', 0.9, -0.051)], cases: 3, failedCases: [], comparison: shared() }, rules);
      assert.deepEqual(verdict.failures, [
        quality('length_score: mean 0.79 is below --min 0.80'),
        quality('llm_judge: fell 0.05 below baseline base over 3 shared cases (tolerance 0.05)'),
      ]);
      assert.equal(verdict.passed, false);
    });

    it('a threshold for all applies to scorers without their own; a scorer never scored fails it', () => {
      const all = parseGateRules(['0.5', 'length_score=0.1'], '1', SCORERS);
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.2), summary('llm_judge', undefined), summary('no_tool_errors', 0.4)], cases: 3, failedCases: [], comparison: undefined }, all);
      assert.deepEqual(verdict.failures, [quality('llm_judge: no case was scored, so it cannot meet --min 0.50'), quality('no_tool_errors: mean 0.40 is below --min 0.50')]);
    });

    it('cases that failed to run fail the gate as an infrastructure failure, naming their errors', () => {
      const failedCases = [{ error: '4 DEADLINE_EXCEEDED: Deadline exceeded after 1.001s' }, { error: '14 UNAVAILABLE: No connection established' }, { error: '4 DEADLINE_EXCEEDED: Deadline exceeded' }];
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.9)], cases: 5, failedCases, comparison: undefined }, rules);
      assert.equal(verdict.passed, false);
      assert.deepEqual(verdict.failures.map((f) => f.kind), ['infrastructure']);
      assert.match(verdict.failures[0]!.message, /^3 of 5 cases failed to run \(DEADLINE_EXCEEDED ×2, UNAVAILABLE ×1\): .*left out of the scores/);
      // Every case failed: no "cannot compare" on top — nothing ran to compare.
      const allFailed = evaluateGate({ scorers: [], cases: 3, failedCases: failedCases, comparison: shared(0) }, rules);
      assert.deepEqual(allFailed.failures.map((f) => f.kind), ['infrastructure']);
    });

    it('a baseline sharing no case cannot be compared with: the gate fails and says so, instead of gating on unrelated means', () => {
      // The backend's diff of means over unrelated cases must not pass or fail the gate.
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.9, -0.5)], cases: 3, failedCases: [], comparison: shared(0) }, rules);
      assert.deepEqual(verdict.failures.map((f) => f.kind), ['comparison']);
      assert.match(verdict.failures[0]!.message, /cannot compare with baseline base: it has none of this run's cases \(matched by input\).*--no-baseline/);
      // Without a baseline (none on this dataset, or --no-baseline) only --min applies.
      assert.deepEqual(evaluateGate({ scorers: [summary('length_score', 0.9)], cases: 3, failedCases: [], comparison: undefined }, rules), { passed: true, failures: [] });
    });
  });

  describe('summariseScores', () => {
    const cases: ScoredCase[] = [{ scores: { a: 1, b: null } }, { scores: { a: 0.5, b: 0.2 } }, { scores: { a: 0 } }];
    const comparable = (input: string, scores: Record<string, number | null>, failed = false) => ({ input: { patient_query: input }, scores, failed });

    it('mean, n and min over numeric scores; nulls counted apart; missing scores ignored', () => {
      const [a, b] = summariseScores(cases, ['a', 'b'], undefined);
      assert.deepEqual(a, { name: 'a', mean: 0.5, n: 3, min: 0, nulls: 0, baseline: undefined });
      assert.deepEqual(b, { name: 'b', mean: 0.2, n: 1, min: 0.2, nulls: 1, baseline: undefined });
    });

    it('leaves cases that failed to run out of the means (older runs scored them 0 everywhere)', () => {
      const [a] = summariseScores([...cases, { scores: { a: 0 }, error: new Error('DEADLINE_EXCEEDED') }], ['a'], undefined);
      assert.deepEqual(a, { name: 'a', mean: 0.5, n: 3, min: 0, nulls: 0, baseline: undefined });
    });

    it('takes the change against the baseline from the shared cases only', () => {
      const comparison = compareWithBaseline(
        'base',
        [comparable('q1', { a: 1, b: null }), comparable('q2', { a: 0.5, b: 0.2 }), comparable('new', { a: 0 }), comparable('crashed', {}, true)],
        [comparable('q1', { a: 0.5, b: 0.4 }), comparable('q2', { a: 0.5, b: 0.6 }), comparable('gone', { a: 1 }), comparable('crashed', { a: 0, b: 0 }, true)],
        ['a', 'b'],
      );
      assert.equal(comparison.sharedCases, 2);
      assert.equal(comparison.cases, 3);
      assert.equal(comparison.baselineCases, 3);
      // The means differ by 0.5 - 0.67 = -0.17 over all cases; over the shared ones a rose by 0.25.
      assert.deepEqual(comparison.scorers.a, { diff: 0.25, improvements: 1, regressions: 0, compared: 2 });
      assert.deepEqual(comparison.scorers.b?.compared, 1);
      const [a] = summariseScores(cases, ['a'], comparison);
      assert.deepEqual(a?.baseline, { diff: 0.25, improvements: 1, regressions: 0, compared: 2 });
      assert.equal(summariseScores(cases, ['a'], undefined)[0]?.baseline, undefined);
    });

    it('a baseline on other cases shares none: no change at all', () => {
      const comparison = compareWithBaseline('warf-broken', [comparable('diabetes', { a: 1 })], [comparable('warfarin', { a: 0 })], ['a']);
      assert.equal(comparison.sharedCases, 0);
      assert.deepEqual(comparison.scorers.a, { diff: undefined, improvements: 0, regressions: 0, compared: 0 });
    });
  });

  describe('lowestCases', () => {
    it('ranks the scored cases by their mean, lowest first, naming each one\'s lowest score and its trace; failed cases are left out', () => {
      const results: Array<ScoredResult & { input: string }> = [
        { input: 'good', scores: { a: 1, b: 0.9 }, metadata: { trace_root_span_id: 'r1' } },
        { input: 'poor', scores: { a: 0.2, b: 0.6, c: null }, metadata: { trace_root_span_id: 'r2' } },
        { input: 'crashed', scores: { a: 0, b: 0 }, error: new Error('UNAVAILABLE'), metadata: {} },
        { input: 'unscored', scores: { a: null } },
        { input: 'middling', scores: { a: 0.5, b: 0.5 } },
      ];
      const low = lowestCases(results, (r) => r.input, 2);
      assert.deepEqual(low, [
        { query: 'poor', meanScore: 0.4, lowest: { scorer: 'a', score: 0.2 }, traceRootSpanId: 'r2' },
        { query: 'middling', meanScore: 0.5, lowest: { scorer: 'a', score: 0.5 }, traceRootSpanId: undefined },
      ]);
    });
  });

  describe('report', () => {
    const report: EvalRunReport = {
      project: 'tracemesh',
      dataset: 'seed',
      mode: 'live',
      experiment: { name: 'seed-live-iter1', id: 'x', url: undefined },
      baseline: 'seed-live',
      baselineChoice: { source: 'latest on dataset' },
      comparison: { baseline: 'seed-live', cases: 1, baselineCases: 2, sharedCases: 1, scorers: {} },
      settings: { maxIterations: 1, judge: true },
      cases: 2,
      failedCases: [{ query: 'A 38-year-old man.', error: '14 UNAVAILABLE: down', traceRootSpanId: '1bf7651916cd43dd8448eb211c80319c' }],
      durationMs: 1500,
      scorers: [summary('length_score', 0.375, -0.625), { ...summary('llm_judge', undefined, undefined), nulls: 2, baseline: { diff: undefined, improvements: 0, regressions: 0, compared: 0 } }],
      usage: { cases: 1, prompt_tokens: 1234.4, completion_tokens: 300, prompt_cached_tokens: 0, model_calls: 2, tool_errors: 0.25 },
      lowestCases: [{ query: 'A 45-year-old woman,\n 165 cm, with fatigue.', meanScore: 0.375, lowest: { scorer: 'length_score', score: 0.25 }, traceRootSpanId: '0af7651916cd43dd8448eb211c80319c' }],
      caseRows: [],
    };

    it('prints the header, one aligned row per scorer with the comparison, failures and the verdict', () => {
      const text = formatReport(report, {
        verdict: { passed: false, failures: [{ kind: 'infrastructure', message: '1 of 2 cases failed to run' }, quality('length_score: mean 0.38 is below --min 0.80')] },
        enforced: true,
      });
      assert.equal(
        text,
        [
          'eval of dataset seed · mode live · max iterations 1 · 2 cases in 1.5 s',
          'experiment  seed-live-iter1',
          'baseline    seed-live (the latest earlier experiment on this dataset) · 1 of 1 cases shared',
          '',
          'scorer        mean  n   min  null  vs baseline  improved  regressed',
          'length_score  0.38  3  0.38              -0.63         0          1',
          'llm_judge        —  0     —     2            —         0          0',
          '',
          'usage per case (mean of 1): 1234 prompt tokens (0 cached) · 300 completion tokens · 2.0 model calls · 0.25 tool errors',
          '',
          'lowest-scoring cases (mean · its lowest score · the trace it was scored on):',
          '  0.38  length_score 0.25  tracemesh trace 0af7651916cd43dd8448eb211c80319c  A 45-year-old woman, 165 cm, with fatigue.',
          '',
          '1 of 2 cases failed to run (not scored, left out of the means):',
          '  tracemesh trace 1bf7651916cd43dd8448eb211c80319c  A 38-year-old man.: 14 UNAVAILABLE: down',
          '',
          'gate: FAILED',
          '  ✗ [infrastructure] 1 of 2 cases failed to run',
          '  ✗ [quality] length_score: mean 0.38 is below --min 0.80',
        ].join('\n'),
      );
    });

    it('says plainly when the baseline shares few or no cases, and how it was chosen', () => {
      const none = formatReport({ ...report, baselineChoice: { source: 'given', sameDataset: false }, comparison: { baseline: 'seed-live', cases: 2, baselineCases: 3, sharedCases: 0, scorers: {} } });
      assert.match(none, /^baseline {4}seed-live \(given by --baseline; it ran on another dataset\) · 0 of 2 cases shared\n {12}no case of this run is in baseline seed-live \(cases are matched by input\): there is nothing to compare, so no change is shown$/m);
      assert.doesNotMatch(none, /vs baseline/);
      const few = formatReport({ ...report, comparison: { baseline: 'seed-live', cases: 4, baselineCases: 3, sharedCases: 1, scorers: {} } });
      assert.match(few, /compared on the 1 shared cases only: 3 of this run's 4 cases are not in the baseline/);
      const noBaseline = formatReport({ ...report, baseline: undefined, comparison: undefined, baselineChoice: { source: 'none', reason: 'no earlier experiment on dataset seed' } });
      assert.match(noBaseline, /^baseline {4}\(none: no earlier experiment on dataset seed\)$/m);
    });

    it('without a baseline there are no comparison columns; an unenforced verdict says so', () => {
      const text = formatReport({ ...report, baseline: undefined, comparison: undefined, baselineChoice: { source: 'none', reason: '--no-baseline' }, failedCases: [] }, { verdict: { passed: true, failures: [] }, enforced: false });
      assert.match(text, /baseline {4}\(none: --no-baseline\)/);
      assert.doesNotMatch(text, /vs baseline/);
      assert.match(text, /gate: passed \(report only: add --gate to enforce\)$/);
    });

    it('experiment names record the dataset, mode and settings', () => {
      assert.equal(defaultExperimentName({ dataset: 'seed', mode: 'logged' }), 'seed-logged');
      assert.equal(defaultExperimentName({ dataset: 'seed', mode: 'live', model: 'claude-opus-4-5', maxIterations: 1, maxTokens: 300 }), 'seed-live-claude-opus-4-5-iter1-tok300');
    });
  });

  describe('progress', () => {
    function capture(isTTY: boolean): { out: Writable & { isTTY: boolean }; text: () => string } {
      let text = '';
      const out = Object.assign(new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) }), { isTTY });
      return { out, text: () => text };
    }

    it('in a log: a line at most every interval, and always the last one', () => {
      const { out, text } = capture(false);
      const progress = new StderrProgress(out, 60_000);
      progress.start('eval', 0);
      progress.setTotal('eval', 3);
      for (let i = 0; i < 3; i++) progress.increment();
      progress.stop();
      assert.match(text(), /^eval: 1\/3 cases · \d+\.\d s\neval: 3\/3 cases · \d+\.\d s\n$/);
    });

    it('on a terminal: one line rewritten in place', () => {
      const { out, text } = capture(true);
      const progress = new StderrProgress(out);
      progress.start('eval', 2);
      progress.increment();
      progress.increment();
      assert.match(text(), /^\reval: 1\/2 cases · \d+\.\d s\reval: 2\/2 cases · \d+\.\d s\n$/);
    });
  });
});
