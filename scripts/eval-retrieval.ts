// Measures search_medical_knowledge's retrieval quality on the labelled queries
// (data/knowledge-base/eval-queries.json) through a real Chroma server: recall@1, recall@3 and MRR,
// overall, per category, per split (dev / holdout) and for queries sharing no word with their
// document's title. Uses the configured embedding provider (local unless OpenAI is configured).
//
//   node --import tsx scripts/eval-retrieval.ts            start a Chroma server in a temp dir, measure, stop it
//   … --chroma-url http://127.0.0.1:8000                   use an existing server (its own collection prefix)
//   … --misses                                             also list queries whose best document is not ranked first
//   … --json                                               print the report as JSON
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../lib/logging.js';
import { startChromaServer, type ChromaServer } from '../lib/process/chroma-server.js';
import { createEmbeddingProvider } from '../services/toolworker/knowledge/embedding-provider.js';
import { loadKnowledgeBase } from '../services/toolworker/knowledge/knowledge-base.js';
import { ChromaKnowledgeStore } from '../services/toolworker/knowledge/knowledge-store.js';
import { evaluateRetrieval, formatReport, loadEvalQueries } from '../services/toolworker/knowledge/retrieval-evaluation.js';

/** Enough candidates for MRR to see a relevant document ranked below the top 3. */
const RANKED_RESULTS = 10;

const { values: options } = parseArgs({
  options: {
    'chroma-url': { type: 'string' },
    misses: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const log = createLogger('eval-retrieval');
const knowledgeBase = loadKnowledgeBase();
const { queries } = loadEvalQueries();
const embedding = await createEmbeddingProvider(knowledgeBase);

let server: ChromaServer | undefined;
let tempDir: string | undefined;
try {
  let chromaUrl = options['chroma-url'];
  if (chromaUrl === undefined) {
    tempDir = mkdtempSync(join(tmpdir(), 'tracemesh-eval-retrieval-'));
    server = await startChromaServer({ dataDir: join(tempDir, 'chroma'), logFile: join(tempDir, 'chroma.log') });
    chromaUrl = server.url;
  }
  const store = new ChromaKnowledgeStore({ chromaUrl, knowledgeBase, embedding, log, collectionPrefix: 'eval-retrieval' });
  await store.ensureSeeded();
  const never = new AbortController().signal;
  const report = await evaluateRetrieval(knowledgeBase, queries, async (text) =>
    (await store.search({ text, nResults: RANKED_RESULTS }, never)).hits.map((hit) => hit.id));

  if (options.json) {
    const { outcomes, ...metrics } = report;
    process.stdout.write(`${JSON.stringify({
      embedding_function: embedding.id,
      knowledge_base_version: knowledgeBase.version,
      chroma_url: chromaUrl,
      ...metrics,
      misses: options.misses ? outcomes.filter((o) => o.firstRelevantRank !== 1) : undefined,
    }, null, 2)}\n`);
  } else {
    const lines = [
      `embedding ${embedding.id} · knowledge base ${knowledgeBase.version} (${knowledgeBase.documents.length} documents) · ${queries.length} queries · Chroma ${chromaUrl}`,
      ...formatReport(report),
    ];
    if (options.misses) {
      lines.push('', 'queries whose best document is not first:');
      for (const outcome of report.outcomes.filter((o) => o.firstRelevantRank !== 1)) {
        lines.push(`  [${outcome.query.split}] rank ${outcome.firstRelevantRank ?? `>${RANKED_RESULTS}`}  "${outcome.query.query}"`
          + `  want ${outcome.query.relevant.join(' | ')}; got ${outcome.ranked.slice(0, 3).join(', ')}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  await server?.stop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}
