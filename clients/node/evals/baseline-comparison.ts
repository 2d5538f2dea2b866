// This run against its baseline, case by case, by the rule the trace store's experiment
// comparison also uses (lib/evals/case-comparison.ts): cases matched by input (a repeated input
// meets the baseline's last case with that input), only matched cases that ran on both sides
// compared, so the change of a score is the mean change over shared cases, never the difference of
// two means over different cases. Cases that failed to run are left out on both sides: their scores
// (0 everywhere in older runs) say nothing about answer quality.
import { initExperiment } from 'braintrust';
import { changeOver, matchCases, type ValueChange } from '../../../lib/evals/case-comparison.js';
import { asRecord } from '../span-fields.js';

/** One case as the comparison sees it. */
export interface ComparableCase {
  input: unknown;
  /** Each score of the case (null or missing: not scored). */
  scores: Record<string, number | null | undefined>;
  failed: boolean;
}

/** A scorer's change over the shared cases both runs scored (diff undefined when there are none). */
export type ScorerChange = ValueChange;

export interface BaselineComparison {
  baseline: string;
  /** Cases of this run that ran (not failed). */
  cases: number;
  /** Cases of the baseline that ran. */
  baselineCases: number;
  /** Cases of this run that ran and whose input the baseline also ran. */
  sharedCases: number;
  scorers: Record<string, ScorerChange>;
}

export function compareWithBaseline(baseline: string, current: readonly ComparableCase[], base: readonly ComparableCase[], scorerNames: readonly string[]): BaselineComparison {
  const { ran, baseRan, pairs } = matchCases(current, base);
  const scorers: Record<string, ScorerChange> = {};
  for (const name of scorerNames) scorers[name] = changeOver(pairs, (c) => numeric(c.scores[name]));
  return { baseline, cases: ran.length, baselineCases: baseRan.length, sharedCases: pairs.length, scorers };
}

const numeric = (value: number | null | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * The cases of a stored experiment: one per trace (root_span_id), its input and error from the
 * root span, each score the mean over the case's spans (as the experiment comparison takes it).
 */
export async function experimentCases(project: string, experimentName: string): Promise<ComparableCase[]> {
  interface Gathered { input: unknown; failed: boolean; values: Map<string, number[]> }
  const byTrace = new Map<string, Gathered>();
  for await (const row of initExperiment(project, { experiment: experimentName, open: true }).fetch()) {
    const record = asRecord(row);
    const rootSpanId = typeof record?.root_span_id === 'string' ? record.root_span_id : undefined;
    if (!record || !rootSpanId) continue;
    let gathered = byTrace.get(rootSpanId);
    if (!gathered) {
      gathered = { input: undefined, failed: false, values: new Map() };
      byTrace.set(rootSpanId, gathered);
    }
    const parents = record.span_parents;
    if (!Array.isArray(parents) || parents.length === 0) {
      gathered.input = record.input;
      gathered.failed = record.error !== undefined && record.error !== null;
    }
    for (const [name, value] of Object.entries(asRecord(record.scores) ?? {})) {
      if (typeof value !== 'number') continue;
      gathered.values.set(name, [...(gathered.values.get(name) ?? []), value]);
    }
  }
  return [...byTrace.values()].map(({ input, failed, values }) => ({
    input,
    failed,
    scores: Object.fromEntries([...values].map(([name, list]) => [name, list.reduce((s, v) => s + v, 0) / list.length])),
  }));
}
