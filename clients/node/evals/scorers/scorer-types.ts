// What every scorer here takes and returns. The arguments are the braintrust SDK's scorer arguments
// (an eval case plus its output and, inside Eval, the SDK's trace); the result is one named score in
// [0, 1] — or null when the scorer does not apply or could not decide, with the reason in metadata.
import type { Trace } from 'braintrust';

export interface ScorerArgs {
  input?: unknown;
  output: unknown;
  expected?: unknown;
  metadata?: Record<string, unknown>;
  trace?: Trace;
}

export interface CaseScore {
  name: string;
  score: number | null;
  metadata: Record<string, unknown>;
}

export type CaseScorer = (args: ScorerArgs) => Promise<CaseScore>;

/** A scorer's work: its score and metadata (the name is added by defineScorer). */
export type ScoreBody = (args: ScorerArgs) => Promise<Omit<CaseScore, 'name'>>;

/**
 * A named scorer. Eval names the scorer's span after the function, so the function carries the
 * score's name. A scorer that throws gives score null with the error in metadata: one broken case
 * never stops the eval.
 */
export function defineScorer(name: string, body: ScoreBody): CaseScorer {
  const scorer = async (args: ScorerArgs): Promise<CaseScore> => {
    try {
      return { name, ...(await body(args)) };
    } catch (error) {
      return { name, score: null, metadata: { error: errorMessage(error) } };
    }
  };
  return Object.defineProperty(scorer, 'name', { value: name });
}

export function clampScore(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Two decimals: enough for a score, and stable in logs and tests. */
export function roundScore(value: number): number {
  return Math.round(clampScore(value) * 100) / 100;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
