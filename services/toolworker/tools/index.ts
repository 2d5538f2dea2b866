// The tools this worker ships with. A new tool is one file here plus one line below: the
// conversation service learns about it from ListTools.
import { diagnosticToolsEnabled } from '../../../lib/config.js';
import { createLogger } from '../../../lib/logging.js';
import { lazyKnowledgeSearchFromEnv } from '../knowledge/knowledge-store-factory.js';
import type { KnowledgeSearch } from '../knowledge/knowledge-search.js';
import { ToolRegistry } from '../tool-registry.js';
import { checkMedicationsTool } from './check-medications.js';
import { clinicalMetricsTool } from './clinical-metrics.js';
import { diagnosticSleepTool } from './diagnostic-sleep.js';
import { createSearchMedicalKnowledgeTool } from './search-medical-knowledge.js';

/** What tools need from the process; anything omitted is built from the environment on first use. */
export interface BuiltinToolDependencies {
  /** The knowledge store behind search_medical_knowledge (the worker passes its seeded Chroma store). */
  knowledge?: KnowledgeSearch;
}

export function createBuiltinRegistry(dependencies: BuiltinToolDependencies = {}): ToolRegistry {
  const knowledge = dependencies.knowledge ?? lazyKnowledgeSearchFromEnv(createLogger('toolworker'));
  const registry = new ToolRegistry().register(clinicalMetricsTool).register(checkMedicationsTool)
    .register(createSearchMedicalKnowledgeTool(knowledge));
  if (diagnosticToolsEnabled()) registry.register(diagnosticSleepTool);
  return registry;
}
