// Measures retrieval quality on the labelled queries in data/knowledge-base/eval-queries.json:
// recall@1, recall@3 and MRR, overall and by category, split (dev / holdout) and by whether the
// query shares a word with its best document's title. Used by scripts/eval-retrieval.ts and by the
// retrieval-quality test, so both measure the same thing.
//
// recall@k here is the fraction of queries with at least one relevant document in the top k (most
// queries have exactly one relevant document); MRR averages 1/rank of the first relevant document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { contentStems } from './clinical-text-features.js';
import { KNOWLEDGE_BASE_DIR, KNOWLEDGE_CATEGORIES, type KnowledgeBase, type KnowledgeCategory } from './knowledge-base.js';

const evalFileSchema = z.object({
  knowledge_base_version: z.string(),
  queries: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        query: z.string().min(3).max(500),
        relevant: z.array(z.string().min(1)).min(1),
        split: z.enum(['dev', 'holdout']),
      }),
    )
    .min(1),
});

export type LabelledQuery = z.infer<typeof evalFileSchema>['queries'][number];

export interface EvalQuerySet {
  knowledgeBaseVersion: string;
  queries: LabelledQuery[];
}

export function loadEvalQueries(directory: string = KNOWLEDGE_BASE_DIR): EvalQuerySet {
  const parsed = evalFileSchema.parse(JSON.parse(readFileSync(join(directory, 'eval-queries.json'), 'utf8')) as unknown);
  return { knowledgeBaseVersion: parsed.knowledge_base_version, queries: parsed.queries };
}

export interface QueryOutcome {
  query: LabelledQuery;
  /** Document ids as retrieved, best first. */
  ranked: string[];
  /** 1-based rank of the first relevant document, undefined when it was not retrieved. */
  firstRelevantRank: number | undefined;
  category: KnowledgeCategory;
  /** True when the query shares a content word (after stemming) with a relevant document's title. */
  sharesTitleWord: boolean;
}

export interface RetrievalMetrics {
  queries: number;
  recallAt1: number;
  recallAt3: number;
  mrr: number;
}

export interface RetrievalReport {
  overall: RetrievalMetrics;
  byCategory: Partial<Record<KnowledgeCategory, RetrievalMetrics>>;
  bySplit: { dev: RetrievalMetrics; holdout: RetrievalMetrics };
  noTitleWordOverlap: RetrievalMetrics;
  outcomes: QueryOutcome[];
}

/** Retrieves document ids for a query, best first (at least 3, ideally 10, for MRR). */
export type RankedRetriever = (query: string) => Promise<string[]>;

export function sharesTitleWord(query: string, titles: readonly string[]): boolean {
  const queryStems = new Set(contentStems(query));
  return titles.some((title) => contentStems(title).some((s) => queryStems.has(s)));
}

export function summarize(outcomes: readonly QueryOutcome[]): RetrievalMetrics {
  const n = outcomes.length;
  if (n === 0) return { queries: 0, recallAt1: 0, recallAt3: 0, mrr: 0 };
  const within = (k: number): number => outcomes.filter((o) => o.firstRelevantRank !== undefined && o.firstRelevantRank <= k).length / n;
  const mrr = outcomes.reduce((sum, o) => sum + (o.firstRelevantRank === undefined ? 0 : 1 / o.firstRelevantRank), 0) / n;
  return { queries: n, recallAt1: within(1), recallAt3: within(3), mrr };
}

export async function evaluateRetrieval(
  knowledgeBase: KnowledgeBase,
  queries: readonly LabelledQuery[],
  retrieve: RankedRetriever,
): Promise<RetrievalReport> {
  const byId = new Map(knowledgeBase.documents.map((d) => [d.id, d]));
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    const relevant = query.relevant.map((id) => {
      const document = byId.get(id);
      if (!document) throw new Error(`eval query ${query.id} names unknown document "${id}"`);
      return document;
    });
    const ranked = await retrieve(query.query);
    const index = ranked.findIndex((id) => query.relevant.includes(id));
    outcomes.push({
      query,
      ranked,
      firstRelevantRank: index === -1 ? undefined : index + 1,
      category: relevant[0].category,
      sharesTitleWord: sharesTitleWord(query.query, relevant.map((d) => d.title)),
    });
  }
  const byCategory: Partial<Record<KnowledgeCategory, RetrievalMetrics>> = {};
  for (const category of KNOWLEDGE_CATEGORIES) {
    const inCategory = outcomes.filter((o) => o.category === category);
    if (inCategory.length > 0) byCategory[category] = summarize(inCategory);
  }
  return {
    overall: summarize(outcomes),
    byCategory,
    bySplit: {
      dev: summarize(outcomes.filter((o) => o.query.split === 'dev')),
      holdout: summarize(outcomes.filter((o) => o.query.split === 'holdout')),
    },
    noTitleWordOverlap: summarize(outcomes.filter((o) => !o.sharesTitleWord)),
    outcomes,
  };
}

/** The report as aligned text lines, for the script and for test failure messages. */
export function formatReport(report: RetrievalReport): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);
  const line = (label: string, m: RetrievalMetrics): string =>
    `${label.padEnd(26)} n=${String(m.queries).padStart(3)}  recall@1 ${pct(m.recallAt1)}  recall@3 ${pct(m.recallAt3)}  MRR ${m.mrr.toFixed(3)}`;
  const lines = [line('overall', report.overall)];
  for (const [category, metrics] of Object.entries(report.byCategory)) lines.push(line(`  category ${category}`, metrics));
  lines.push(line('  split dev', report.bySplit.dev), line('  split holdout', report.bySplit.holdout));
  lines.push(line('no title-word overlap', report.noTitleWordOverlap));
  return lines;
}
