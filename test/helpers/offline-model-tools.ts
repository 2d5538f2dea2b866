// The tools an offline-model test offers the model, as ListTools gives them to the conversation
// service: the real built-in tools (run in process) and the knowledge search's definition.
import type Anthropic from '@anthropic-ai/sdk';
import { pino } from 'pino';
import { ToolRegistry } from '../../services/toolworker/tool-registry.js';
import { checkMedicationsTool } from '../../services/toolworker/tools/check-medications.js';
import { clinicalMetricsTool } from '../../services/toolworker/tools/clinical-metrics.js';

export const OFFLINE_MODEL = 'tracemesh-offline-clinical';

export const toolRegistry = new ToolRegistry().register(clinicalMetricsTool).register(checkMedicationsTool);
export const toolContext = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };

export const SEARCH_TOOL: Anthropic.Tool = {
  name: 'search_medical_knowledge',
  description: 'Semantic search over the medical knowledge base.',
  input_schema: { type: 'object', properties: { query: { type: 'string' }, n_results: { type: 'integer' }, condition: { type: 'string' } }, required: ['query'] },
};

/** The real tools' names, descriptions and schemas. */
export const REAL_TOOLS: Anthropic.Tool[] = toolRegistry.list().map((tool) => ({
  name: tool.name,
  description: tool.description,
  input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
}));
