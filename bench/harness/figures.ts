// A figure is one line of the results table: a measured value, how it compares with its target,
// and the raw numbers it came from (kept in the JSON so any figure can be re-derived).
export type Comparison = '<=' | '>=' | 'info';

export interface Target {
  comparison: Comparison;
  value: number;
}

export interface Figure {
  /** Stable key for the JSON (e.g. "turn_latency.mesh_over_floor"). */
  id: string;
  label: string;
  value: number;
  unit: string;
  target?: Target;
  /** How the value was obtained, in a few words (shown under the table). */
  note?: string;
}

export interface ScenarioResult {
  scenario: string;
  figures: Figure[];
  /** Per-round raw values and anything else worth keeping, for the JSON file. */
  raw: Record<string, unknown>;
  /** Why a target is missed, or what to keep in mind when reading it. */
  remarks?: string[];
}

export function passes(figure: Figure): boolean | undefined {
  if (!figure.target || figure.target.comparison === 'info') return undefined;
  if (!Number.isFinite(figure.value)) return false;
  return figure.target.comparison === '<=' ? figure.value <= figure.target.value : figure.value >= figure.target.value;
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : Number.NaN;
}
