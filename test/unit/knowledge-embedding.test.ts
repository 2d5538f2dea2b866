// The local clinical embedding: deterministic, unit length, shaped as chromadb expects, and doing
// what the lexicon is for — lay words, abbreviations and lab values land near the documents that
// use the clinical terms.
import assert from 'node:assert/strict';
import { CLINICAL_VOCABULARY } from '../../services/toolworker/knowledge/clinical-lexicon.js';
import { ConceptExtractor, contentStems, extractFeatures, stem, tokenize } from '../../services/toolworker/knowledge/clinical-text-features.js';
import { loadKnowledgeBase } from '../../services/toolworker/knowledge/knowledge-base.js';
import {
  DEFAULT_LOCAL_EMBEDDING_PARAMETERS,
  LOCAL_EMBEDDING_NAME,
  LocalClinicalEmbeddingFunction,
} from '../../services/toolworker/knowledge/local-embedding.js';

const knowledgeBase = loadKnowledgeBase();
const corpus = knowledgeBase.documents.map((d) => knowledgeBase.embeddingText(d));
const embedding = LocalClinicalEmbeddingFunction.fit(corpus);
const concepts = new ConceptExtractor(CLINICAL_VOCABULARY);

function documentText(id: string): string {
  const document = knowledgeBase.documents.find((d) => d.id === id);
  assert.ok(document, id);
  return knowledgeBase.embeddingText(document);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i], 0);
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(cosine(vector, vector));
}

/** Documents ranked for a query by this embedding (what Chroma's cosine search returns). */
function rank(query: string, model = embedding): string[] {
  const q = model.embed(query);
  return knowledgeBase.documents
    .map((d) => ({ id: d.id, score: cosine(q, model.embed(knowledgeBase.embeddingText(d))) }))
    .sort((a, b) => b.score - a.score)
    .map((x) => x.id);
}

describe('local clinical embedding', () => {
  it('is deterministic: same text, same vector; a second fit gives the same vectors and id', async () => {
    const text = 'always thirsty and peeing a lot, what labs?';
    assert.deepEqual(embedding.embed(text), embedding.embed(text));
    const refit = LocalClinicalEmbeddingFunction.fit(corpus);
    assert.equal(refit.id, embedding.id);
    assert.deepEqual(await refit.generate([text, corpus[0]]), [embedding.embed(text), embedding.embed(corpus[0])]);
  });

  it('returns L2-normalised vectors of the configured length, even for text it knows nothing of', () => {
    for (const text of [...corpus.slice(0, 5), 'BP 150/95', 'what is the', 'zzzz qqqq', '']) {
      const vector = embedding.embed(text);
      assert.equal(vector.length, DEFAULT_LOCAL_EMBEDDING_PARAMETERS.dimensions);
      assert.ok(Math.abs(norm(vector) - 1) < 1e-9, `norm of "${text}" is ${norm(vector)}`);
      assert.ok(vector.every(Number.isFinite));
    }
  });

  it('implements chromadb EmbeddingFunction with a config it can be rebuilt from', async () => {
    assert.equal(embedding.name, LOCAL_EMBEDDING_NAME);
    assert.equal(embedding.defaultSpace(), 'cosine');
    assert.deepEqual(embedding.supportedSpaces(), ['cosine']);
    const config = embedding.getConfig();
    assert.equal(config.dimensions, DEFAULT_LOCAL_EMBEDDING_PARAMETERS.dimensions);
    const rebuilt = LocalClinicalEmbeddingFunction.buildFromConfig(config);
    assert.deepEqual(await rebuilt.generate(['gout flare']), await embedding.generate(['gout flare']));
    assert.throws(() => LocalClinicalEmbeddingFunction.buildFromConfig({ ...config, fingerprint: 'other' }), /differs/);
  });

  it('changes its id when the parameters or the vocabulary change', () => {
    const other = LocalClinicalEmbeddingFunction.fit(corpus, { ...DEFAULT_LOCAL_EMBEDDING_PARAMETERS, charShare: 0.5 });
    assert.notEqual(other.id, embedding.id);
    const trimmed = { ...CLINICAL_VOCABULARY, lexicon: { ...CLINICAL_VOCABULARY.lexicon, fatigue: ['fatigue'] } };
    assert.notEqual(LocalClinicalEmbeddingFunction.fit(corpus, DEFAULT_LOCAL_EMBEDDING_PARAMETERS, trimmed).id, embedding.id);
  });

  it('brings lay words and abbreviations to the clinical documents (synonym table)', () => {
    const withoutLexicon = LocalClinicalEmbeddingFunction.fit(corpus, DEFAULT_LOCAL_EMBEDDING_PARAMETERS, {
      lexicon: { 'intent-diagnosis': ['diagnosis'] },
      implications: {},
      valueRules: [],
    });
    const query = 'always thirsty and peeing a lot, what labs?';
    const target = documentText('t2dm-diagnosis');
    const similarity = cosine(embedding.embed(query), embedding.embed(target));
    const plainSimilarity = cosine(withoutLexicon.embed(query), withoutLexicon.embed(target));
    assert.ok(similarity > plainSimilarity + 0.1, `with lexicon ${similarity.toFixed(3)}, without ${plainSimilarity.toFixed(3)}`);
    assert.equal(rank(query)[0], 't2dm-diagnosis');
    assert.notEqual(rank(query, withoutLexicon)[0], 't2dm-diagnosis');
  });

  it('treats an abbreviation like the words it stands for', () => {
    const bp = embedding.embed('BP targets');
    const spelled = embedding.embed('blood pressure targets');
    const unrelated = embedding.embed('gout targets');
    assert.ok(cosine(bp, spelled) > 0.6, `BP vs blood pressure ${cosine(bp, spelled).toFixed(3)}`);
    assert.ok(cosine(bp, spelled) > cosine(bp, unrelated) + 0.3);
  });

  it('ranks the intended document first for lay, abbreviated and value-only questions', () => {
    assert.equal(rank('snores, stops breathing at night, sleepy all day')[0], 'osa-diagnosis');
    assert.equal(rank('tired, cold all the time, constipated')[0], 'hypothyroidism-diagnosis');
    assert.equal(rank('A1c came back 6.1%, what does it mean')[0], 'prediabetes-diagnosis');
    assert.equal(rank('DOAC for AFib')[0], 'afib-anticoagulation');
    assert.equal(rank('SOB and edema, BNP?')[0], 'hf-diagnosis');
    assert.equal(rank('UTI abx')[0], 'uti-treatment');
  });
});

describe('clinical text features', () => {
  it('tokenises to lowercase ASCII words and stems lightly', () => {
    assert.deepEqual(tokenize("Can't relax — HbA1c 6.5%, Graves' disease"), ['cant', 'relax', 'hba1c', '6', '5', 'graves', 'disease']);
    assert.equal(stem('urinating'), 'urinat');
    assert.equal(stem('urinate'), 'urinat');
    assert.equal(stem('headaches'), stem('headache'));
    assert.equal(stem('arteries'), 'artery');
    assert.equal(stem('diabetes'), 'diabet');
    assert.equal(stem('stopped'), 'stop');
    assert.equal(stem('b12'), 'b12');
    assert.deepEqual(contentStems('What should the patient do about his headaches?'), ['headach']);
  });

  it('matches lexicon phrases longest first, including across stopwords', () => {
    const found = concepts.extract('short of breath lying flat, positive airway pressure, no pleasure');
    assert.ok(found.has('dyspnea'));
    assert.ok(found.has('orthopnea'));
    assert.ok(found.has('cpap'));
    assert.ok(!found.has('blood-pressure'), '"positive airway pressure" is CPAP, not blood pressure');
    assert.ok(found.has('anhedonia'));
  });

  it('adds the condition a cardinal finding implies, at half weight', () => {
    const found = concepts.extract('very thirsty');
    assert.equal(found.get('polydipsia'), 1);
    assert.equal(found.get('diabetes'), 0.5);
  });

  it('reads lab values against guideline thresholds', () => {
    assert.ok(concepts.extract('A1c came back 6.1%').has('prediabetes'));
    assert.ok(concepts.extract('HbA1c of 8.2').has('diabetes'));
    assert.ok(!concepts.extract('A1c 5.2').has('prediabetes'));
    assert.ok(concepts.extract('PHQ-9 of 17').has('depression'));
    assert.ok(concepts.extract('TSH 9.8').has('hypothyroidism'));
    assert.ok(concepts.extract('blood sugar dropped to 50').has('hypoglycemia'));
    assert.ok(concepts.extract('CHA2DS2-VASc of 3').has('anticoagulant'));
  });

  it('puts question intent in its own group', () => {
    const features = extractFeatures('which test confirms it, and what treatment?', concepts);
    assert.deepEqual([...features.intent.keys()].sort(), ['intent-diagnosis', 'intent-treatment']);
    assert.ok(![...features.concept.keys()].some((k) => k.startsWith('intent-')));
  });
});
