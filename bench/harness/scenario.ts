// The shape of one benchmark scenario: a name, a title for the table and a run that returns its
// figures. Each scenario lives in its own file under bench/scenarios/.
import type { BenchContext } from './bench-context.js';
import type { ScenarioResult } from './figures.js';

export interface Scenario {
  name: string;
  title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}
