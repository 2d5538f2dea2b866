// The cases that scored lowest in an eval run, each with the trace it was scored on: after a gate
// fails, what a reader opens next (`tracemesh trace <id>`) to see why the agent answered as it did.
import type { EvalMetadata } from './eval-case.js';
import { traceRootOf } from './scorers/case-trace.js';

export interface LowCase {
  query: string;
  /** The mean of the case's numeric scores. */
  meanScore: number;
  /** Its lowest score and which scorer gave it. */
  lowest: { scorer: string; score: number };
  /** The conversation trace the case was scored on, when it had one. */
  traceRootSpanId: string | undefined;
}

export interface ScoredResult {
  scores: Record<string, number | null>;
  metadata?: EvalMetadata;
  error?: unknown;
}

/** Up to `count` cases, lowest mean first; cases whose task failed are reported apart and left out. */
export function lowestCases<R extends ScoredResult>(results: readonly R[], queryOf: (result: R) => string, count = 5): LowCase[] {
  const scored = results.flatMap((result): LowCase[] => {
    if (result.error !== undefined && result.error !== null) return [];
    const values = Object.entries(result.scores).flatMap(([scorer, score]) => (typeof score === 'number' && Number.isFinite(score) ? [{ scorer, score }] : []));
    if (values.length === 0) return [];
    const lowest = values.reduce((a, b) => (b.score < a.score ? b : a));
    return [{ query: queryOf(result), meanScore: values.reduce((sum, v) => sum + v.score, 0) / values.length, lowest, traceRootSpanId: traceRootOf(result.metadata) }];
  });
  return scored.sort((a, b) => a.meanScore - b.meanScore).slice(0, count);
}
