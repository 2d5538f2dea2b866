// The knowledge base in a Chroma server: seeds the collection idempotently and answers searches.
//
// Seeding compares the collection's metadata (knowledge-base content hash, embedding function id,
// document count) with what this worker would write and does nothing when they match, so restarts
// and extra replicas cost one metadata read. Otherwise it upserts every document, deletes ids no
// longer in the knowledge base, and writes the metadata last: a seed interrupted half-way is
// redone on the next attempt. A collection built by another embedding function is recreated.
//
// Every request to Chroma carries an AbortSignal (the caller's cancellation plus a timeout), so an
// abandoned or slow query really stops instead of piling up: seeding uses a client of its own, and
// searches borrow kept clients whose signal their deadline controls (collection-handles.ts).
import { ChromaClient, ChromaConnectionError, ChromaNotFoundError, type Collection, type Metadata, type QueryRowResult, type Where } from 'chromadb';
import type { Logger } from '../../../lib/logging.js';
import { CollectionHandles } from './collection-handles.js';
import type { EmbeddingProvider } from './embedding-provider.js';
import { KNOWLEDGE_CATEGORIES, type KnowledgeBase, type KnowledgeCategory } from './knowledge-base.js';
import {
  KnowledgeUnavailableError,
  relevanceFromDistance,
  type KnowledgeHit,
  type KnowledgeQuery,
  type KnowledgeSearch,
  type KnowledgeSearchResult,
  type KnowledgeUnavailableReason,
} from './knowledge-search.js';

export const DEFAULT_COLLECTION_PREFIX = 'medical-knowledge';
const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const DEFAULT_SEED_TIMEOUT_MS = 60_000;
/** Documents per upsert / embedding request (hosted providers limit request size). */
const SEED_BATCH_SIZE = 64;

export interface KnowledgeStoreOptions {
  chromaUrl: string;
  knowledgeBase: KnowledgeBase;
  embedding: EmbeddingProvider;
  log: Logger;
  queryTimeoutMs?: number;
  seedTimeoutMs?: number;
  /** The provider's suffix is appended: "medical-knowledge-local-512d". Tests use their own prefix. */
  collectionPrefix?: string;
}

export interface SeedReport {
  action: 'unchanged' | 'seeded' | 'recreated';
  collection: string;
  documents: number;
  /** Ids deleted because the knowledge base no longer has them. */
  removed: number;
  knowledgeBaseVersion: string;
  knowledgeBaseHash: string;
  embeddingFunction: string;
  durationMs: number;
}

/** What the collection's metadata records about its contents. */
interface SeedStamp {
  kb_version: string;
  kb_hash: string;
  embedding_function: string;
  document_count: number;
}

function parseChromaUrl(url: string): { host: string; port: number; ssl: boolean } {
  const parsed = new URL(url);
  const ssl = parsed.protocol === 'https:';
  if (!ssl && parsed.protocol !== 'http:') throw new Error(`CHROMA_URL must be an http(s) URL, got "${url}"`);
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : ssl ? 443 : 80, ssl };
}

/** Rejects with the signal's reason when it aborts first (the work itself is abandoned, not awaited). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function isKnowledgeCategory(value: unknown): value is KnowledgeCategory {
  return typeof value === 'string' && (KNOWLEDGE_CATEGORIES as readonly string[]).includes(value);
}

/** A stored record as a hit; undefined when its metadata is not what seeding writes. */
function hitFrom(row: QueryRowResult): KnowledgeHit | undefined {
  const metadata: Metadata = row.metadata ?? {};
  const { title, condition, category, source } = metadata;
  if (typeof title !== 'string' || typeof condition !== 'string' || typeof source !== 'string' || !isKnowledgeCategory(category)) return undefined;
  if (typeof row.distance !== 'number' || typeof row.document !== 'string') return undefined;
  return {
    id: row.id,
    title,
    condition,
    category,
    content: row.document,
    source,
    distance: roundTo(row.distance, 4),
    relevance: roundTo(relevanceFromDistance(row.distance), 4),
  };
}

function whereFor(query: KnowledgeQuery): Where | undefined {
  const clauses: Where[] = [];
  if (query.condition !== undefined) clauses.push({ condition: query.condition });
  if (query.category !== undefined) clauses.push({ category: query.category });
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export class ChromaKnowledgeStore implements KnowledgeSearch {
  readonly knowledgeBase: KnowledgeBase;
  readonly collectionName: string;
  readonly chromaUrl: string;
  private readonly embedding: EmbeddingProvider;
  private readonly log: Logger;
  private readonly server: { host: string; port: number; ssl: boolean };
  private readonly queryTimeoutMs: number;
  private readonly seedTimeoutMs: number;
  /** The current (or finished) seeding; cleared when it fails or the collection disappears. */
  private seeding: Promise<SeedReport> | undefined;
  private lastSeed: SeedReport | undefined;
  private readonly handles = new CollectionHandles((signal) =>
    this.client(signal).getCollection({ name: this.collectionName, embeddingFunction: this.embedding.function }),
  );

  constructor(options: KnowledgeStoreOptions) {
    this.knowledgeBase = options.knowledgeBase;
    this.embedding = options.embedding;
    this.log = options.log;
    this.chromaUrl = options.chromaUrl;
    this.server = parseChromaUrl(options.chromaUrl);
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.seedTimeoutMs = options.seedTimeoutMs ?? DEFAULT_SEED_TIMEOUT_MS;
    this.collectionName = `${options.collectionPrefix ?? DEFAULT_COLLECTION_PREFIX}-${options.embedding.collectionSuffix}`;
  }

  get embeddingFunctionId(): string {
    return this.embedding.id;
  }

  /** True while the collection is known to be seeded (set by a successful seed, cleared when it disappears). */
  get seeded(): boolean {
    return this.lastSeed !== undefined;
  }

  /** Seeds once per process (concurrent callers share the attempt); a failed attempt is retried by the next call. */
  ensureSeeded(): Promise<SeedReport> {
    if (!this.seeding) {
      const attempt: Promise<SeedReport> = this.seed().then(
        (report) => {
          if (this.seeding === attempt) this.lastSeed = report;
          return report;
        },
        (error: unknown) => {
          if (this.seeding === attempt) this.seeding = undefined;
          throw error;
        },
      );
      this.seeding = attempt;
    }
    return this.seeding;
  }

  /** Forgets that the collection was seeded, so the next search seeds it again. */
  private markUnseeded(): void {
    this.seeding = undefined;
    this.lastSeed = undefined;
    this.handles.clear();
  }

  /** Brings the collection up to date with the knowledge base (a no-op when it already is). */
  async seed(): Promise<SeedReport> {
    const started = performance.now();
    // Seeding may recreate the collection: searches open it again afterwards.
    this.handles.clear();
    const timeout = AbortSignal.timeout(this.seedTimeoutMs);
    const client = this.client(timeout);
    const stamp: SeedStamp = {
      kb_version: this.knowledgeBase.version,
      kb_hash: this.knowledgeBase.contentHash,
      embedding_function: this.embedding.id,
      document_count: this.knowledgeBase.documents.length,
    };
    try {
      let collection = await this.openCollection(client);
      const existing = collection.metadata;
      let action: SeedReport['action'] = 'seeded';
      if (existing?.embedding_function !== undefined && existing.embedding_function !== stamp.embedding_function) {
        // Vectors from another embedding function are not comparable (possibly not even the same length).
        await client.deleteCollection({ name: this.collectionName });
        collection = await this.openCollection(client);
        action = 'recreated';
      } else if (
        existing?.kb_hash === stamp.kb_hash
        && existing.embedding_function === stamp.embedding_function
        && (await collection.count()) === stamp.document_count
      ) {
        return this.report('unchanged', 0, started);
      }
      const removed = await this.writeDocuments(collection, timeout);
      await collection.modify({ metadata: { ...stamp, seeded_at: new Date().toISOString() } });
      const report = this.report(action, removed, started);
      this.log.info({ ...report }, 'knowledge base seeded into Chroma');
      return report;
    } catch (error) {
      throw this.unavailable(error, timeout, 'seeding');
    }
  }

  async search(query: KnowledgeQuery, signal: AbortSignal): Promise<KnowledgeSearchResult> {
    const timeout = AbortSignal.timeout(this.queryTimeoutMs);
    const deadline = AbortSignal.any([signal, timeout]);
    try {
      return await this.searchOnce(query, deadline);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof ChromaNotFoundError) {
        // The collection went away (a Chroma server that lost its data, or another worker
        // recreating it): seed again and retry once.
        this.log.warn({ collection: this.collectionName }, 'knowledge collection missing; re-seeding');
        this.markUnseeded();
        try {
          return await this.searchOnce(query, deadline);
        } catch (retryError) {
          if (signal.aborted) throw signal.reason;
          throw this.unavailable(retryError, timeout, 'search');
        }
      }
      throw this.unavailable(error, timeout, 'search');
    }
  }

  private async searchOnce(query: KnowledgeQuery, deadline: AbortSignal): Promise<KnowledgeSearchResult> {
    await abortable(this.ensureSeeded(), deadline);
    const [vector] = await this.embed([query.text], deadline);
    const result = await this.handles.use(deadline, (collection) =>
      collection.query({
        queryEmbeddings: [vector],
        nResults: query.nResults,
        where: whereFor(query),
        include: ['documents', 'metadatas', 'distances'],
      }),
    );
    const hits: KnowledgeHit[] = [];
    for (const row of result.rows()[0] ?? []) {
      const hit = hitFrom(row);
      if (hit) hits.push(hit);
      else this.log.warn({ collection: this.collectionName, id: row.id }, 'skipping a malformed record in the knowledge collection');
    }
    return {
      hits,
      embeddingFunction: this.embedding.id,
      collection: this.collectionName,
      knowledgeBaseVersion: this.knowledgeBase.version,
    };
  }

  /** Embeds with the provider; its failures (a hosted API down) are reported as EMBEDDING_UNAVAILABLE. */
  private async embed(texts: string[], signal: AbortSignal): Promise<number[][]> {
    try {
      return await abortable(this.embedding.function.generate(texts), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new KnowledgeUnavailableError('EMBEDDING_UNAVAILABLE',
        `the embedding provider ${this.embedding.id} failed: ${error instanceof Error ? error.message : String(error)}`, this.chromaUrl, { cause: error });
    }
  }

  private client(signal: AbortSignal): ChromaClient {
    return new ChromaClient({ ...this.server, fetchOptions: { signal } });
  }

  private openCollection(client: ChromaClient): Promise<Collection> {
    return client.getOrCreateCollection({
      name: this.collectionName,
      embeddingFunction: this.embedding.function,
      metadata: { description: 'tracemesh primary-care knowledge base', kb_hash: 'not seeded' },
    });
  }

  /** Upserts every document and deletes the ones the knowledge base dropped; returns how many were deleted. */
  private async writeDocuments(collection: Collection, signal: AbortSignal): Promise<number> {
    const documents = this.knowledgeBase.documents;
    for (let start = 0; start < documents.length; start += SEED_BATCH_SIZE) {
      const batch = documents.slice(start, start + SEED_BATCH_SIZE);
      const embeddings = await this.embed(batch.map((d) => this.knowledgeBase.embeddingText(d)), signal);
      await collection.upsert({
        ids: batch.map((d) => d.id),
        embeddings,
        documents: batch.map((d) => d.content),
        metadatas: batch.map((d) => ({
          title: d.title,
          condition: d.condition,
          category: d.category,
          source: d.source,
          kb_version: this.knowledgeBase.version,
        })),
      });
    }
    const wanted = new Set(documents.map((d) => d.id));
    const stale = (await collection.get({ include: [] })).ids.filter((id) => !wanted.has(id));
    if (stale.length > 0) await collection.delete({ ids: stale });
    return stale.length;
  }

  private report(action: SeedReport['action'], removed: number, started: number): SeedReport {
    return {
      action,
      collection: this.collectionName,
      documents: this.knowledgeBase.documents.length,
      removed,
      knowledgeBaseVersion: this.knowledgeBase.version,
      knowledgeBaseHash: this.knowledgeBase.contentHash,
      embeddingFunction: this.embedding.id,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Maps a failure talking to Chroma to a KnowledgeUnavailableError; other errors pass through. */
  private unavailable(error: unknown, timeout: AbortSignal, operation: 'seeding' | 'search'): unknown {
    if (error instanceof KnowledgeUnavailableError) return error;
    let reason: KnowledgeUnavailableReason | undefined;
    let message = '';
    if (timeout.aborted) {
      reason = 'CHROMA_TIMEOUT';
      message = `the knowledge base (Chroma at ${this.chromaUrl}) did not answer within ${operation === 'search' ? this.queryTimeoutMs : this.seedTimeoutMs} ms`;
    } else if (error instanceof ChromaConnectionError) {
      reason = 'CHROMA_UNAVAILABLE';
      message = `the knowledge base (Chroma at ${this.chromaUrl}) is unreachable`;
    }
    if (reason === undefined) return error;
    return new KnowledgeUnavailableError(reason, message, this.chromaUrl, { cause: error });
  }
}
