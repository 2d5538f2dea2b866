// What the viewer's experiment pages show, assembled: each experiment's score means compared with
// its base experiment (the store's own comparison, store/summaries.ts, by the rule of
// lib/evals/case-comparison.ts — the numbers Eval's summary and `tracemesh eval` print), and one
// experiment's cases, each beside the base case with the same input, sorted or narrowed by a score.
// Texts are cut short here: the trace page has them whole.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import { storedBaseExperiment } from '../routes/experiment-routes.js';
import type { NamedObject } from '../store/registry.js';
import type { ComparedCases, ExperimentComparison, MetricSummary, ScoreSummary } from '../store/summaries.js';
import type { StoreContext } from '../store/store-context.js';
import type { ExperimentRowsRequest } from './experiment-request.js';
import type { CaseRootRow, ExperimentObjectRow, ExperimentQueries } from './experiment-queries.js';

/** The most rows one answer holds (after sorting and filtering, so "lowest first" is right however many there are). */
export const MAX_EXPERIMENT_ROWS = 1000;
const TEXT_MAX_CHARS = 300;
// A case's input or answer read as text: the fields `tracemesh dataset` and eval cases use, in order.
const TEXT_FIELDS = ['patient_query', 'final_response', 'text', 'message', 'content'];

export interface ExperimentRef {
  id: string;
  name: string;
}

export interface ExperimentSummary {
  id: string;
  name: string;
  created: string;
  /** Cases: the experiment's root spans. */
  row_count: number;
  base: ExperimentRef | null;
  metadata: JsonObject | null;
  tags: string[];
  /**
   * Per score: mean over the cases that ran; with a base, over the cases both ran with the same
   * input: `diff` (the mean change) and the cases improved and regressed.
   */
  scores: Record<string, ScoreSummary>;
  /** duration (s) and token counts: means over every case, compared the same way (lower is better). */
  metrics: Record<string, MetricSummary>;
}

export interface ExperimentRow {
  root_span_id: string;
  span_id: string | null;
  created: string | null;
  started: number | null;
  duration_s: number | null;
  input: string | null;
  output: string | null;
  expected: string | null;
  /** The case's error (its first line), when the task failed. */
  error: string | null;
  /** Each score's mean over the case's spans; none when the case failed (it is not compared). */
  scores: Record<string, number>;
  /**
   * The base experiment's case with the same input, if there is one; `shared_with`: how many other
   * rows of this experiment are compared with that same case (the base has one case per input, so
   * an input run several times meets the one base case each time), counted before any filter.
   */
  base: { root_span_id: string; scores: Record<string, number>; shared_with: number } | null;
  /** The trace the case was scored on (metadata.trace_root_span_id, set by `tracemesh eval`). */
  scored_trace: string | null;
}

export interface ExperimentRows {
  rows: ExperimentRow[];
  /** Rows left after `change`; more than rows.length when truncated. */
  matching_rows: number;
  truncated: boolean;
}

export class ExperimentResults {
  constructor(
    private readonly store: Pick<StoreContext, 'registry' | 'summaries'>,
    private readonly queries: ExperimentQueries,
  ) {}

  /** The project's experiments newest first, each summarised; `next` is where the following page starts. */
  list(projectId: string, limit: number, beforeSeq?: number): { experiments: ExperimentSummary[]; next?: number } {
    const objects = this.queries.experiments(projectId, limit + 1, beforeSeq);
    const page = objects.slice(0, limit);
    const experiments = page.map((object) => this.summarise(toNamedObject(object, projectId)));
    return objects.length > limit ? { experiments, next: page[page.length - 1]!.seq } : { experiments };
  }

  summarise(experiment: NamedObject): ExperimentSummary {
    const base = storedBaseExperiment(this.store.registry, experiment);
    return this.summaryOf(experiment, base, this.store.summaries.compareExperiments(experiment.id, base?.id));
  }

  /** One experiment's page: its summary and its rows, from one read of its spans and its base's. */
  detail(experiment: NamedObject, request: ExperimentRowsRequest): { summary: ExperimentSummary } & ExperimentRows {
    const base = storedBaseExperiment(this.store.registry, experiment);
    const compared = this.store.summaries.compareWithCases(experiment.id, base?.id);
    return { summary: this.summaryOf(experiment, base, compared), ...this.rowsOf(experiment, compared, request) };
  }

  /** The experiment's cases with their base cases, sorted by `request.score` and narrowed by `request.change`. */
  rows(experiment: NamedObject, base: ExperimentRef | null, request: ExperimentRowsRequest): ExperimentRows {
    return this.rowsOf(experiment, this.store.summaries.compareWithCases(experiment.id, base?.id), request);
  }

  private summaryOf(experiment: NamedObject, base: NamedObject | undefined, comparison: ExperimentComparison): ExperimentSummary {
    const { metadata, tags } = experiment.info;
    return {
      id: experiment.id,
      name: experiment.name,
      created: experiment.created,
      row_count: this.queries.caseCountOf(experiment.id),
      base: base ? { id: base.id, name: base.name } : null,
      metadata: isJsonObject(metadata) ? metadata : null,
      tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [],
      scores: { ...comparison.scores },
      metrics: { ...comparison.metrics },
    };
  }

  // The store's own per-case scores and input matching, so a row's marks agree with the
  // improvements and regressions the comparison counts. A failed case shows no scores (as
  // `tracemesh eval` reports it: not scored), so nothing marks it as moved; it keeps its base case
  // beside it for reference. A base case that failed is no match (the comparison leaves it out).
  private rowsOf(experiment: NamedObject, compared: ComparedCases, request: ExperimentRowsRequest): ExperimentRows {
    const { cases, baseByInput } = compared;
    let rows = this.queries.cases(experiment.id).map((root) => {
      const scored = cases.get(root.root_span_id);
      const baseCase = scored?.inputKey === undefined ? undefined : baseByInput.get(scored.inputKey);
      const scores = !scored || scored.failed ? {} : scored.scores;
      return toRow(root, scores, baseCase ? { root_span_id: baseCase.caseKey, scores: baseCase.scores, shared_with: 0 } : null);
    });
    markSharedBases(rows);
    if (request.score !== undefined) {
      const name = request.score;
      if (request.change) rows = rows.filter((row) => changeOf(row, name) === request.change);
      rows = sortByScore(rows, name, request.order);
    }
    return { rows: rows.slice(0, MAX_EXPERIMENT_ROWS), matching_rows: rows.length, truncated: rows.length > MAX_EXPERIMENT_ROWS };
  }
}

// Rows compared with the same base case: each row learns how many others are (before filtering,
// so a narrowed page still says the base case is shared).
function markSharedBases(rows: ExperimentRow[]): void {
  const rowsPerBase = new Map<string, number>();
  for (const { base } of rows) if (base) rowsPerBase.set(base.root_span_id, (rowsPerBase.get(base.root_span_id) ?? 0) + 1);
  for (const { base } of rows) if (base) base.shared_with = rowsPerBase.get(base.root_span_id)! - 1;
}

/** The row's change against its base case on one score (higher is better); undefined without both scores or when equal. */
export function changeOf(row: ExperimentRow, name: string): 'improved' | 'regressed' | undefined {
  const now = row.scores[name];
  const before = row.base?.scores[name];
  if (now === undefined || before === undefined || now === before) return undefined;
  return now > before ? 'improved' : 'regressed';
}

// Rows without the score go last whatever the order; equal scores keep run order (a stable sort).
function sortByScore(rows: ExperimentRow[], name: string, order: 'asc' | 'desc'): ExperimentRow[] {
  const direction = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.scores[name];
    const y = b.scores[name];
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0);
    return (x - y) * direction;
  });
}

function toRow(root: CaseRootRow, scores: Record<string, number>, base: ExperimentRow['base']): ExperimentRow {
  const started = finiteOrNull(root.started);
  const ended = finiteOrNull(root.ended);
  return {
    root_span_id: root.root_span_id,
    span_id: root.span_id,
    created: root.created,
    started,
    duration_s: started !== null && ended !== null && ended >= started ? ended - started : null,
    input: summaryText(root.input),
    output: summaryText(root.output),
    expected: summaryText(root.expected),
    error: errorText(root.error),
    scores,
    base,
    scored_trace: typeof root.scored_trace === 'string' && root.scored_trace !== '' ? root.scored_trace : null,
  };
}

function toNamedObject(row: ExperimentObjectRow, projectId: string): NamedObject {
  const info = JSON.parse(row.info) as JsonValue;
  return { kind: 'experiment', id: row.id, project_id: projectId, name: row.name, created: row.created, info: isJsonObject(info) ? info : {}, seq: row.seq };
}

/** A stored JSON value as one line of text: a string itself, an object's text field, else the JSON. */
export function summaryText(json: string | null): string | null {
  if (json === null) return null;
  const value = JSON.parse(json) as JsonValue;
  if (value === null) return null;
  if (typeof value === 'string') return clip(value);
  if (isJsonObject(value)) {
    const field = TEXT_FIELDS.find((name) => typeof value[name] === 'string');
    if (field) return clip(value[field] as string);
  }
  return clip(json);
}

// The SDK stores "message\n\nError: message\n    at …": the first line says what happened.
function errorText(json: string | null): string | null {
  if (json === null) return null;
  const value = JSON.parse(json) as JsonValue;
  if (value === null || value === '') return null;
  return clip(typeof value === 'string' ? (value.split('\n')[0] ?? value) : json);
}

function clip(text: string): string {
  return text.length > TEXT_MAX_CHARS ? `${text.slice(0, TEXT_MAX_CHARS - 1)}…` : text;
}

function finiteOrNull(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
