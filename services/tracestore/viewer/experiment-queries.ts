// The viewer's reads of experiments, as fixed SQL with bound parameters: a project's experiments
// newest first, how many cases (root spans) each has, and one experiment's cases (their root
// spans). A case is a trace of the experiment (its root_span_id); its scores come from the store's
// comparison (store/summaries.ts), so the pages and Eval's summary count them alike.
import type { TraceDatabase } from '../db/open-database.js';
import { objectKeyOf } from '../db/schema.js';

export interface ExperimentObjectRow {
  /** Registration order: later experiments have larger numbers. */
  seq: number;
  id: string;
  name: string;
  created: string;
  /** JSON text: description, metadata, tags, base_exp_id, … */
  info: string;
}

/** A case's root span; the JSON fields as stored text (null when the row has none). */
export interface CaseRootRow {
  rowid: number;
  id: string;
  span_id: string | null;
  root_span_id: string;
  created: string | null;
  started: number | null;
  ended: number | null;
  input: string | null;
  output: string | null;
  expected: string | null;
  error: string | null;
  /** metadata.trace_root_span_id: the conversation `tracemesh eval` scored the case on. */
  scored_trace: unknown;
}

const EXPERIMENT_SPANS = `s.object_key = ${objectKeyOf("'experiment'", '?')}`;

// Run order: the cases' start times (they run concurrently; the rowid breaks ties in write order).
const CASE_ORDER = `ORDER BY s.row ->> '$.metrics.start', s.rowid`;

export class ExperimentQueries {
  private readonly experimentsOfProject;
  private readonly caseCount;
  private readonly caseRoots;

  constructor(db: TraceDatabase) {
    this.experimentsOfProject = db.prepare<[{ project_id: string; before_seq: number | null; limit: number }], ExperimentObjectRow>(
      `SELECT seq, id, name, created, info FROM objects
       WHERE kind = 'experiment' AND project_id = @project_id AND (@before_seq IS NULL OR seq < @before_seq)
       ORDER BY seq DESC LIMIT @limit`,
    );
    this.caseCount = db.prepare<[string], { total: number }>(`SELECT count(*) AS total FROM spans s WHERE ${EXPERIMENT_SPANS} AND s.is_root = 1`);
    this.caseRoots = db.prepare<[string], CaseRootRow>(
      `SELECT s.rowid AS rowid, s.id, s.span_id, s.root_span_id, s.created,
              s.row ->> '$.metrics.start' AS started, s.row ->> '$.metrics.end' AS ended,
              s.row -> '$.input' AS input, s.row -> '$.output' AS output, s.row -> '$.expected' AS expected,
              s.row -> '$.error' AS error, s.row ->> '$.metadata.trace_root_span_id' AS scored_trace
       FROM spans s WHERE ${EXPERIMENT_SPANS} AND s.is_root = 1 AND s.root_span_id IS NOT NULL
       ${CASE_ORDER}`,
    );
  }

  /** Up to `limit` experiments of the project, newest (last registered) first, before `beforeSeq` if given. */
  experiments(projectId: string, limit: number, beforeSeq?: number): ExperimentObjectRow[] {
    return this.experimentsOfProject.all({ project_id: projectId, before_seq: beforeSeq ?? null, limit });
  }

  caseCountOf(experimentId: string): number {
    return this.caseCount.get(experimentId)?.total ?? 0;
  }

  /** The experiment's cases in run order. */
  cases(experimentId: string): CaseRootRow[] {
    return this.caseRoots.all(experimentId);
  }
}
