// search_medical_knowledge against a stand-in store: argument checking (schema and semantics), what
// it sends to the store, what it returns and scores, and how an unavailable store is reported.
import assert from 'node:assert/strict';
import { status as grpcStatus } from '@grpc/grpc-js';
import pino from 'pino';
import { decodeErrorDetails, isGrpcError } from '../../lib/grpc/errors.js';
import type { JsonObject } from '../../lib/json.js';
import { loadKnowledgeBase } from '../../services/toolworker/knowledge/knowledge-base.js';
import {
  KnowledgeUnavailableError,
  type KnowledgeHit,
  type KnowledgeQuery,
  type KnowledgeSearch,
  type KnowledgeSearchResult,
} from '../../services/toolworker/knowledge/knowledge-search.js';
import { ToolArgumentError, type ToolContext } from '../../services/toolworker/tool.js';
import { ToolRegistry } from '../../services/toolworker/tool-registry.js';
import { createSearchMedicalKnowledgeTool, SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME } from '../../services/toolworker/tools/search-medical-knowledge.js';

const knowledgeBase = loadKnowledgeBase();

const HIT: KnowledgeHit = {
  id: 't2dm-diagnosis',
  title: 'Diagnosing type 2 diabetes',
  condition: 'type 2 diabetes',
  category: 'diagnosis',
  content: 'Diabetes is diagnosed by…',
  source: 'ADA Standards of Care 2024',
  distance: 0.62,
  relevance: 0.38,
};

class FakeKnowledge implements KnowledgeSearch {
  readonly knowledgeBase = knowledgeBase;
  readonly queries: KnowledgeQuery[] = [];
  constructor(private readonly answer: (query: KnowledgeQuery) => Promise<KnowledgeHit[]>) {}

  async search(query: KnowledgeQuery): Promise<KnowledgeSearchResult> {
    this.queries.push(query);
    return { hits: await this.answer(query), embeddingFunction: 'fake-embedding', collection: 'fake-collection', knowledgeBaseVersion: knowledgeBase.version };
  }
}

function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, log: pino({ level: 'silent' }) };
}

function setup(answer: (query: KnowledgeQuery) => Promise<KnowledgeHit[]> = async () => [HIT]) {
  const knowledge = new FakeKnowledge(answer);
  const registry = new ToolRegistry().register(createSearchMedicalKnowledgeTool(knowledge));
  const tool = registry.get(SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME);
  assert.ok(tool);
  return { knowledge, registry, tool };
}

describe('search_medical_knowledge tool', () => {
  it('validates arguments against its schema', () => {
    const { registry } = setup();
    const fields = (args: JsonObject): string[] =>
      registry.validate(SEARCH_MEDICAL_KNOWLEDGE_TOOL_NAME, args).map((v) => `${v.field}: ${v.description}`);
    assert.deepEqual(fields({}), ['query: is required']);
    assert.equal(fields({ query: 'ab' }).length, 1);
    assert.match(fields({ query: 'ab' })[0], /^query:/);
    assert.match(fields({ query: 'x'.repeat(501) })[0], /^query:/);
    assert.match(fields({ query: 'gout', n_results: 11 })[0], /^n_results:/);
    assert.match(fields({ query: 'gout', n_results: 2.5 })[0], /^n_results:/);
    assert.match(fields({ query: 'gout', category: 'prognosis' })[0], /^category: must be one of "diagnosis", "treatment", "screening", "follow-up"/);
    assert.deepEqual(fields({ query: 'gout', top_k: 3 }), ['top_k: is not an argument of this tool']);
    assert.deepEqual(fields({ query: 'gout', condition: 'gout', category: 'treatment', n_results: 10 }), []);
  });

  it('searches with the canonical condition, the category and 3 results by default', async () => {
    const { knowledge, tool } = setup();
    await tool.execute({ query: '  fatigue and increased thirst ', condition: 'T2DM', category: 'diagnosis' }, context());
    assert.deepEqual(knowledge.queries, [{ text: 'fatigue and increased thirst', condition: 'type 2 diabetes', category: 'diagnosis', nResults: 3 }]);
  });

  it('returns the ranked passages, scores the top relevance and records the embedding and version', async () => {
    const second: KnowledgeHit = { ...HIT, id: 't2dm-screening', distance: 0.8, relevance: 0.2 };
    const { tool } = setup(async () => [HIT, second]);
    const outcome = await tool.execute({ query: 'always thirsty', n_results: 2 }, context());
    assert.deepEqual(outcome.output, { results: [{ ...HIT }, { ...second }] });
    assert.deepEqual(outcome.scores, { retrieval_relevance: 0.38 });
    assert.deepEqual(outcome.metadata, {
      embedding_function: 'fake-embedding',
      knowledge_base_version: knowledgeBase.version,
      collection: 'fake-collection',
      n_results: 2,
      result_ids: ['t2dm-diagnosis', 't2dm-screening'],
    });
  });

  it('scores 0 when nothing matches the filters', async () => {
    const { tool } = setup(async () => []);
    const outcome = await tool.execute({ query: 'anything', condition: 'gout', category: 'screening' }, context());
    assert.deepEqual(outcome.output, { results: [] });
    assert.deepEqual(outcome.scores, { retrieval_relevance: 0 });
    assert.equal(outcome.metadata?.condition_filter, 'gout');
    assert.equal(outcome.metadata?.category_filter, 'screening');
  });

  it('searches everything, with a note, when the condition is not covered', async () => {
    const { knowledge, tool } = setup();
    const outcome = await tool.execute({ query: 'insulin pump settings', condition: 'type 1 diabetes' }, context());
    assert.equal(knowledge.queries[0].condition, undefined);
    assert.deepEqual(outcome.output.results, [{ ...HIT }]);
    assert.match(String((outcome.output.notes as string[])[0]), /^"type 1 diabetes" is not a condition in this knowledge base, so the results are not filtered by condition \(covered: type 2 diabetes, prediabetes/);
    assert.equal(outcome.metadata?.unknown_condition, 'type 1 diabetes');
  });

  it('rejects a query without words, naming the field', async () => {
    const { knowledge, tool } = setup();
    await assert.rejects(async () => tool.execute({ query: '?!…' }, context()), (error: unknown) => error instanceof ToolArgumentError && error.field === 'query');
    assert.equal(knowledge.queries.length, 0);
  });

  it('reports an unreachable knowledge base as UNAVAILABLE with an ErrorInfo', async () => {
    const { tool } = setup(async () => {
      throw new KnowledgeUnavailableError('CHROMA_UNAVAILABLE', 'the knowledge base (Chroma at http://127.0.0.1:9) is unreachable', 'http://127.0.0.1:9');
    });
    await assert.rejects(async () => tool.execute({ query: 'gout flare' }, context()), (error: unknown) => {
      assert.ok(isGrpcError(error));
      assert.equal(error.code, grpcStatus.UNAVAILABLE);
      assert.match(error.message, /^search_medical_knowledge: the knowledge base \(Chroma at http:\/\/127\.0\.0\.1:9\) is unreachable; the other tools still work/);
      assert.deepEqual(decodeErrorDetails(error).errorInfo, {
        reason: 'CHROMA_UNAVAILABLE',
        domain: 'toolworker.tracemesh',
        metadata: { tool: 'search_medical_knowledge', chroma_url: 'http://127.0.0.1:9' },
      });
      return true;
    });
  });

  it('does not search for a caller who already left', async () => {
    const { knowledge, tool } = setup();
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the caller'));
    await assert.rejects(async () => tool.execute({ query: 'gout flare' }, context(controller.signal)), /cancelled by the caller/);
    assert.equal(knowledge.queries.length, 0);
  });

  it('tells the model which conditions it covers', () => {
    const { tool } = setup();
    for (const condition of knowledgeBase.conditions) assert.ok(tool.description.includes(condition.name), condition.name);
  });
});
