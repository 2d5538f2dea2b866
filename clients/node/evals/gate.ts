// The deployment gate: a run passes when every case ran, every scorer with a threshold has a mean
// at or above it, and no scorer fell more than the tolerance below the baseline on the cases both
// runs share. Each failure says what kind it is, so CI can tell a broken mesh from a worse answer:
//   infrastructure  cases failed to run (deadline, worker down…): their answers were never scored,
//                   so they are kept out of the means and fail the gate on this count alone.
//   comparison      a baseline was chosen but shares no case with this run (matched by input):
//                   regressions cannot be checked, and a gate that checked nothing must not pass.
//                   Pass a comparable --baseline, or --no-baseline to gate on --min only.
//   quality         a mean below its --min, or a mean change over the shared cases below
//                   -(--max-regression).
//   --min name=0.8   a threshold for one scorer;  --min 0.7   the threshold for every scorer
//   A scorer with a threshold but no scored case fails (nothing shows it is good enough).
import type { ScorerSummary } from './score-summary.js';

export interface GateRules {
  /** Per-scorer thresholds. */
  min: ReadonlyMap<string, number>;
  /** The threshold for scorers without their own. */
  minForAll: number | undefined;
  maxRegression: number;
}

export interface GateInput {
  scorers: readonly ScorerSummary[];
  /** All cases of the run, failed ones included. */
  cases: number;
  /** The cases that failed to run, with their errors. */
  failedCases: ReadonlyArray<{ error: string }>;
  /** The baseline and how many of this run's cases it shares; undefined when there is no baseline. */
  comparison: { baseline: string; sharedCases: number } | undefined;
}

export type GateFailureKind = 'infrastructure' | 'comparison' | 'quality';

export interface GateFailure {
  kind: GateFailureKind;
  message: string;
}

export interface GateVerdict {
  passed: boolean;
  /** One entry per reason the gate failed. */
  failures: GateFailure[];
}

export class GateRuleError extends Error {
  override readonly name = 'GateRuleError';
}

function threshold(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new GateRuleError(`${what} must be a number between 0 and 1, got "${text}"`);
  return value;
}

/** Reads `--min` values (`name=0.8` or `0.8`) and `--max-regression`, checking scorer names. */
export function parseGateRules(minSpecs: readonly string[], maxRegression: string, knownScorers: readonly string[]): GateRules {
  const min = new Map<string, number>();
  let minForAll: number | undefined;
  for (const spec of minSpecs) {
    const separator = spec.indexOf('=');
    if (separator === -1) {
      // Not a number either: most likely a scorer name without its threshold.
      if (!Number.isFinite(Number(spec))) throw new GateRuleError(`--min takes name=threshold (e.g. follows_medical_structure=0.8) or one threshold for all scorers, got "${spec}"`);
      minForAll = threshold(spec, '--min');
      continue;
    }
    const name = spec.slice(0, separator).trim();
    if (!knownScorers.includes(name)) throw new GateRuleError(`--min ${spec}: no scorer named "${name}" (scorers: ${knownScorers.join(', ')})`);
    min.set(name, threshold(spec.slice(separator + 1), `--min ${name}`));
  }
  return { min, minForAll, maxRegression: threshold(maxRegression, '--max-regression') };
}

const format = (value: number): string => value.toFixed(2);

/** "DEADLINE_EXCEEDED ×2, UNAVAILABLE ×1": the failed cases' errors by gRPC status (or first words). */
export function errorKinds(errors: ReadonlyArray<{ error: string }>): string {
  const counts = new Map<string, number>();
  for (const { error } of errors) {
    const kind = /\b([A-Z][A-Z_]{3,})\b/.exec(error)?.[1] ?? (error.split(/[:\n]/)[0]?.trim().slice(0, 40) || 'error');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `${kind} ×${count}`).join(', ');
}

export function evaluateGate(input: GateInput, rules: GateRules): GateVerdict {
  const failures: GateFailure[] = [];
  const failed = input.failedCases.length;
  if (failed > 0) {
    failures.push({
      kind: 'infrastructure',
      message: `${failed} of ${input.cases} case${input.cases === 1 ? '' : 's'} failed to run (${errorKinds(input.failedCases)}): the mesh did not answer them, so they are left out of the scores — fix the infrastructure and re-run`,
    });
  }
  const comparison = input.comparison;
  // With no case that ran there is nothing to compare anyway: the infrastructure failure says it all.
  if (comparison && comparison.sharedCases === 0 && failed < input.cases) {
    failures.push({
      kind: 'comparison',
      message: `cannot compare with baseline ${comparison.baseline}: it has none of this run's cases (matched by input), so regressions were not checked — pass --baseline <an experiment on these cases>, or --no-baseline to gate on --min only`,
    });
  }
  for (const scorer of input.scorers) {
    const min = rules.min.get(scorer.name) ?? rules.minForAll;
    if (min !== undefined) {
      if (scorer.mean === undefined) failures.push({ kind: 'quality', message: `${scorer.name}: no case was scored, so it cannot meet --min ${format(min)}` });
      else if (scorer.mean < min) failures.push({ kind: 'quality', message: `${scorer.name}: mean ${format(scorer.mean)} is below --min ${format(min)}` });
    }
    const diff = comparison && comparison.sharedCases > 0 ? scorer.baseline?.diff : undefined;
    // A tiny epsilon keeps a drop of exactly the tolerance (after float arithmetic) acceptable.
    if (comparison && diff !== undefined && diff < -rules.maxRegression - 1e-9) {
      const over = `${scorer.baseline?.compared ?? 0} shared case${scorer.baseline?.compared === 1 ? '' : 's'}`;
      failures.push({ kind: 'quality', message: `${scorer.name}: fell ${format(-diff)} below baseline ${comparison.baseline} over ${over} (tolerance ${format(rules.maxRegression)})` });
    }
  }
  return { passed: failures.length === 0, failures };
}
