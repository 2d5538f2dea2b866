// How an experiment (an eval run) is compared with its base, case by case: the one rule that
// `tracemesh eval` (clients/node/evals/baseline-comparison.ts) and the trace store's experiment
// comparison (services/tracestore/store/summaries.ts: the SDK's summary and the viewer) both use,
// so the numbers the CLI prints and the ones the viewer shows cannot drift apart.
//
// - Cases are matched by input (canonical JSON: key order does not matter), as Braintrust matches
//   them; when the base ran one input several times, its last case with that input is the match.
// - Cases that failed to run (an error on the case) are left out on both sides: their scores (0
//   everywhere in older runs, or from an SDK error handler) say nothing about answer quality.
// - A value's change is the mean change over the matched cases that have the value on both sides,
//   never the difference of two means over different cases: runs that only partly overlap would
//   otherwise report the difference between their case mixes as a change.
// Pure: no SDK, no store; callers bring their cases.
import { canonicalJson } from '../json.js';

/** What the comparison needs of a case. */
export interface CaseOfRun {
  /** The case's input (undefined: the case has none, and is matched with nothing). */
  input: unknown;
  /** The case failed to run: left out of every comparison. */
  failed: boolean;
}

export interface MatchedPair<C> {
  now: C;
  before: C;
}

export interface MatchedCases<C> {
  /** This run's cases that ran. */
  ran: C[];
  /** The base's cases that ran. */
  baseRan: C[];
  /** The base's cases that ran, by input key (a repeated input: its last case). */
  baseByInput: Map<string, C>;
  /** Each case of this run that ran, with the base case it is compared with. */
  pairs: Array<MatchedPair<C>>;
}

export interface ValueChange {
  /** Mean of (this run − base) over the pairs where both have the value; undefined when there are none. */
  diff: number | undefined;
  improvements: number;
  regressions: number;
  /** Pairs where both have the value. */
  compared: number;
}

/** Which way is better: scores go up, durations and token counts go down. */
export type Better = 'higher' | 'lower';

/** The key cases are matched by: their input as canonical JSON; undefined for a case without input. */
export function inputKey(input: unknown): string | undefined {
  return input === undefined ? undefined : canonicalJson(input);
}

/** Pairs this run's cases with the base's (both sides: cases that ran), by input. */
export function matchCases<C extends CaseOfRun>(current: readonly C[], base: readonly C[]): MatchedCases<C> {
  const ran = current.filter((c) => !c.failed);
  const baseRan = base.filter((c) => !c.failed);
  const baseByInput = new Map<string, C>();
  for (const c of baseRan) {
    const key = inputKey(c.input);
    if (key !== undefined) baseByInput.set(key, c);
  }
  const pairs = ran.flatMap((now) => {
    const key = inputKey(now.input);
    const before = key === undefined ? undefined : baseByInput.get(key);
    return before ? [{ now, before }] : [];
  });
  return { ran, baseRan, baseByInput, pairs };
}

/** The change of one value (a score, a metric) over matched pairs. Equal values are neither better nor worse. */
export function changeOver<C>(pairs: ReadonlyArray<MatchedPair<C>>, value: (c: C) => number | undefined, better: Better = 'higher'): ValueChange {
  const change: ValueChange = { diff: undefined, improvements: 0, regressions: 0, compared: 0 };
  let sum = 0;
  for (const { now, before } of pairs) {
    const a = value(now);
    const b = value(before);
    if (a === undefined || b === undefined) continue;
    change.compared++;
    sum += a - b;
    if (a === b) continue;
    if ((a > b) === (better === 'higher')) change.improvements++;
    else change.regressions++;
  }
  if (change.compared > 0) change.diff = sum / change.compared;
  return change;
}

/** The mean of a value over the cases that ran and have it; undefined when none has. */
export function meanOverRan<C extends CaseOfRun>(cases: readonly C[], value: (c: C) => number | undefined): number | undefined {
  let sum = 0;
  let count = 0;
  for (const c of cases) {
    if (c.failed) continue;
    const v = value(c);
    if (v === undefined) continue;
    sum += v;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}
