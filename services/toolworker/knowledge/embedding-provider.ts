// Which embedding function the knowledge base uses: OpenAI's (through @chroma-core/openai) when it
// is configured, otherwise the local clinical TF-IDF embedding. Both embed the same texts; the
// collection name and metadata record which one built the stored vectors, so switching provider
// never mixes vectors of different models (or dimensions) in one collection.
import type { EmbeddingFunction } from 'chromadb';
import { embeddingConfig, type EmbeddingConfig } from '../../../lib/config.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { LocalClinicalEmbeddingFunction } from './local-embedding.js';

export interface EmbeddingProvider {
  function: EmbeddingFunction;
  /** Everything that determines the vectors, e.g. "openai/text-embedding-3-small" (stored in collection metadata). */
  id: string;
  /** A short name safe in a Chroma collection name: one collection per provider and model. */
  collectionSuffix: string;
}

function collectionSafe(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

export function localEmbeddingProvider(knowledgeBase: KnowledgeBase): EmbeddingProvider {
  const embedding = LocalClinicalEmbeddingFunction.fit(knowledgeBase.documents.map((d) => knowledgeBase.embeddingText(d)));
  return { function: embedding, id: embedding.id, collectionSuffix: `local-${embedding.dimensions}d` };
}

async function openaiEmbeddingProvider(model: string): Promise<EmbeddingProvider> {
  // Imported only when chosen: it loads the OpenAI SDK and registers itself with chromadb.
  const { OpenAIEmbeddingFunction } = await import('@chroma-core/openai');
  return {
    function: new OpenAIEmbeddingFunction({ modelName: model, apiKeyEnvVar: 'OPENAI_API_KEY' }),
    id: `openai/${model}`,
    collectionSuffix: collectionSafe(`openai-${model}`),
  };
}

export async function createEmbeddingProvider(
  knowledgeBase: KnowledgeBase,
  config: EmbeddingConfig = embeddingConfig(),
): Promise<EmbeddingProvider> {
  return config.provider === 'openai' ? openaiEmbeddingProvider(config.openaiModel) : localEmbeddingProvider(knowledgeBase);
}
