// The per-scorer figures of an eval run: mean, count and minimum over the cases that got a score
// (null scores — "not applicable" or an undecided judge — are counted apart), and the comparison
// with the baseline experiment as the backend summarised it (diff of means, cases improved or
// regressed).
import type { ExperimentSummary } from 'braintrust';

export interface BaselineComparison {
  /** This run's mean minus the baseline's; undefined when the baseline has no such score. */
  diff: number | undefined;
  improvements: number;
  regressions: number;
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
}

export function summariseScores(cases: readonly ScoredCase[], names: readonly string[], summary: ExperimentSummary | undefined): ScorerSummary[] {
  const compared = summary?.comparisonExperimentName !== undefined;
  return names.map((name) => {
    const values: number[] = [];
    let nulls = 0;
    for (const scored of cases) {
      const value = scored.scores[name];
      if (typeof value === 'number' && Number.isFinite(value)) values.push(value);
      else if (value === null) nulls++;
    }
    const backend = summary?.scores[name];
    return {
      name,
      mean: values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length,
      n: values.length,
      min: values.length === 0 ? undefined : Math.min(...values),
      nulls,
      baseline: compared ? { diff: backend?.diff, improvements: backend?.improvements ?? 0, regressions: backend?.regressions ?? 0 } : undefined,
    };
  });
}
