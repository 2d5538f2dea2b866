// Read-side aggregates the SDK asks for: a dataset's record count and an experiment's score and
// metric summary compared with a base experiment. Scores sit on score spans, so a case's scores
// are gathered over every span of its trace (root_span_id), then averaged over cases; the
// comparison itself is lib/evals/case-comparison.ts, shared with `tracemesh eval`.
import { changeOver, inputKey, matchCases, meanOverRan, type CaseOfRun, type ValueChange } from '../../../lib/evals/case-comparison.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';
import { objectKeyOf } from '../db/schema.js';

export interface ScoreSummary {
  name: string;
  score: number;
  diff?: number;
  improvements: number;
  regressions: number;
}

export interface MetricSummary {
  name: string;
  metric: number;
  unit: string;
  diff?: number;
  improvements: number;
  regressions: number;
}

/** One case of an experiment (a trace), as comparisons see it. */
export interface CaseScores {
  /** The case's trace: its root_span_id. */
  caseKey: string;
  /** The root span's input as canonical JSON: how a case is matched with the base experiment's. */
  inputKey?: string;
  /** The root span has an error: the case failed to run, and is left out of the comparison. */
  failed: boolean;
  /** Each score's mean over the case's spans (numbers only). */
  scores: Record<string, number>;
}

export interface ExperimentComparison {
  scores: Record<string, ScoreSummary>;
  metrics: Record<string, MetricSummary>;
}

export interface ComparedCases extends ExperimentComparison {
  /** Each case of the experiment, by its root_span_id. */
  cases: Map<string, CaseScores>;
  /** The base's cases that ran, by input key, as the comparison matched them (a repeated input: its last case). */
  baseByInput: Map<string, CaseScores>;
}

interface CaseStats extends CaseOfRun {
  caseKey: string;
  scores: Map<string, number[]>;
  metrics: Map<string, number>;
}

interface ExperimentSpanRow {
  case_key: string;
  is_root: number;
  scores: string | null;
  metrics: string | null;
  input: string | null;
  error: string | null;
}

// Summed over a case's spans; lower is better.
const TOKEN_METRICS = ['prompt_tokens', 'completion_tokens', 'tokens'];

export class Summaries {
  private readonly countRows;
  private readonly experimentRows;

  constructor(db: TraceDatabase) {
    this.countRows = db.prepare<[string, string], { total: number }>(
      `SELECT count(*) AS total FROM spans WHERE object_key = ${objectKeyOf('?', '?')}`,
    );
    this.experimentRows = db.prepare<[string], ExperimentSpanRow>(
      `SELECT coalesce(root_span_id, id) AS case_key, is_root, row -> '$.scores' AS scores, row -> '$.metrics' AS metrics,
              CASE WHEN is_root THEN row -> '$.input' END AS input, CASE WHEN is_root THEN row -> '$.error' END AS error
       FROM spans WHERE object_key = ${objectKeyOf("'experiment'", '?')}`,
    );
  }

  datasetRecordCount(datasetId: string): number {
    return this.countRows.get('dataset', datasetId)?.total ?? 0;
  }

  compareExperiments(experimentId: string, baseExperimentId?: string): ExperimentComparison {
    const { scores, metrics } = this.compareWithCases(experimentId, baseExperimentId);
    return { scores, metrics };
  }

  /**
   * The comparison, and the cases it compared: each case's score means, and the base's cases by
   * input as they were matched — from one read of each experiment's spans. Scores and their changes
   * follow lib/evals/case-comparison.ts, the rule `tracemesh eval` prints by: a score's mean is over
   * the cases that ran; its diff, improvements and regressions are over the cases both runs ran
   * with the same input (the mean change, not the difference of the two means).
   */
  compareWithCases(experimentId: string, baseExperimentId?: string): ComparedCases {
    const cases = this.loadCases(experimentId);
    const matched = baseExperimentId ? matchCases(cases, this.loadCases(baseExperimentId)) : undefined;

    const scores: Record<string, ScoreSummary> = {};
    for (const name of namesOf(cases, (c) => c.scores.keys())) {
      const value = (c: CaseStats): number | undefined => caseScore(c, name);
      const score = meanOverRan(cases, value);
      if (score === undefined) continue;
      scores[name] = { name, score, ...changeFields(matched && changeOver(matched.pairs, value, 'higher')) };
    }

    // A metric's mean counts every case (a failed case spent its time and tokens too); its change,
    // like a score's, is over the shared cases that ran.
    const metrics: Record<string, MetricSummary> = {};
    for (const name of namesOf(cases, (c) => c.metrics.keys())) {
      const value = (c: CaseStats): number | undefined => c.metrics.get(name);
      const metric = mean(cases.flatMap((c) => value(c) ?? []));
      if (metric === undefined) continue;
      const unit = name === 'duration' ? 's' : 'tok';
      metrics[name] = { name, metric, unit, ...changeFields(matched && changeOver(matched.pairs, value, 'lower')) };
    }
    return {
      scores,
      metrics,
      cases: new Map(cases.map((stats) => [stats.caseKey, caseScoresOf(stats)])),
      baseByInput: new Map([...(matched?.baseByInput ?? [])].map(([key, stats]) => [key, caseScoresOf(stats)])),
    };
  }

  /** The experiment's cases in store order, one per trace. */
  private loadCases(experimentId: string): CaseStats[] {
    const cases = new Map<string, CaseStats>();
    for (const row of this.experimentRows.iterate(experimentId)) {
      let stats = cases.get(row.case_key);
      if (!stats) {
        stats = { caseKey: row.case_key, input: undefined, failed: false, scores: new Map(), metrics: new Map() };
        cases.set(row.case_key, stats);
      }
      const scores = parseObject(row.scores);
      for (const [name, value] of Object.entries(scores)) {
        if (typeof value !== 'number') continue;
        const list = stats.scores.get(name) ?? [];
        list.push(value);
        stats.scores.set(name, list);
      }
      const metrics = parseObject(row.metrics);
      for (const name of TOKEN_METRICS) {
        const value = metrics[name];
        if (typeof value === 'number') stats.metrics.set(name, (stats.metrics.get(name) ?? 0) + value);
      }
      if (row.is_root) {
        if (typeof metrics.start === 'number' && typeof metrics.end === 'number') stats.metrics.set('duration', metrics.end - metrics.start);
        if (row.input !== null) stats.input = JSON.parse(row.input) as JsonValue;
        // As `tracemesh eval` reads a stored case: any error that is not null failed it.
        stats.failed = row.error !== null && row.error !== 'null';
      }
    }
    return [...cases.values()];
  }
}

/** The summary's comparison fields: with a base, the change (diff only when some case was compared). */
function changeFields(change: ValueChange | undefined): { diff?: number; improvements: number; regressions: number } {
  if (!change) return { improvements: 0, regressions: 0 };
  const { diff, improvements, regressions } = change;
  return diff === undefined ? { improvements, regressions } : { diff, improvements, regressions };
}

function caseScoresOf(stats: CaseStats): CaseScores {
  const scores: Record<string, number> = {};
  for (const name of stats.scores.keys()) {
    const score = caseScore(stats, name);
    if (score !== undefined) scores[name] = score;
  }
  const key = inputKey(stats.input);
  return { caseKey: stats.caseKey, ...(key === undefined ? {} : { inputKey: key }), failed: stats.failed, scores };
}

function caseScore(stats: CaseStats, name: string): number | undefined {
  return mean(stats.scores.get(name) ?? []);
}

function namesOf(cases: readonly CaseStats[], keys: (c: CaseStats) => Iterable<string>): string[] {
  const names = new Set<string>();
  for (const stats of cases) for (const key of keys(stats)) names.add(key);
  return [...names].sort();
}

function mean(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function parseObject(text: string | null): JsonObject {
  if (text === null) return {};
  const value = JSON.parse(text) as JsonValue;
  return isJsonObject(value) ? value : {};
}
