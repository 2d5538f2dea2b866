// Read-side aggregates the SDK asks for: a dataset's record count and an experiment's score and
// metric summary compared with a base experiment. Scores sit on score spans, so a case's scores
// are gathered over every span of its trace (root_span_id), then averaged over cases.
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
  /** The root span's input as stored JSON text: how a case is matched with the base experiment's. */
  inputKey?: string;
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
  /** The base experiment's cases by input, as the comparison matched them (a repeated input: its last case). */
  baseByInput: Map<string, CaseScores>;
}

interface CaseStats {
  /** The root span's input as JSON text: how a case is matched with the base experiment's. */
  inputKey?: string;
  scores: Map<string, number[]>;
  metrics: Map<string, number>;
}

interface ExperimentSpanRow {
  case_key: string;
  is_root: number;
  scores: string | null;
  metrics: string | null;
  input: string | null;
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
              CASE WHEN is_root THEN row -> '$.input' END AS input
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
   * input as they were matched — from one read of each experiment's spans.
   */
  compareWithCases(experimentId: string, baseExperimentId?: string): ComparedCases {
    const cases = this.loadCases(experimentId);
    const baseCases = baseExperimentId ? this.loadCases(baseExperimentId) : undefined;
    const baseByInput = byInput(baseCases ?? new Map<string, CaseStats>());

    const scores: Record<string, ScoreSummary> = {};
    for (const name of namesOf(cases, (c) => c.scores.keys())) {
      const score = mean(caseValues(cases, (c) => caseScore(c, name)));
      if (score === undefined) continue;
      const summary: ScoreSummary = { name, score, improvements: 0, regressions: 0 };
      if (baseCases) {
        const baseScore = mean(caseValues(baseCases, (c) => caseScore(c, name)));
        if (baseScore !== undefined) summary.diff = score - baseScore;
        countChanges(cases, baseByInput, (c) => caseScore(c, name), 'higher', summary);
      }
      scores[name] = summary;
    }

    const metrics: Record<string, MetricSummary> = {};
    for (const name of namesOf(cases, (c) => c.metrics.keys())) {
      const value = mean(caseValues(cases, (c) => c.metrics.get(name)));
      if (value === undefined) continue;
      const summary: MetricSummary = { name, metric: value, unit: name === 'duration' ? 's' : 'tok', improvements: 0, regressions: 0 };
      if (baseCases) {
        const baseValue = mean(caseValues(baseCases, (c) => c.metrics.get(name)));
        if (baseValue !== undefined) summary.diff = value - baseValue;
        countChanges(cases, baseByInput, (c) => c.metrics.get(name), 'lower', summary);
      }
      metrics[name] = summary;
    }
    const caseKeyOf = new Map([...(baseCases ?? [])].map(([caseKey, stats]) => [stats, caseKey]));
    return {
      scores,
      metrics,
      cases: new Map([...cases].map(([caseKey, stats]) => [caseKey, caseScoresOf(caseKey, stats)])),
      baseByInput: new Map([...baseByInput].map(([input, stats]) => [input, caseScoresOf(caseKeyOf.get(stats)!, stats)])),
    };
  }

  private loadCases(experimentId: string): Map<string, CaseStats> {
    const cases = new Map<string, CaseStats>();
    for (const row of this.experimentRows.iterate(experimentId)) {
      let stats = cases.get(row.case_key);
      if (!stats) {
        stats = { scores: new Map(), metrics: new Map() };
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
        if (row.input !== null) stats.inputKey = row.input;
      }
    }
    return cases;
  }
}

// A repeated input: its last case (in store order) is the one matched.
function byInput(cases: Map<string, CaseStats>): Map<string, CaseStats> {
  const matched = new Map<string, CaseStats>();
  for (const stats of cases.values()) if (stats.inputKey !== undefined) matched.set(stats.inputKey, stats);
  return matched;
}

function caseScoresOf(caseKey: string, stats: CaseStats): CaseScores {
  const scores: Record<string, number> = {};
  for (const name of stats.scores.keys()) {
    const score = caseScore(stats, name);
    if (score !== undefined) scores[name] = score;
  }
  return { caseKey, ...(stats.inputKey === undefined ? {} : { inputKey: stats.inputKey }), scores };
}

function caseScore(stats: CaseStats, name: string): number | undefined {
  return mean(stats.scores.get(name) ?? []);
}

function namesOf(cases: Map<string, CaseStats>, keys: (c: CaseStats) => Iterable<string>): string[] {
  const names = new Set<string>();
  for (const stats of cases.values()) for (const key of keys(stats)) names.add(key);
  return [...names].sort();
}

function caseValues(cases: Map<string, CaseStats>, value: (c: CaseStats) => number | undefined): number[] {
  const values: number[] = [];
  for (const stats of cases.values()) {
    const v = value(stats);
    if (v !== undefined) values.push(v);
  }
  return values;
}

function countChanges(
  cases: Map<string, CaseStats>,
  baseByInput: Map<string, CaseStats>,
  value: (c: CaseStats) => number | undefined,
  better: 'higher' | 'lower',
  summary: { improvements: number; regressions: number },
): void {
  for (const stats of cases.values()) {
    const base = stats.inputKey === undefined ? undefined : baseByInput.get(stats.inputKey);
    if (!base) continue;
    const now = value(stats);
    const before = value(base);
    if (now === undefined || before === undefined || now === before) continue;
    if ((now > before) === (better === 'higher')) summary.improvements++;
    else summary.regressions++;
  }
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
