// The deployment gate: a run passes when every case ran, every scorer with a threshold has a mean
// at or above it, and no scorer's mean fell more than the tolerance below the baseline's.
//   --min name=0.8   a threshold for one scorer;  --min 0.7   the threshold for every scorer
//   A scorer with a threshold but no scored case fails (nothing shows it is good enough).
//   --max-regression 0.05: the largest allowed drop of a mean against the baseline experiment.
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
  failedCases: number;
  /** The experiment compared with, when there is one. */
  baselineName: string | undefined;
}

export interface GateVerdict {
  passed: boolean;
  /** One line per reason the gate failed. */
  failures: string[];
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

export function evaluateGate(input: GateInput, rules: GateRules): GateVerdict {
  const failures: string[] = [];
  if (input.failedCases > 0) failures.push(`${input.failedCases} case${input.failedCases === 1 ? '' : 's'} failed to run`);
  for (const scorer of input.scorers) {
    const min = rules.min.get(scorer.name) ?? rules.minForAll;
    if (min !== undefined) {
      if (scorer.mean === undefined) failures.push(`${scorer.name}: no case was scored, so it cannot meet --min ${format(min)}`);
      else if (scorer.mean < min) failures.push(`${scorer.name}: mean ${format(scorer.mean)} is below --min ${format(min)}`);
    }
    const diff = scorer.baseline?.diff;
    // A tiny epsilon keeps a drop of exactly the tolerance (after float arithmetic) acceptable.
    if (diff !== undefined && diff < -rules.maxRegression - 1e-9) {
      const baseline = input.baselineName === undefined ? 'the baseline' : `baseline ${input.baselineName}`;
      failures.push(`${scorer.name}: mean fell ${format(-diff)} below ${baseline} (tolerance ${format(rules.maxRegression)})`);
    }
  }
  return { passed: failures.length === 0, failures };
}
