// The offline model while an urgent problem leads, through the real @anthropic-ai/sdk and the
// offline fetch, with the real metrics and medication tools and the real knowledge base: the
// knowledge search ranks the seed documents (data/knowledge-base) as Chroma does with the local
// embedding (cosine over LocalClinicalEmbeddingFunction vectors), so what is cited is what the
// knowledge base holds. The search is about the urgent problem, and a passage is cited for it only
// when one of its sentences is; the work-up deferred until it is under control leaves out what the
// orders already measure and says so for a condition whose tests are all ordered; and the detail of
// a drug the urgent problem acts on outlasts the routine lines when the answer is trimmed to length.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { JsonObject } from '../../lib/json.js';
import { createOfflineModelFetch } from '../../lib/llm/offline/index.js';
import { loadKnowledgeBase } from '../../services/toolworker/knowledge/knowledge-base.js';
import { LocalClinicalEmbeddingFunction } from '../../services/toolworker/knowledge/local-embedding.js';
import { OFFLINE_MODEL as MODEL, REAL_TOOLS, SEARCH_TOOL, toolContext, toolRegistry as registry } from '../helpers/offline-model-tools.js';

const TOOLS: Anthropic.Tool[] = [...REAL_TOOLS, SEARCH_TOOL];

const knowledgeBase = loadKnowledgeBase();
const embedding = LocalClinicalEmbeddingFunction.fit(knowledgeBase.documents.map((d) => knowledgeBase.embeddingText(d)));
const documentVectors = knowledgeBase.documents.map((d) => embedding.embed(knowledgeBase.embeddingText(d)));

/** The search tool's answer from the seed knowledge base: passages ranked by cosine, filtered by condition when one is named. */
function searchKnowledge(input: JsonObject): JsonObject {
  const query = embedding.embed(String(input.query));
  const condition = typeof input.condition === 'string' ? knowledgeBase.resolveCondition(input.condition) : undefined;
  const limit = typeof input.n_results === 'number' ? input.n_results : 3;
  const hits = knowledgeBase.documents
    .map((d, i) => ({ d, similarity: query.reduce((sum, x, j) => sum + x * (documentVectors[i]?.[j] ?? 0), 0) }))
    .filter(({ d }) => condition === undefined || d.condition === condition)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, limit);
  return {
    results: hits.map(({ d, similarity }) => ({ id: d.id, title: d.title, condition: d.condition, category: d.category, content: d.content, source: d.source, distance: 1 - similarity, relevance: Math.min(1, Math.max(0, similarity)) })),
  };
}

async function runTool(use: Anthropic.ToolUseBlock): Promise<Anthropic.ToolResultBlockParam> {
  const input = use.input as JsonObject;
  if (use.name === SEARCH_TOOL.name) return { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(searchKnowledge(input)) };
  assert.deepEqual(registry.validate(use.name, input), [], `the model's ${use.name} arguments pass the real schema`);
  const { output } = await registry.get(use.name)!.execute(input, toolContext);
  return { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(output) };
}

const client = new Anthropic({ apiKey: null, defaultHeaders: { authorization: null }, baseURL: 'http://offline-model.invalid', fetch: createOfflineModelFetch({ deltaDelayMs: 0 }) });
const ask = (messages: Anthropic.MessageParam[]) => client.messages.stream({ model: MODEL, max_tokens: 2048, messages, tools: TOOLS }).finalMessage();
const toolUses = (message: Anthropic.Message) => message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
const textOf = (message: Anthropic.Message) => message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** One full turn: the question, the tool calls, the real results, the answer. */
async function turn(history: Anthropic.MessageParam[], question: string) {
  const messages: Anthropic.MessageParam[] = [...history, { role: 'user', content: question }];
  const calls = await ask(messages);
  assert.equal(calls.stop_reason, 'tool_use', question);
  messages.push({ role: 'assistant', content: calls.content }, { role: 'user', content: await Promise.all(toolUses(calls).map(runTool)) });
  const answer = await ask(messages);
  const text = textOf(answer);
  return { calls, text, search: toolUses(calls).find((u) => u.name === SEARCH_TOOL.name)?.input as JsonObject | undefined, messages: [...messages, { role: 'assistant' as const, content: answer.content }] };
}

function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

const laterLine = (text: string) => /^- \*\*Once the urgent problem is under control:\*\*.*$/m.exec(text)?.[0] ?? '';

describe('offline model while an urgent problem leads', () => {
  it('searches the knowledge base for the urgent problem, not the likeliest routine condition, and cites what it holds on it', async () => {
    const { calls, search, text } = await turn(
      [],
      '62-year-old man with type 2 diabetes, fatigue, BMI 31, taking lisinopril and spironolactone. Potassium 6.8 mmol/L, creatinine 1.9 mg/dL, HbA1c 8.1%, hemoglobin 10.9.',
    );
    assert.match(textOf(calls), /^I'll look up hyperkalemia in the medical knowledge base and check lisinopril and spironolactone/);
    assert.match(String(search?.query), /^hyperkalemia\b/);
    assert.doesNotMatch(String(search?.query), /diabetes|anemia/);
    assert.equal(search?.condition, undefined, 'no routine condition narrows the search');
    // The knowledge base has no passage on treating hyperkalemia; it says when persistent hyperkalemia is referred.
    assert.match(
      text,
      /^Knowledge base on hyperkalemia, \*Monitoring kidney function and nephrology referral\* \[ckd-follow-up\] \(relevance 0\.\d+\): Refer to nephrology for an eGFR below 30, … persistent hyperkalemia or suspected hereditary kidney disease\.$/m,
    );
    assert.doesNotMatch(text, /Knowledge base, \*/, 'no routine passage beside it');
  });

  it('cites the passage about level 2 hypoglycemia and possible acute kidney injury, quoting the sentence about it', async () => {
    const hypo = await turn([], '70 yo man on insulin, glucose 2.6 mmol/L, BMI 31, snoring');
    assert.match(String(hypo.search?.query), /^level 2 hypoglycemia\b/);
    assert.match(hypo.text, /^Knowledge base on level 2 hypoglycemia, \*Recognizing and treating hypoglycemia in diabetes\* \[t2dm-hypoglycemia\] \(relevance 0\.\d+\): A conscious patient takes 15–20 g of fast-acting glucose/m);
    const kidney = await turn([], '68-year-old man, creatinine 3.2 mg/dL, BMI 33, fatigue, BP 150/95');
    assert.match(String(kidney.search?.query), /^possible acute kidney injury\b/);
    assert.match(kidney.text, /^Knowledge base on possible acute kidney injury, \*Diagnosing and staging chronic kidney disease\* \[ckd-diagnosis\] .*: Confirm chronicity by repeating the tests, since a single low eGFR may reflect acute kidney injury\.$/m);
  });

  it('an urgent problem the knowledge base holds nothing on: no passage is cited for it, and the answer says so', async () => {
    for (const [question, problem] of [
      ['58-year-old man, BP 190/125, severe headache and blurred vision, snoring', 'possible hypertensive emergency'],
      ['75-year-old woman, sodium 118, confusion, on hydrochlorothiazide, BMI 27, snoring', 'profound hyponatremia'],
      ['48-year-old woman, hemoglobin 6.4 g/dL, fatigue and breathlessness, BMI 31, snoring, BP 150/95', 'severe anemia'],
    ] as const) {
      const { search, text } = await turn([], question);
      assert.match(String(search?.query), new RegExp(`^${problem}\\b`), question);
      assert.doesNotMatch(text, /Knowledge base/, `${question}: the passages returned are not about ${problem}`);
      assert.match(text, new RegExp(`^No passage the medical knowledge search returned is about ${problem}: the urgent advice below follows the model's own rules\\.$`, 'm'), question);
    }
  });

  it('a follow-up that turns urgent searches for the urgent problem and cites no routine passage from before', async () => {
    const first = await turn([], '58-year-old woman with fatigue and increased thirst, BMI 32, on lisinopril.');
    assert.match(first.text, /Knowledge base, \*/, 'the routine answer cites its passages');
    const urgent = await turn(first.messages, 'Her potassium came back at 6.7 mmol/L.');
    assert.match(String(urgent.search?.query), /^hyperkalemia\b/);
    assert.doesNotMatch(urgent.text, /Knowledge base, \*/);
    assert.match(urgent.text, /Knowledge base on hyperkalemia, .*\[ckd-follow-up\]/);
  });

  it('a condition whose tests are all ordered is said to be, not left bare in the work-up for later', async () => {
    const { text } = await turn([], '48-year-old woman, hemoglobin 6.4 g/dL, fatigue and breathlessness, BMI 31, snoring, BP 150/95');
    const later = laterLine(text);
    assert.match(later, /work up anemia \(its tests are ordered above\); obstructive sleep apnea with STOP-BANG questionnaire/);
    assert.doesNotMatch(later, /anemia;/);
    // Every condition's tests ordered: nothing to work up, only treatment to choose.
    const alone = await turn([], '55-year-old woman, hemoglobin 6.2 g/dL, pallor');
    assert.equal(laterLine(alone.text), '- **Once the urgent problem is under control:** choose treatment for anemia from the results of the tests ordered above.');
  });

  it('a deferred test that measures what an ordered one does is not deferred again in other words', async () => {
    const { text } = await turn(
      [],
      '62-year-old man with type 2 diabetes, fatigue, BMI 31, taking lisinopril and spironolactone. Potassium 6.8 mmol/L, creatinine 1.9 mg/dL, HbA1c 8.1%, hemoglobin 10.9.',
    );
    assert.match(section(text, 'Recommendations'), /^- \*\*Order:\*\* repeat potassium \(non-hemolyzed sample\), ECG, creatinine and electrolytes, and glucose\.$/m);
    const later = laterLine(text);
    assert.match(later, /chronic kidney disease with urine albumin-to-creatinine ratio/);
    assert.doesNotMatch(later, /basic metabolic panel/);
  });

  it('keeps the detail of every drug taken that the urgent problem acts on when the answer is trimmed to length', async () => {
    const { calls, text } = await turn(
      [],
      '70-year-old woman taking Exforge HCT and furosemide 40 mg daily, creatinine 3.4 mg/dL, urea 22 mmol/L, potassium 5.4, fatigue, nausea and ankle swelling. BP 150/90.',
    );
    assert.deepEqual((toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['amlodipine', 'valsartan', 'hydrochlorothiazide', 'furosemide']);
    const recommendations = section(text, 'Recommendations');
    assert.match(recommendations, /hold valsartan and hydrochlorothiazide \(in Exforge HCT\) and furosemide while the patient is dehydrated/);
    // The three drugs the kidney line holds keep their lines; amlodipine, which it does not act on, gives way first.
    assert.match(recommendations, /^- \*\*Valsartan\*\* \(in Exforge HCT; .*at eGFR 14:/m);
    assert.match(recommendations, /^- \*\*Hydrochlorothiazide\*\* \(in Exforge HCT; .*at eGFR 14:/m);
    assert.match(recommendations, /^- \*\*Furosemide\*\* \(Loop diuretic\): .*at eGFR 14: larger doses are often needed for effect/m);
    assert.doesNotMatch(recommendations, /\*\*Amlodipine\*\*/);
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });
});
