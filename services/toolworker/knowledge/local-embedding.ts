// The default embedding: a deterministic TF-IDF embedding designed for the clinical knowledge base,
// used when no hosted embedding provider is configured (no model can be downloaded here).
//
// A text's features (clinical-text-features.ts) fall into four groups, each in its own block of
// the vector. Clinical concepts and intents get one dimension each: there are few, and a hash
// collision between two concepts would make unrelated topics look alike. Word stems (and stem
// pairs) and character 4-grams are hashed (signed feature hashing) into the remaining dimensions.
// Features are TF-IDF weighted (sublinear TF, IDF fitted on the knowledge base); each block is
// L2-normalised and scaled by its group weight, then the whole vector is L2-normalised, so the
// cosine of two vectors is a weighted blend of per-group cosines. Features the corpus never uses
// get no weight: they cannot match a document and would only add hashing noise.
//
// Implements chromadb's EmbeddingFunction (name, config, buildFromConfig), so the collection
// records which function and version embedded it.
import { createHash } from 'node:crypto';
import { knownEmbeddingFunctions, registerEmbeddingFunction, type EmbeddingFunction, type EmbeddingFunctionSpace } from 'chromadb';
import { CLINICAL_VOCABULARY, type ClinicalVocabulary } from './clinical-lexicon.js';
import { ConceptExtractor, FEATURE_GROUPS, extractFeatures, isIntentConcept, type FeatureGroup } from './clinical-text-features.js';
import { loadKnowledgeBase } from './knowledge-base.js';

export const LOCAL_EMBEDDING_NAME = 'tracemesh-clinical-tfidf';
/** Bump when tokenisation, stemming, hashing or weighting changes: stored vectors become stale. */
export const LOCAL_EMBEDDING_ALGORITHM_VERSION = 1;

export interface LocalEmbeddingParameters {
  /** Total length of the vector: one dimension per concept and intent, the rest hashed. */
  dimensions: number;
  /** Fraction of the hashed dimensions given to character n-grams (the rest go to words). */
  charShare: number;
  /** Weight of each group in the final cosine. */
  weight: Readonly<Record<FeatureGroup, number>>;
}

/**
 * Chosen by a small grid search (dimensions 384–1024, group weights) on the `dev` half of
 * eval-queries.json only; the `holdout` half is just measured (scripts/eval-retrieval.ts). The
 * results were flat across the grid: these are the middle of the plateau, not a tuned peak.
 * Concepts and words carry most of the signal, the intent block separates a condition's
 * diagnosis / treatment / screening / follow-up documents, and character n-grams are a weak
 * tie-breaker for spelling variants.
 */
export const DEFAULT_LOCAL_EMBEDDING_PARAMETERS: LocalEmbeddingParameters = {
  dimensions: 512,
  charShare: 0.33,
  weight: { concept: 1, intent: 0.7, word: 1, char: 0.5 },
};

export interface LocalEmbeddingConfig {
  dimensions: number;
  algorithm_version: number;
  fingerprint: string;
}

/** 32-bit FNV-1a: fast, stable across platforms and Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function l2Normalize(vector: Float64Array): boolean {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  if (sumOfSquares === 0) return false;
  const norm = Math.sqrt(sumOfSquares);
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return true;
}

interface Slot {
  index: number;
  sign: number;
}

interface GroupBlock {
  group: FeatureGroup;
  offset: number;
  size: number;
  /** Where a feature goes in the block, and with which sign (undefined: not representable). */
  slot(feature: string): Slot | undefined;
}

function indexedBlock(group: FeatureGroup, ids: readonly string[]): Omit<GroupBlock, 'offset'> {
  const index = new Map(ids.map((id, i) => [id, i]));
  return { group, size: ids.length, slot: (feature) => {
    const i = index.get(feature);
    return i === undefined ? undefined : { index: i, sign: 1 };
  } };
}

function hashedBlock(group: FeatureGroup, size: number): Omit<GroupBlock, 'offset'> {
  return { group, size, slot: (feature) => {
    const key = `${group}:${feature}`;
    return { index: fnv1a(key) % size, sign: (fnv1a(`${key}#sign`) & 1) === 0 ? 1 : -1 };
  } };
}

function layout(parameters: LocalEmbeddingParameters, conceptIds: readonly string[]): GroupBlock[] {
  const concept = indexedBlock('concept', conceptIds.filter((id) => !isIntentConcept(id)));
  const intent = indexedBlock('intent', conceptIds.filter(isIntentConcept));
  const hashed = parameters.dimensions - concept.size - intent.size;
  const charSize = Math.round(hashed * parameters.charShare);
  if (hashed - charSize < 64 || charSize < 32) {
    throw new Error(`local embedding: ${parameters.dimensions} dimensions leave too little room after ${concept.size + intent.size} concepts`);
  }
  let offset = 0;
  return [concept, intent, hashedBlock('word', hashed - charSize), hashedBlock('char', charSize)].map((block) => {
    const placed = { ...block, offset };
    offset += block.size;
    return placed;
  });
}

/** Identifies the algorithm, its parameters and the vocabulary: equal fingerprints embed alike given the same corpus. */
function fingerprintOf(parameters: LocalEmbeddingParameters, vocabulary: ClinicalVocabulary): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: LOCAL_EMBEDDING_ALGORITHM_VERSION, parameters, vocabulary }))
    .digest('hex')
    .slice(0, 12);
}

type IdfTable = Record<FeatureGroup, Map<string, number>>;

function emptyTable(): IdfTable {
  return { concept: new Map(), intent: new Map(), word: new Map(), char: new Map() };
}

export class LocalClinicalEmbeddingFunction implements EmbeddingFunction {
  readonly name = LOCAL_EMBEDDING_NAME;
  /** Stored in the collection's metadata: a different id means the stored vectors must be rebuilt. */
  readonly id: string;
  private readonly blocks: GroupBlock[];

  /** Takes an already fitted model: use fit() (or buildFromConfig(), which chromadb calls). */
  constructor(
    private readonly parameters: LocalEmbeddingParameters,
    private readonly concepts: ConceptExtractor,
    private readonly idf: IdfTable,
    private readonly fingerprint: string,
  ) {
    this.blocks = layout(parameters, concepts.conceptIds);
    this.id = `${LOCAL_EMBEDDING_NAME}@${LOCAL_EMBEDDING_ALGORITHM_VERSION}/${parameters.dimensions}d/${fingerprint}`;
  }

  /** Fits IDF on the corpus (the knowledge base's embedding texts). */
  static fit(
    corpus: readonly string[],
    parameters: LocalEmbeddingParameters = DEFAULT_LOCAL_EMBEDDING_PARAMETERS,
    vocabulary: ClinicalVocabulary = CLINICAL_VOCABULARY,
  ): LocalClinicalEmbeddingFunction {
    if (corpus.length === 0) throw new Error('local embedding: cannot fit IDF on an empty corpus');
    const concepts = new ConceptExtractor(vocabulary);
    const documentFrequency = emptyTable();
    for (const text of corpus) {
      const features = extractFeatures(text, concepts);
      for (const group of FEATURE_GROUPS) {
        for (const feature of features[group].keys()) documentFrequency[group].set(feature, (documentFrequency[group].get(feature) ?? 0) + 1);
      }
    }
    // Smoothed IDF, as in common TF-IDF implementations: rare features weigh most, none weighs 0.
    const idf = emptyTable();
    for (const group of FEATURE_GROUPS) {
      for (const [feature, df] of documentFrequency[group]) idf[group].set(feature, Math.log((1 + corpus.length) / (1 + df)) + 1);
    }
    return new LocalClinicalEmbeddingFunction(parameters, concepts, idf, fingerprintOf(parameters, vocabulary));
  }

  /** Chroma's way back from a stored configuration: refit on the bundled knowledge base. */
  static buildFromConfig(config: LocalEmbeddingConfig): LocalClinicalEmbeddingFunction {
    const knowledgeBase = loadKnowledgeBase();
    const embedding = LocalClinicalEmbeddingFunction.fit(knowledgeBase.documents.map((d) => knowledgeBase.embeddingText(d)));
    if (config.fingerprint !== embedding.fingerprint || config.dimensions !== embedding.dimensions) {
      throw new Error(`stored local embedding ${config.fingerprint}/${config.dimensions}d differs from this build's ${embedding.fingerprint}/${embedding.dimensions}d`);
    }
    return embedding;
  }

  get dimensions(): number {
    return this.parameters.dimensions;
  }

  /** The embedding of one text (synchronous: this function needs no I/O). */
  embed(text: string): number[] {
    const features = extractFeatures(text, this.concepts);
    const vector = new Float64Array(this.parameters.dimensions);
    for (const block of this.blocks) {
      const part = new Float64Array(block.size);
      const idf = this.idf[block.group];
      for (const [feature, count] of features[block.group]) {
        const inverseFrequency = idf.get(feature);
        const slot = block.slot(feature);
        if (inverseFrequency === undefined || slot === undefined) continue;
        part[slot.index] += slot.sign * (1 + Math.log(count)) * inverseFrequency;
      }
      if (!l2Normalize(part)) continue;
      const weight = this.parameters.weight[block.group];
      for (let i = 0; i < block.size; i++) vector[block.offset + i] = part[i] * weight;
    }
    // A text with no known feature (only stopwords, or words the corpus never uses) still needs a
    // unit vector for cosine distance: a flat one over the signed word block matches nothing in particular.
    if (!l2Normalize(vector)) {
      const words = this.blocks.find((b) => b.group === 'word') ?? this.blocks[0];
      vector.fill(1 / Math.sqrt(words.size), words.offset, words.offset + words.size);
    }
    return Array.from(vector);
  }

  async generate(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embed(text));
  }

  defaultSpace(): EmbeddingFunctionSpace {
    return 'cosine';
  }

  supportedSpaces(): EmbeddingFunctionSpace[] {
    return ['cosine'];
  }

  getConfig(): LocalEmbeddingConfig {
    return { dimensions: this.parameters.dimensions, algorithm_version: LOCAL_EMBEDDING_ALGORITHM_VERSION, fingerprint: this.fingerprint };
  }
}

// Known to chromadb by name, so a collection opened without an embedding function (another tool in
// this process, a script) rebuilds this one from the stored config instead of warning.
if (!knownEmbeddingFunctions.has(LOCAL_EMBEDDING_NAME)) registerEmbeddingFunction(LOCAL_EMBEDDING_NAME, LocalClinicalEmbeddingFunction);
