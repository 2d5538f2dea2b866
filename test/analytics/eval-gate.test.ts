// The eval gate (thresholds, regressions against the baseline, failed cases), the per-scorer
// summary it reads, the printed report and the progress lines.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { ExperimentSummary } from 'braintrust';
import { evaluateGate, GateRuleError, parseGateRules } from '../../clients/node/evals/gate.js';
import { lowestCases, type ScoredResult } from '../../clients/node/evals/lowest-cases.js';
import { StderrProgress } from '../../clients/node/evals/progress.js';
import { formatReport } from '../../clients/node/evals/report-format.js';
import type { EvalRunReport } from '../../clients/node/evals/run-eval.js';
import { defaultExperimentName } from '../../clients/node/evals/run-eval.js';
import { summariseScores, type ScoredCase, type ScorerSummary } from '../../clients/node/evals/score-summary.js';

const SCORERS = ['length_score', 'llm_judge', 'no_tool_errors'];

function summary(name: string, mean: number | undefined, diff?: number): ScorerSummary {
  return { name, mean, n: mean === undefined ? 0 : 3, min: mean, nulls: 0, baseline: diff === undefined ? undefined : { diff, improvements: 0, regressions: 1 } };
}

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
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.8, -0.05), summary('llm_judge', 0.2)], failedCases: 0, baselineName: 'base' }, rules);
      assert.deepEqual(verdict, { passed: true, failures: [] });
    });

    it('fails below a threshold, beyond the tolerance, and says why', () => {
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.79), summary('llm_judge', 0.9, -0.051)], failedCases: 0, baselineName: 'base' }, rules);
      assert.deepEqual(verdict.failures, [
        'length_score: mean 0.79 is below --min 0.80',
        'llm_judge: mean fell 0.05 below baseline base (tolerance 0.05)',
      ]);
      assert.equal(verdict.passed, false);
    });

    it('a threshold for all applies to scorers without their own; a scorer never scored fails it', () => {
      const all = parseGateRules(['0.5', 'length_score=0.1'], '1', SCORERS);
      const verdict = evaluateGate({ scorers: [summary('length_score', 0.2), summary('llm_judge', undefined), summary('no_tool_errors', 0.4)], failedCases: 0, baselineName: undefined }, all);
      assert.deepEqual(verdict.failures, ['llm_judge: no case was scored, so it cannot meet --min 0.50', 'no_tool_errors: mean 0.40 is below --min 0.50']);
    });

    it('failed cases fail the gate', () => {
      assert.deepEqual(evaluateGate({ scorers: [], failedCases: 2, baselineName: undefined }, rules).failures, ['2 cases failed to run']);
    });
  });

  describe('summariseScores', () => {
    const cases: ScoredCase[] = [{ scores: { a: 1, b: null } }, { scores: { a: 0.5, b: 0.2 } }, { scores: { a: 0 } }];

    it('mean, n and min over numeric scores; nulls counted apart; missing scores ignored', () => {
      const [a, b] = summariseScores(cases, ['a', 'b'], undefined);
      assert.deepEqual(a, { name: 'a', mean: 0.5, n: 3, min: 0, nulls: 0, baseline: undefined });
      assert.deepEqual(b, { name: 'b', mean: 0.2, n: 1, min: 0.2, nulls: 1, baseline: undefined });
    });

    it('takes the comparison from the backend summary only when there was a baseline', () => {
      const backend: ExperimentSummary = {
        projectName: 'p',
        experimentName: 'e',
        comparisonExperimentName: 'base',
        scores: { a: { name: 'a', score: 0.5, diff: -0.25, improvements: 1, regressions: 2 } },
      };
      const [a, b] = summariseScores(cases, ['a', 'b'], backend);
      assert.deepEqual(a?.baseline, { diff: -0.25, improvements: 1, regressions: 2 });
      assert.deepEqual(b?.baseline, { diff: undefined, improvements: 0, regressions: 0 });
      assert.equal(summariseScores(cases, ['a'], { ...backend, comparisonExperimentName: undefined })[0]?.baseline, undefined);
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
      settings: { maxIterations: 1, judge: true },
      cases: 2,
      failedCases: [{ query: 'A 38-year-old man.', error: 'UNAVAILABLE: down' }],
      durationMs: 1500,
      scorers: [summary('length_score', 0.375, -0.625), { ...summary('llm_judge', undefined, undefined), nulls: 2, baseline: { diff: undefined, improvements: 0, regressions: 0 } }],
      lowestCases: [{ query: 'A 45-year-old woman,\n 165 cm, with fatigue.', meanScore: 0.375, lowest: { scorer: 'length_score', score: 0.25 }, traceRootSpanId: '0af7651916cd43dd8448eb211c80319c' }],
    };

    it('prints the header, one aligned row per scorer with the comparison, failures and the verdict', () => {
      const text = formatReport(report, { verdict: { passed: false, failures: ['length_score: mean 0.38 is below --min 0.80'] }, enforced: true });
      assert.equal(
        text,
        [
          'eval of dataset seed · mode live · max iterations 1 · 2 cases in 1.5 s',
          'experiment  seed-live-iter1',
          'baseline    seed-live',
          '',
          'scorer        mean  n   min  null  vs baseline  improved  regressed',
          'length_score  0.38  3  0.38              -0.63         0          1',
          'llm_judge        —  0     —     2            —         0          0',
          '',
          'lowest-scoring cases (mean · its lowest score · the trace it was scored on):',
          '  0.38  length_score 0.25  tracemesh trace 0af7651916cd43dd8448eb211c80319c  A 45-year-old woman, 165 cm, with fatigue.',
          '',
          '1 case failed:',
          '  A 38-year-old man.: UNAVAILABLE: down',
          '',
          'gate: FAILED',
          '  ✗ length_score: mean 0.38 is below --min 0.80',
        ].join('\n'),
      );
    });

    it('without a baseline there are no comparison columns; an unenforced verdict says so', () => {
      const text = formatReport({ ...report, baseline: undefined, failedCases: [] }, { verdict: { passed: true, failures: [] }, enforced: false });
      assert.match(text, /baseline {4}\(none: nothing to compare with\)/);
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
