// The tools this worker ships with. A new tool is one file here plus one line below: the
// conversation service learns about it from ListTools.
import { ToolRegistry } from '../tool-registry.js';
import { clinicalMetricsTool } from './clinical-metrics.js';

export function createBuiltinRegistry(): ToolRegistry {
  return new ToolRegistry().register(clinicalMetricsTool);
}
