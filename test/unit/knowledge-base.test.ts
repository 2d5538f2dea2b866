// The knowledge base and the labelled queries as data: coverage the product promises (≥60 documents,
// ≥20 conditions, diagnosis and treatment for each), well-formed documents, eval queries that point
// at real documents, and the loader's integrity checks and content hash.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWLEDGE_BASE_DIR, KNOWLEDGE_CATEGORIES, loadKnowledgeBase, parseKnowledgeBase } from '../../services/toolworker/knowledge/knowledge-base.js';
import { loadEvalQueries, sharesTitleWord } from '../../services/toolworker/knowledge/retrieval-evaluation.js';

const knowledgeBase = loadKnowledgeBase();
const evalSet = loadEvalQueries();

function rawFiles(): { documents: { version: string; documents: Array<Record<string, string>> }; conditions: unknown } {
  return {
    documents: JSON.parse(readFileSync(join(KNOWLEDGE_BASE_DIR, 'documents.json'), 'utf8')) as { version: string; documents: Array<Record<string, string>> },
    conditions: JSON.parse(readFileSync(join(KNOWLEDGE_BASE_DIR, 'conditions.json'), 'utf8')) as unknown,
  };
}

/** Sentences end with . ! or ? followed by a space and a capital or digit ("1.6 mcg/kg" is not a break). */
function sentenceCount(text: string): number {
  return text.trim().split(/(?<=[.!?])\s+(?=[A-Z0-9])/).length;
}

describe('knowledge base data', () => {
  it('has at least 60 documents across at least 20 conditions', () => {
    assert.ok(knowledgeBase.documents.length >= 60, `${knowledgeBase.documents.length} documents`);
    const conditions = new Set(knowledgeBase.documents.map((d) => d.condition));
    assert.ok(conditions.size >= 20, `${conditions.size} conditions`);
  });

  it('uses unique ids', () => {
    const ids = knowledgeBase.documents.map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('covers every condition with at least a diagnosis and a treatment document', () => {
    for (const condition of knowledgeBase.conditions) {
      const categories = new Set(knowledgeBase.documents.filter((d) => d.condition === condition.name).map((d) => d.category));
      assert.ok(categories.has('diagnosis'), `${condition.name} has no diagnosis document`);
      assert.ok(categories.has('treatment'), `${condition.name} has no treatment document`);
    }
  });

  it('covers the primary-care conditions the product names', () => {
    for (const name of ['type 2 diabetes', 'prediabetes', 'hypertension', 'hypothyroidism', 'hyperthyroidism', 'iron deficiency anemia',
      'vitamin b12 deficiency', 'chronic kidney disease', 'obesity', 'obstructive sleep apnea', 'depression', 'generalized anxiety disorder',
      'heart failure', 'atrial fibrillation', 'hyperlipidemia', 'asthma', 'copd', 'gerd', 'osteoporosis', 'gout', 'urinary tract infection', 'migraine']) {
      assert.ok(knowledgeBase.documents.some((d) => d.condition === name), `no document for ${name}`);
    }
  });

  it('keeps each document to 3–8 sentences with a title, a known category and a source', () => {
    for (const document of knowledgeBase.documents) {
      const sentences = sentenceCount(document.content);
      assert.ok(sentences >= 3 && sentences <= 8, `${document.id}: ${sentences} sentences`);
      assert.ok((KNOWLEDGE_CATEGORIES as readonly string[]).includes(document.category), document.id);
      assert.ok(document.source.length >= 10, `${document.id}: source`);
    }
  });

  it('uses every category somewhere', () => {
    for (const category of KNOWLEDGE_CATEGORIES) assert.ok(knowledgeBase.documents.some((d) => d.category === category), category);
  });
});

describe('knowledge base loader', () => {
  it('resolves condition names and aliases in any case and punctuation', () => {
    assert.equal(knowledgeBase.resolveCondition('T2DM'), 'type 2 diabetes');
    assert.equal(knowledgeBase.resolveCondition('Type 2 Diabetes'), 'type 2 diabetes');
    assert.equal(knowledgeBase.resolveCondition("Graves' disease"), 'hyperthyroidism');
    assert.equal(knowledgeBase.resolveCondition('community acquired pneumonia'), 'community-acquired pneumonia');
    assert.equal(knowledgeBase.resolveCondition('CKD'), 'chronic kidney disease');
    assert.equal(knowledgeBase.resolveCondition('scurvy'), undefined);
  });

  it('rejects a duplicated document id', () => {
    const { documents, conditions } = rawFiles();
    documents.documents.push({ ...documents.documents[0] });
    assert.throws(() => parseKnowledgeBase(documents, conditions), /used twice/);
  });

  it('rejects a document whose condition is not listed', () => {
    const { documents, conditions } = rawFiles();
    documents.documents[0] = { ...documents.documents[0], condition: 'scurvy' };
    assert.throws(() => parseKnowledgeBase(documents, conditions), /does not list/);
  });

  it('rejects an unknown category and an alias shared by two conditions', () => {
    const { documents, conditions } = rawFiles();
    const badCategory = structuredClone(documents);
    badCategory.documents[0].category = 'prognosis';
    assert.throws(() => parseKnowledgeBase(badCategory, conditions), /category/);
    const clash = structuredClone(conditions) as { conditions: Array<{ name: string; aliases: string[] }> };
    clash.conditions[1].aliases.push('T2DM');
    assert.throws(() => parseKnowledgeBase(documents, clash), /names both/);
  });

  it('hashes content: stable for the same data, different when a document changes', () => {
    const { documents, conditions } = rawFiles();
    assert.equal(parseKnowledgeBase(documents, conditions).contentHash, knowledgeBase.contentHash);
    const reordered = { ...documents, documents: [...documents.documents].reverse() };
    assert.equal(parseKnowledgeBase(reordered, conditions).contentHash, knowledgeBase.contentHash, 'order does not matter');
    const edited = structuredClone(documents);
    edited.documents[3].content += ' One more sentence.';
    assert.notEqual(parseKnowledgeBase(edited, conditions).contentHash, knowledgeBase.contentHash);
  });

  it('embeds a document as title, condition with aliases, category and content', () => {
    const document = knowledgeBase.documents.find((d) => d.id === 't2dm-diagnosis');
    assert.ok(document);
    const text = knowledgeBase.embeddingText(document);
    assert.match(text, /^Diagnosing type 2 diabetes\. Condition: type 2 diabetes \(t2dm, .*\)\. Category: diagnosis\. Diabetes is diagnosed/);
  });
});

describe('labelled retrieval queries', () => {
  it('has at least 50 queries with unique ids for the current knowledge base version', () => {
    assert.ok(evalSet.queries.length >= 50, `${evalSet.queries.length} queries`);
    assert.equal(new Set(evalSet.queries.map((q) => q.id)).size, evalSet.queries.length);
    assert.equal(evalSet.knowledgeBaseVersion, knowledgeBase.version);
  });

  it('only references documents that exist', () => {
    const ids = new Set(knowledgeBase.documents.map((d) => d.id));
    for (const query of evalSet.queries) {
      for (const id of query.relevant) assert.ok(ids.has(id), `${query.id} references unknown document ${id}`);
    }
  });

  it('has many queries sharing no word with the best document title, and a holdout split', () => {
    const titles = new Map(knowledgeBase.documents.map((d) => [d.id, d.title]));
    const disjoint = evalSet.queries.filter((q) => !sharesTitleWord(q.query, q.relevant.map((id) => titles.get(id) ?? '')));
    assert.ok(disjoint.length >= evalSet.queries.length * 0.4, `${disjoint.length} of ${evalSet.queries.length} share no title word`);
    assert.ok(evalSet.queries.filter((q) => q.split === 'holdout').length >= 20);
  });

  it('detects title-word overlap after stemming and ignores stopwords', () => {
    assert.equal(sharesTitleWord('always thirsty and peeing a lot, what labs?', ['Diagnosing type 2 diabetes']), false);
    assert.equal(sharesTitleWord('how do you diagnose diabetes?', ['Diagnosing type 2 diabetes']), true);
    assert.equal(sharesTitleWord('what is the plan', ['The plan of care']), true);
    assert.equal(sharesTitleWord('what is it', ['The plan of care']), false);
  });
});
