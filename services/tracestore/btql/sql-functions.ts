// Functions the compiled SQL calls that SQLite lacks, registered on each connection that runs BTQL:
//   btql_percentile(x, p)  aggregate: exact p-quantile with linear interpolation between the two
//                          nearest ranks (PostgreSQL's percentile_cont, numpy's default);
//   btql_number(x)         x when it is a number, else NULL — so sum/avg skip text instead of
//                          counting it as 0, as SQLite would.
import type Database from 'better-sqlite3';

export const PERCENTILE_FUNCTION = 'btql_percentile';
export const NUMBER_FUNCTION = 'btql_number';

interface PercentileState {
  values: number[];
  fraction: number;
}

/** The p-quantile (0 ≤ p ≤ 1) of `values`, or undefined when there are none. Sorts `values` in place. */
export function percentileOf(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  const rank = fraction * (values.length - 1);
  const below = Math.floor(rank);
  const low = values[below]!;
  return low + (values[Math.ceil(rank)]! - low) * (rank - below);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function registerBtqlFunctions(db: Database.Database): void {
  db.aggregate<PercentileState>(PERCENTILE_FUNCTION, {
    start: () => ({ values: [], fraction: 0 }),
    step: (state: PercentileState, value: unknown, fraction?: unknown) => {
      if (isNumber(value)) state.values.push(value);
      state.fraction = Number(fraction);
      return state;
    },
    result: (state) => percentileOf(state.values, state.fraction) ?? null,
    deterministic: true,
  });
  db.function(NUMBER_FUNCTION, { deterministic: true }, (value: unknown) => (isNumber(value) ? value : null));
}
