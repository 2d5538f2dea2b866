// The experiment pages' data against a real store database (in memory): rows beside their base
// cases agree with the store's own comparison (store/summaries.ts, what Eval and the list show) for
// any experiments (fast-check), that comparison gives exactly the numbers `tracemesh eval` computes
// (compareWithBaseline, summariseScores) for runs that only partly overlap, with failed cases — and
// the details: scores that are not numbers, rows without the sorted score, a base holding one input
// twice, a case's texts.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithBaseline, type ComparableCase } from '../../clients/node/evals/baseline-comparison.js';
import { summariseScores } from '../../clients/node/evals/score-summary.js';
import type { JsonObject } from '../../lib/json.js';
import { openDatabase, type TraceDatabase } from '../../services/tracestore/db/open-database.js';
import { Registry, type NamedObject } from '../../services/tracestore/store/registry.js';
import { RowStore } from '../../services/tracestore/store/row-store.js';
import { Sequences } from '../../services/tracestore/store/sequences.js';
import { Summaries } from '../../services/tracestore/store/summaries.js';
import { ExperimentQueries } from '../../services/tracestore/viewer/experiment-queries.js';
import { changeOf, ExperimentResults, summaryText, type ExperimentRow } from '../../services/tracestore/viewer/experiment-results.js';

interface CaseSpec {
  input: JsonObject;
  /** One entry per span of the case (the first is its root): the scores that span carries. */
  spans: Array<Record<string, unknown>>;
  fields?: JsonObject;
}

const T0 = 1_800_000_000;
// Scores on a quarter grid: their sums are exact in binary, so no rounding can make two equal means differ.
const SCORE = fc.constantFrom(0, 0.25, 0.5, 0.75, 1);
const INPUTS = ['thirst', 'pressure', 'checkup', 'rash', 'cough', 'fever'].map((query) => ({ patient_query: query }));
const SCORES = fc.record({ a: SCORE, b: SCORE }, { requiredKeys: [] });
// A case that may have failed to run (one in five): an error on its root, its scores kept, as the SDK's error handler leaves them.
const caseSpec = (input: fc.Arbitrary<JsonObject>): fc.Arbitrary<CaseSpec> =>
  fc
    .record({ input, spans: fc.array(SCORES, { minLength: 1, maxLength: 4 }), failed: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) })
    .map(({ failed, ...spec }) => (failed ? { ...spec, fields: { error: 'UNAVAILABLE' } } : spec));
// The base's inputs are distinct: with one input twice, which case the comparison matches is not defined.
const BASE_CASES = fc.uniqueArray(fc.constantFrom(...INPUTS), { minLength: 1, maxLength: INPUTS.length }).chain((inputs) => fc.tuple(...inputs.map((input) => caseSpec(fc.constant(input)))));
const CANDIDATE_CASES = fc.array(caseSpec(fc.constantFrom(...INPUTS)), { minLength: 1, maxLength: 8 });

/** A case as `tracemesh eval` reads it: each score its mean over the case's spans (numbers only). */
function comparable(spec: CaseSpec): ComparableCase & { scores: Record<string, number> } {
  const values = new Map<string, number[]>();
  for (const span of spec.spans) for (const [name, value] of Object.entries(span)) if (typeof value === 'number') values.set(name, [...(values.get(name) ?? []), value]);
  const scores = Object.fromEntries([...values].map(([name, list]) => [name, list.reduce((sum, v) => sum + v, 0) / list.length]));
  return { input: spec.input, scores, failed: spec.fields?.error !== undefined };
}

describe('viewer experiment results', () => {
  let db: TraceDatabase;
  let registry: Registry;
  let rows: RowStore;
  let summaries: Summaries;
  let results: ExperimentResults;
  let projectId: string;
  let written = 0;

  // Each case is a trace: an eval root and its scorer spans, as Braintrust's Eval writes them.
  const experimentOf = (name: string, cases: CaseSpec[], base?: NamedObject): NamedObject => {
    const experiment = registry.createObject('experiment', projectId, `${name}-${written}`, base ? { base_exp_id: base.id } : {});
    rows.writeLogRows(
      cases.flatMap((spec, index) => {
        const trace = `t${written++}`;
        return spec.spans.map((scores, spanIndex) => ({
          id: `${trace}-${spanIndex}`,
          span_id: `${trace}-${spanIndex}`,
          root_span_id: trace,
          experiment_id: experiment.id,
          ...(spanIndex === 0 ? { input: spec.input, ...spec.fields } : { span_parents: [`${trace}-0`] }),
          span_attributes: { name: spanIndex === 0 ? 'eval' : `scorer_${spanIndex}`, type: spanIndex === 0 ? 'eval' : 'score' },
          metrics: { start: T0 + index + spanIndex / 10, end: T0 + index + 1 },
          ...(Object.keys(scores).length > 0 ? { scores } : {}),
        }));
      }),
    );
    return experiment;
  };
  const rowsOf = (experiment: NamedObject, base: NamedObject | undefined, request: Parameters<ExperimentResults['rows']>[2] = { order: 'asc' }): ExperimentRow[] =>
    results.rows(experiment, base ? { id: base.id, name: base.name } : null, request).rows;

  before(() => {
    db = openDatabase(':memory:');
    const sequences = new Sequences(db);
    registry = new Registry(db);
    rows = new RowStore(db, sequences);
    summaries = new Summaries(db);
    results = new ExperimentResults({ registry, summaries }, new ExperimentQueries(db));
    projectId = registry.registerProject('tracemesh').id;
  });
  after(() => db.close());

  it('marks rows exactly as the store\'s comparison counts improvements and regressions, for any experiments', () => {
    fc.assert(
      fc.property(
        BASE_CASES,
        CANDIDATE_CASES,
        (baseCases, candidateCases) => {
          const base = experimentOf('base', baseCases);
          const candidate = experimentOf('candidate', candidateCases, base);
          const comparison = summaries.compareExperiments(candidate.id, base.id);
          const caseRows = rowsOf(candidate, base);
          assert.equal(caseRows.length, candidateCases.length);
          for (const [name, summary] of Object.entries(comparison.scores)) {
            const count = (change: string) => caseRows.filter((row) => changeOf(row, name) === change).length;
            assert.deepEqual([count('improved'), count('regressed')], [summary.improvements, summary.regressions], name);
            const values = caseRows.flatMap((row) => (row.scores[name] === undefined ? [] : [row.scores[name]]));
            assert.ok(Math.abs(values.reduce((sum, v) => sum + v, 0) / values.length - summary.score) < 1e-12, `${name} mean`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives exactly the numbers `tracemesh eval` computes, for any runs overlapping in part, failed cases left out', () => {
    const near = (a: number | undefined, b: number | undefined, what: string) =>
      assert.ok(a === b || (a !== undefined && b !== undefined && Math.abs(a - b) < 1e-12), `${what}: store ${a}, eval ${b}`);
    fc.assert(
      fc.property(BASE_CASES, CANDIDATE_CASES, (baseCases, candidateCases) => {
        const base = experimentOf('eval-base', baseCases);
        const candidate = experimentOf('eval-candidate', candidateCases, base);
        const store = summaries.compareExperiments(candidate.id, base.id);
        const current = candidateCases.map(comparable);
        const cli = compareWithBaseline('base', current, baseCases.map(comparable), ['a', 'b']);
        const printed = summariseScores(current.map((c) => ({ scores: c.scores, error: c.failed ? 'failed' : undefined })), ['a', 'b'], cli);
        for (const { name, mean, baseline } of printed) {
          const stored = store.scores[name];
          near(stored?.score, mean, `${name} mean`);
          if (!stored) continue;
          near(stored.diff, baseline?.diff, `${name} diff`);
          assert.deepEqual([stored.improvements, stored.regressions], [baseline?.improvements, baseline?.regressions], name);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('compares partly overlapping runs over their shared cases, not by the difference of their means', () => {
    const base = experimentOf('overlap-base', [
      { input: INPUTS[0]!, spans: [{ a: 0.5 }] },
      { input: INPUTS[1]!, spans: [{ a: 1 }] },
      { input: INPUTS[2]!, spans: [{ a: 0 }], fields: { error: 'UNAVAILABLE' } },
    ]);
    const candidate = experimentOf(
      'overlap-candidate',
      [
        { input: INPUTS[0]!, spans: [{ a: 0.75 }] },
        { input: INPUTS[2]!, spans: [{ a: 1 }] },
        { input: INPUTS[3]!, spans: [{ a: 0 }] },
        { input: INPUTS[1]!, spans: [{ a: 0 }], fields: { error: 'DEADLINE_EXCEEDED' } },
      ],
      base,
    );
    const { scores } = summaries.compareExperiments(candidate.id, base.id);
    // Means over the cases that ran: (0.75 + 1 + 0) / 3 here, 0.75 in the base (a difference of −0.17);
    // the one case both ran (thirst) rose by 0.25.
    assert.deepEqual(scores.a, { name: 'a', score: 1.75 / 3, diff: 0.25, improvements: 1, regressions: 0 });
    const rows = rowsOf(candidate, base);
    assert.deepEqual(rows.map((row) => [row.base?.scores.a ?? null, row.scores.a ?? null]), [[0.5, 0.75], [null, 1], [null, 0], [1, null]], 'a failed base case is no match; a failed case is not scored');
  });

  it('counts only numeric scores, as the comparison does', () => {
    const experiment = experimentOf('odd-scores', [{ input: INPUTS[0]!, spans: [{}, { a: 0.5, b: true, c: null }, { a: 1, d: 'high' }] }]);
    assert.deepEqual(rowsOf(experiment, undefined)[0]?.scores, { a: 0.75 });
    assert.deepEqual(Object.keys(summaries.compareExperiments(experiment.id).scores), ['a']);
  });

  it('sorts rows without the score last, lowest or highest first, keeping run order between equals', () => {
    const experiment = experimentOf('sorting', [
      { input: { patient_query: 'one' }, spans: [{ a: 0.5 }] },
      { input: { patient_query: 'two' }, spans: [{ b: 1 }] },
      { input: { patient_query: 'three' }, spans: [{ a: 0.25 }] },
      { input: { patient_query: 'four' }, spans: [{ a: 0.5 }] },
    ]);
    const inputs = (order: 'asc' | 'desc') => rowsOf(experiment, undefined, { score: 'a', order }).map((row) => row.input);
    assert.deepEqual(inputs('asc'), ['three', 'one', 'four', 'two']);
    assert.deepEqual(inputs('desc'), ['one', 'four', 'three', 'two']);
    assert.deepEqual(rowsOf(experiment, undefined).map((row) => row.input), ['one', 'two', 'three', 'four'], 'run order');
  });

  it('compares with the base\'s later case when the base holds an input twice', () => {
    const base = experimentOf('twice', [{ input: INPUTS[0]!, spans: [{ a: 0 }] }, { input: INPUTS[0]!, spans: [{ a: 1 }] }]);
    const candidate = experimentOf('after-twice', [{ input: INPUTS[0]!, spans: [{ a: 0.5 }] }], base);
    assert.deepEqual(rowsOf(candidate, base)[0]?.base?.scores, { a: 1 });
  });

  it('says how many other rows are compared with a row\'s base case, counting every row whatever the filter', () => {
    const base = experimentOf('shared-base', [{ input: INPUTS[0]!, spans: [{ a: 0.5 }] }, { input: INPUTS[1]!, spans: [{ a: 0.5 }] }]);
    const candidate = experimentOf(
      'shared-candidate',
      [
        { input: INPUTS[0]!, spans: [{ a: 1 }] },
        { input: INPUTS[0]!, spans: [{ a: 0 }] },
        { input: INPUTS[0]!, spans: [{ a: 0.25 }] },
        { input: INPUTS[1]!, spans: [{ a: 1 }] },
        { input: INPUTS[2]!, spans: [{ a: 1 }] },
      ],
      base,
    );
    const all = rowsOf(candidate, base);
    assert.deepEqual(all.map((row) => row.base?.shared_with ?? null), [2, 2, 2, 0, null]);
    assert.equal(new Set(all.slice(0, 3).map((row) => row.base?.root_span_id)).size, 1, 'one base case for the three');
    const regressed = rowsOf(candidate, base, { score: 'a', order: 'asc', change: 'regressed' });
    assert.deepEqual(regressed.map((row) => [row.scores.a, row.base?.shared_with]), [[0, 2], [0.25, 2]]);
  });

  it('reads a case\'s input, output and expected as text, and its error\'s first line', () => {
    const experiment = experimentOf('texts', [
      {
        input: { patient_query: 'Fatigue?', follow_ups: ['And thirst?'] },
        spans: [{}],
        fields: { output: 'An answer', expected: { final_response: 'The logged answer' }, error: 'boom\n\nError: boom\n    at task', metadata: { trace_root_span_id: 'conv-1' } },
      },
      { input: { question: 'x'.repeat(400) }, spans: [{}], fields: { output: { items: [1, 2] }, metadata: { trace_root_span_id: 42 } } },
    ]);
    const [first, second] = rowsOf(experiment, undefined);
    assert.deepEqual([first?.input, first?.output, first?.expected, first?.error, first?.scored_trace], ['Fatigue?', 'An answer', 'The logged answer', 'boom', 'conv-1']);
    assert.equal(second?.input?.length, 300, 'clipped');
    assert.ok(second?.input?.startsWith('{"question":"xxx') && second.input.endsWith('…'));
    assert.equal(second?.output, '{"items":[1,2]}');
    assert.equal(second?.expected, null);
    assert.equal(second?.scored_trace, null, 'only a string names a trace');
    assert.equal(summaryText('null'), null);
  });
});
