// Builds the knowledge store the worker uses from the environment (CHROMA_URL, the embedding
// provider settings, the query timeout), eagerly for the worker process or lazily for callers that
// need a KnowledgeSearch synchronously (createBuiltinRegistry() without dependencies).
import { chromaUrl, knowledgeQueryTimeoutMs } from '../../../lib/config.js';
import type { Logger } from '../../../lib/logging.js';
import { createEmbeddingProvider } from './embedding-provider.js';
import { loadKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import type { KnowledgeQuery, KnowledgeSearch, KnowledgeSearchResult } from './knowledge-search.js';
import { ChromaKnowledgeStore } from './knowledge-store.js';

export async function createKnowledgeStoreFromEnv(log: Logger, knowledgeBase: KnowledgeBase = loadKnowledgeBase()): Promise<ChromaKnowledgeStore> {
  return new ChromaKnowledgeStore({
    chromaUrl: chromaUrl(),
    knowledgeBase,
    embedding: await createEmbeddingProvider(knowledgeBase),
    log,
    queryTimeoutMs: knowledgeQueryTimeoutMs(),
  });
}

/** A KnowledgeSearch whose store (and embedding provider) is created on the first search. */
export function lazyKnowledgeSearchFromEnv(log: Logger): KnowledgeSearch {
  const knowledgeBase = loadKnowledgeBase();
  let store: Promise<ChromaKnowledgeStore> | undefined;
  return {
    knowledgeBase,
    search(query: KnowledgeQuery, signal: AbortSignal): Promise<KnowledgeSearchResult> {
      store ??= createKnowledgeStoreFromEnv(log, knowledgeBase);
      return store.then((s) => s.search(query, signal));
    },
  };
}
