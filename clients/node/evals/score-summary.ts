// The per-scorer figures of an eval run: mean, count and minimum over the cases that ran and got a
// score (null scores — "not applicable" or an undecided judge — are counted apart; cases that
// failed to run are left out: they are reported on their own), and the change against the
// baseline over the cases both runs share (baseline-comparison.ts).
import type { BaselineComparison as CaseComparison } from './baseline-comparison.js';

export interface BaselineComparison {
  /** Mean change of the score over the shared cases both runs scored; undefined when there are none. */
  diff: number | undefined;
  improvements: number;
  regressions: number;
  /** Shared cases the change is measured on. */
  compared: number;
}

export interface ScorerSummary {
  name: string;
  mean: number | undefined;
  n: number;
  min: number | undefined;
  /** Cases where the scorer gave null. */
  nulls: number;
  baseline: BaselineComparison | undefined;
}

export interface ScoredCase {
  scores: Record<string, number | null>;
  /** The case's task failed: it has no answer to score. */
  error?: unknown;
}

export function summariseScores(cases: readonly ScoredCase[], names: readonly string[], comparison: CaseComparison | undefined): ScorerSummary[] {
  const ran = cases.filter((scored) => scored.error === undefined || scored.error === null);
  return names.map((name) => {
    const values: number[] = [];
    let nulls = 0;
    for (const scored of ran) {
      const value = scored.scores[name];
      if (typeof value === 'number' && Number.isFinite(value)) values.push(value);
      else if (value === null) nulls++;
    }
    const change = comparison?.scorers[name];
    return {
      name,
      mean: values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length,
      n: values.length,
      min: values.length === 0 ? undefined : Math.min(...values),
      nulls,
      baseline: comparison ? { diff: change?.diff, improvements: change?.improvements ?? 0, regressions: change?.regressions ?? 0, compared: change?.compared ?? 0 } : undefined,
    };
  });
}
