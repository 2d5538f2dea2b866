// What the search_medical_knowledge tool needs from a knowledge store, so the tool can be built and
// tested against any implementation (the Chroma store in production and tests).
import type { KnowledgeBase, KnowledgeCategory } from './knowledge-base.js';

export interface KnowledgeQuery {
  text: string;
  /** A condition's canonical name (see KnowledgeBase.resolveCondition). */
  condition?: string;
  category?: KnowledgeCategory;
  nResults: number;
}

export interface KnowledgeHit {
  id: string;
  title: string;
  condition: string;
  category: KnowledgeCategory;
  content: string;
  source: string;
  /** Cosine distance from the query (0 = same direction, 2 = opposite). */
  distance: number;
  /** 1 − distance clamped to [0, 1]: the cosine similarity, 0 for unrelated or opposite. */
  relevance: number;
}

export interface KnowledgeSearchResult {
  /** Best first. */
  hits: KnowledgeHit[];
  embeddingFunction: string;
  collection: string;
  knowledgeBaseVersion: string;
}

export interface KnowledgeSearch {
  readonly knowledgeBase: KnowledgeBase;
  search(query: KnowledgeQuery, signal: AbortSignal): Promise<KnowledgeSearchResult>;
}

/** Why the knowledge base could not answer: the tool reports these as UNAVAILABLE. */
export type KnowledgeUnavailableReason = 'CHROMA_UNAVAILABLE' | 'CHROMA_TIMEOUT' | 'EMBEDDING_UNAVAILABLE';

export class KnowledgeUnavailableError extends Error {
  constructor(
    readonly reason: KnowledgeUnavailableReason,
    message: string,
    readonly chromaUrl: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KnowledgeUnavailableError';
  }
}

export function relevanceFromDistance(distance: number): number {
  return Math.min(1, Math.max(0, 1 - distance));
}
