// `search_medical_knowledge`: semantic search over the primary-care knowledge base in Chroma, with
// optional condition and category filters. Returns ranked passages with their source, distance and
// relevance, and logs the top relevance as the online `retrieval_relevance` score on the span.
//
// Chroma being unreachable or too slow fails only this tool, as UNAVAILABLE with an ErrorInfo
// (reason CHROMA_UNAVAILABLE / CHROMA_TIMEOUT / EMBEDDING_UNAVAILABLE) the model can read.
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError } from '../../../lib/grpc/errors.js';
import type { JsonObject } from '../../../lib/json.js';
import { KNOWLEDGE_CATEGORIES, type KnowledgeCategory } from '../knowledge/knowledge-base.js';
import { KnowledgeUnavailableError, type KnowledgeSearch, type KnowledgeSearchResult } from '../knowledge/knowledge-search.js';
import { ToolArgumentError, type Tool, type ToolInputSchema, type ToolOutcome } from '../tool.js';

export const SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME = 'search_medical_knowledge';
export const RETRIEVAL_SCORE_KEY = 'retrieval_relevance';
const DEFAULT_N_RESULTS = 3;
const ERROR_DOMAIN = 'toolworker.tracemesh';

export interface SearchMedicalKnowledgeArgs {
  query: string;
  condition?: string;
  category?: KnowledgeCategory;
  n_results?: number;
}

export const searchMedicalKnowledgeInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: {
      type: 'string',
      minLength: 3,
      maxLength: 500,
      description: 'What to look up, in plain clinical language: symptoms, findings, a lab value, or a question (e.g. "fatigue and increased thirst", "first-line drugs for stage 2 hypertension").',
    },
    condition: {
      type: 'string',
      minLength: 2,
      maxLength: 100,
      description: 'Only search documents about this condition (a name or common alias, e.g. "type 2 diabetes", "T2DM", "CKD"). Omit to search all conditions; a condition the knowledge base does not cover is ignored (with a note).',
    },
    category: {
      type: 'string',
      enum: [...KNOWLEDGE_CATEGORIES],
      description: 'Only search documents of this kind: diagnosis, treatment, screening or follow-up. Omit to search all.',
    },
    n_results: {
      type: 'integer',
      minimum: 1,
      maximum: 10,
      default: DEFAULT_N_RESULTS,
      description: `How many passages to return, best first (1–10, default ${DEFAULT_N_RESULTS}).`,
    },
  },
} satisfies ToolInputSchema;

function describeTool(conditions: readonly string[]): string {
  return [
    'Searches a primary-care medical knowledge base (guideline summaries with their sources: ADA, ACC/AHA, KDIGO, USPSTF, GINA, GOLD, NICE, …)',
    'and returns the most relevant passages, best first, each with id, title, condition, category, content, source, distance and relevance (0–1).',
    'Call it to ground an answer in guidance: diagnostic criteria and work-up for presenting symptoms, first-line treatment, screening rules, monitoring.',
    'Cite the returned titles and sources in your answer. Filter by condition and/or category when you already know what you need.',
    `Conditions covered: ${conditions.join(', ')}.`,
  ].join(' ');
}

function checkedQuery(query: string): string {
  const text = query.trim();
  if (!/[\p{L}\p{N}]/u.test(text)) throw new ToolArgumentError('query', 'must contain words to search for');
  return text;
}

export function createSearchMedicalKnowledgeTool(knowledge: KnowledgeSearch): Tool<SearchMedicalKnowledgeArgs> {
  const conditions = knowledge.knowledgeBase.conditions.map((c) => c.name);
  return {
    name: SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME,
    description: describeTool(conditions),
    inputSchema: searchMedicalKnowledgeInputSchema,
    async execute(args, context): Promise<ToolOutcome> {
      if (context.signal.aborted) throw context.signal.reason ?? new Error('aborted');
      const text = checkedQuery(args.query);
      // A condition the knowledge base does not cover widens the search instead of failing it: the
      // closest passages are still useful, and the note tells the model the filter was dropped.
      const notes: string[] = [];
      const condition = args.condition === undefined ? undefined : knowledge.knowledgeBase.resolveCondition(args.condition);
      if (args.condition !== undefined && condition === undefined) {
        notes.push(`"${args.condition}" is not a condition in this knowledge base, so the results are not filtered by condition `
          + `(covered: ${conditions.join(', ')}).`);
      }
      const nResults = args.n_results ?? DEFAULT_N_RESULTS;

      let result: KnowledgeSearchResult;
      try {
        result = await knowledge.search({ text, condition, category: args.category, nResults }, context.signal);
      } catch (error) {
        if (!(error instanceof KnowledgeUnavailableError)) throw error;
        context.log.warn({ tool: SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME, reason: error.reason, err: error.cause }, error.message);
        throw grpcError(grpcStatus.UNAVAILABLE,
          `${SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME}: ${error.message}; the other tools still work, retry this search later`, {
            errorInfo: { reason: error.reason, domain: ERROR_DOMAIN, metadata: { tool: SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME, chroma_url: error.chromaUrl } },
          });
      }

      const results: JsonObject[] = result.hits.map((hit) => ({ ...hit }));
      const output: JsonObject = notes.length > 0 ? { results, notes } : { results };
      const topRelevance = result.hits[0]?.relevance ?? 0;
      const metadata: JsonObject = {
        embedding_function: result.embeddingFunction,
        knowledge_base_version: result.knowledgeBaseVersion,
        collection: result.collection,
        n_results: nResults,
        result_ids: result.hits.map((hit) => hit.id),
      };
      if (condition !== undefined) metadata.condition_filter = condition;
      if (args.condition !== undefined && condition === undefined) metadata.unknown_condition = args.condition;
      if (args.category !== undefined) metadata.category_filter = args.category;
      return { output, scores: { [RETRIEVAL_SCORE_KEY]: topRelevance }, metadata };
    },
  };
}
