// The offline model using all three clinical tools sensibly, through the real @anthropic-ai/sdk and
// the offline fetch: for the seed query it asks for metrics, a knowledge search on the presenting
// symptoms and a medication check of the drugs it would suggest — all in one response — and its
// answer cites what the tools returned. Metrics and medications come from the real tools; the
// knowledge search is a stand-in returning passages in the search tool's documented shape. The lab
// reference tool is the Python service's own code (clients/python/lab_reference.py), run as is.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import type { JsonObject } from '../../lib/json.js';
import { createOfflineModelFetch } from '../../lib/llm/offline/index.js';
import { estimateEgfr } from '../../lib/llm/offline/kidney-estimate.js';
import { readToolOutcome } from '../../lib/llm/offline/tool-results.js';
import { egfrCkdEpi2021 } from '../../services/toolworker/tools/clinical-formulas.js';
import { OFFLINE_MODEL as MODEL, REAL_TOOLS, SEARCH_TOOL, toolContext, toolRegistry as registry } from '../helpers/offline-model-tools.js';

const SEED = `I have a 45-year-old female patient, 5'4" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?`;
const METRICS = REAL_TOOLS.find((t) => t.name === 'calculate_clinical_metrics')!;
const MEDS = REAL_TOOLS.find((t) => t.name === 'check_medications')!;
const ALL_TOOLS = [METRICS, SEARCH_TOOL, MEDS];

// Passages as the knowledge search returns them: id, title, condition, category, content, distance, relevance.
const PASSAGES = [
  { id: 't2dm-diagnosis', title: 'Diagnosing type 2 diabetes', condition: 'type 2 diabetes', category: 'diagnosis', content: 'Diabetes is diagnosed by an HbA1c of 6.5% or higher or a fasting plasma glucose of 126 mg/dL or higher; polyuria and polydipsia are the classic symptoms.' },
  { id: 't2dm-treatment', title: 'Glucose-lowering therapy for type 2 diabetes', condition: 'type 2 diabetes', category: 'treatment', content: 'Metformin with lifestyle change is first-line for most adults; add a GLP-1 receptor agonist or SGLT2 inhibitor for cardiorenal benefit.' },
  { id: 'hypothyroidism-diagnosis', title: 'Evaluating suspected hypothyroidism', condition: 'hypothyroidism', category: 'diagnosis', content: 'Check TSH first; a raised TSH with a low free T4 confirms overt hypothyroidism.' },
  { id: 'iron-deficiency-anemia-diagnosis', title: 'Diagnosing iron deficiency anemia and looking for blood loss', condition: 'iron deficiency anemia', category: 'diagnosis', content: 'A CBC and ferritin below 30 ng/mL confirm iron deficiency.' },
  { id: 'htn-treatment', title: 'Antihypertensive treatment and blood pressure targets', condition: 'hypertension', category: 'treatment', content: 'Start two first-line drugs for stage 2 hypertension; target below 130/80 mmHg.' },
];

function searchKnowledge(input: JsonObject): JsonObject {
  const query = String(input.query).toLowerCase();
  const limit = typeof input.n_results === 'number' ? input.n_results : 3;
  const hits = PASSAGES.filter((p) => query.includes(p.condition.split(' ').at(-1) ?? p.condition)).slice(0, limit);
  return { query: String(input.query), results: hits.map((p, i) => ({ ...p, distance: 0.3 + i * 0.07, relevance: Math.round((0.7 - i * 0.07) * 100) / 100 })) };
}

const PYTHON = '/usr/bin/python3';
const LAB_SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
from lab_reference import LabReference, LabReferenceTool
tool = LabReferenceTool(LabReference(sys.argv[2]))
calls = json.load(sys.stdin)
if calls is None:
    print(json.dumps({"name": tool.name, "description": tool.description, "input_schema": tool.input_schema}))
else:
    out = []
    for args in calls:
        try:
            out.append({"output": tool.execute(args)[0]})
        except Exception as error:
            out.append({"error": str(error)})
    print(json.dumps(out))
`;

/** The Python lab tool itself: its ListTools entry (no input), or its answers to calls (results or error messages). */
function pythonLabTool(calls: JsonObject[] | null): unknown {
  const args = ['-c', LAB_SCRIPT, fileURLToPath(new URL('../../clients/python/', import.meta.url)), fileURLToPath(new URL('../../data/lab-references/labs.json', import.meta.url))];
  return JSON.parse(execFileSync(PYTHON, args, { input: JSON.stringify(calls) }).toString());
}

/** Runs a call as the worker would: schema first, then the tool (or the search stand-in). */
async function runTool(use: Anthropic.ToolUseBlock): Promise<Anthropic.ToolResultBlockParam> {
  const input = use.input as JsonObject;
  if (use.name === 'search_medical_knowledge') return { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(searchKnowledge(input)) };
  if (use.name === 'lookup_lab_reference') {
    const [answer] = pythonLabTool([input]) as Array<{ output?: JsonObject; error?: string }>;
    // The worker answers a refused call with a gRPC error, which the conversation passes on as is_error.
    return answer?.output ? { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(answer.output) } : { type: 'tool_result', tool_use_id: use.id, content: answer?.error ?? 'failed', is_error: true };
  }
  assert.deepEqual(registry.validate(use.name, input), [], `the model's ${use.name} arguments pass the real schema`);
  const { output } = await registry.get(use.name)!.execute(input, toolContext);
  return { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(output) };
}

function offlineClient(): Anthropic {
  return new Anthropic({ apiKey: null, defaultHeaders: { authorization: null }, baseURL: 'http://offline-model.invalid', fetch: createOfflineModelFetch({ deltaDelayMs: 0 }) });
}

function toolUses(message: Anthropic.Message): Anthropic.ToolUseBlock[] {
  return message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
}

function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

async function ask(client: Anthropic, messages: Anthropic.MessageParam[], tools: Anthropic.Tool[] = ALL_TOOLS): Promise<Anthropic.Message> {
  return client.messages.stream({ model: MODEL, max_tokens: 2048, messages, tools }).finalMessage();
}

/** One full turn: the question, the tool calls, the real results, the answer. */
async function turn(client: Anthropic, history: Anthropic.MessageParam[], question: string, tools: Anthropic.Tool[] = ALL_TOOLS) {
  const messages: Anthropic.MessageParam[] = [...history, { role: 'user', content: question }];
  const calls = await ask(client, messages, tools);
  if (calls.stop_reason !== 'tool_use') return { calls, answer: calls, messages: [...messages, { role: 'assistant' as const, content: calls.content }] };
  const results = await Promise.all(toolUses(calls).map(runTool));
  messages.push({ role: 'assistant', content: calls.content }, { role: 'user', content: results });
  const answer = await ask(client, messages, tools);
  return { calls, answer, messages: [...messages, { role: 'assistant' as const, content: answer.content }] };
}

describe('offline model with the real clinical tools', () => {
  it('names what it looks up for a question about a condition alone (no symptoms)', async () => {
    const message = await ask(offlineClient(), [{ role: 'user', content: 'What is the first-line treatment for gout flares?' }]);
    assert.deepEqual(toolUses(message).map((u) => u.name), ['search_medical_knowledge']);
    assert.equal(textOf(message), "I'll look up gout in the medical knowledge base.");
  });

  it('for the seed query calls metrics, a symptom search and a check of the drugs it would suggest, in one response', async () => {
    const message = await ask(offlineClient(), [{ role: 'user', content: SEED }]);
    assert.equal(message.stop_reason, 'tool_use');
    const uses = toolUses(message);
    assert.deepEqual(uses.map((u) => u.name), ['calculate_clinical_metrics', 'search_medical_knowledge', 'check_medications']);
    assert.deepEqual(uses[0]?.input, { height: 64, height_unit: 'in', weight: 180, weight_unit: 'lb', age: 45, sex: 'female' });
    const search = uses[1]?.input as JsonObject;
    assert.match(String(search.query), /^fatigue and increased thirst: type 2 diabetes or prediabetes\b/, 'the presenting symptoms and the leading condition');
    assert.doesNotMatch(String(search.query), /hypothyroidism|anemia/, 'one condition per search: a list ranks the least likely passage first');
    assert.equal(search.n_results, 3);
    assert.deepEqual(uses[2]?.input, { medications: ['metformin', 'levothyroxine', 'semaglutide'], patient: { age: 45 } });
    assert.match(
      textOf(message),
      /^I'll calculate her clinical metrics .*, look up .* in the medical knowledge base and check metformin, levothyroxine and semaglutide \(first-line options for the likely conditions\) for doses, kidney and pregnancy cautions and interactions\.$/,
    );
  });

  it('answers the seed query citing the metrics, the passages it relied on and the medication facts', async () => {
    const { answer } = await turn(offlineClient(), [], SEED);
    const text = textOf(answer);
    assert.equal(answer.stop_reason, 'end_turn');
    assert.equal(toolUses(answer).length, 0);
    // Metrics, as the metrics tool computed them.
    assert.match(text, /\*\*BMI 30\.9 kg\/m²\*\*: Obesity class I/);
    assert.match(text, /Body surface area 1\.92 m² \(Mosteller\); ideal body weight 54\.7 kg \(Devine\)/);
    // Knowledge-base passages by title and id.
    assert.match(text, /Knowledge base, \*Diagnosing type 2 diabetes\* \[t2dm-diagnosis\] \(relevance 0\.7\)/);
    assert.match(text, /\*\*Type 2 diabetes or prediabetes \(if confirmed\):\*\*.*\[t2dm-treatment\]\./);
    assert.doesNotMatch(text, /\[hypothyroidism-diagnosis\]/, 'only passages the search returned are cited');
    // Medication facts from the drug reference: doses, kidney cautions, interactions (none here).
    assert.match(text, /\*\*Medication check \(drug reference v2\.1\.0\):\*\* no interactions between metformin, levothyroxine and semaglutide\./);
    assert.match(text, /\*\*Metformin\*\* \(Biguanide\): usual adult dose 500–2550 mg\/day, 1–3 divided doses with meals; contraindicated below eGFR 30 and dose adjustment below eGFR 45, so check kidney function first\./);
    assert.match(text, /\*\*Levothyroxine\*\* \(Thyroid hormone \(T4\)\): usual adult dose 12\.5–200 mcg\/day/);
    assert.match(text, /\*\*Semaglutide\*\* \(GLP-1 receptor agonist\): usual adult dose 0\.25–2 mg\/week.*pregnancy: avoid \(status not stated\)/);
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('checks the clinician\'s drugs with the suggested ones, passes the eGFR it estimates from creatinine, and reports what the tool found', async () => {
    const question = `A 58-year-old woman, 5'5", 200 lbs, BP 152/96, creatinine 1.4 mg/dL, on lisinopril and spironolactone. Fatigue and thirst.`;
    const { calls, answer } = await turn(offlineClient(), [], question);
    const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject;
    const egfr = Math.round(egfrCkdEpi2021(1.4, 58, 'female'));
    assert.deepEqual(meds, { medications: ['lisinopril', 'spironolactone', 'metformin', 'semaglutide'], patient: { age: 58, egfr } });
    const text = textOf(answer);
    assert.match(text, new RegExp(`\\*\\*eGFR ${egfr} mL/min/1\\.73m²\\*\\* \\(CKD-EPI 2021\\)`), 'the metrics tool agrees with the estimate');
    assert.match(text, /\*\*Interaction:\*\* lisinopril \+ spironolactone \(major\): Both reduce potassium excretion/);
    assert.match(text, new RegExp(`\\*\\*Spironolactone\\*\\*.*at eGFR ${egfr}: start 12\\.5 mg daily or 25 mg every other day`));
    assert.match(text, new RegExp(`\\*\\*Metformin\\*\\*.*at eGFR ${egfr}: do not start; if already taking, reassess benefit and risk and limit to 1,000 mg/day\\.`));
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('reports interactions between a drug the clinician named and one it suggested', async () => {
    const { calls, answer } = await turn(offlineClient(), [], 'A 50-year-old woman on warfarin for atrial fibrillation, with fatigue, weight gain and cold intolerance.');
    assert.deepEqual((toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['warfarin', 'levothyroxine', 'metformin']);
    assert.match(textOf(answer), /\*\*Interaction:\*\* warfarin \+ levothyroxine \(moderate\): Thyroid hormone speeds the breakdown of vitamin K–dependent clotting factors; check the INR 2–4 weeks after any levothyroxine change\./);
  });

  it('in pregnancy suggests the pregnancy choice, and passes pregnancy and allergies to the checker', async () => {
    const question = 'A 29-year-old pregnant woman, 165 cm, 70 kg, BP 148/94, increased thirst and fatigue, allergic to penicillin.';
    const message = await ask(offlineClient(), [{ role: 'user', content: question }]);
    const meds = toolUses(message).find((u) => u.name === 'check_medications')?.input as JsonObject;
    // Insulin rather than metformin for possible diabetes; no ACE inhibitor for her blood pressure.
    assert.deepEqual(meds, { medications: ['insulin glargine'], patient: { age: 29, pregnant: true, allergies: ['penicillin'] } });
  });

  it('asked whether to start a statin in pregnancy: says what was asked, and agrees with the drug reference', async () => {
    const { answer } = await turn(offlineClient(), [], 'A 32-year-old woman who is 10 weeks pregnant has an LDL of 190. Should she start atorvastatin?');
    const text = textOf(answer);
    assert.match(text, /Patient: 32-year-old female, LDL 190 mg\/dL, pregnant, asking about starting atorvastatin\./);
    assert.doesNotMatch(text, /taking atorvastatin/);
    // The reference says statins are no longer contraindicated (FDA 2021) but stopped in most pregnancies; the advice must not say otherwise.
    assert.match(text, /No longer contraindicated \(FDA 2021\)/);
    assert.doesNotMatch(text, /statins are contraindicated/);
    assert.match(text, /statins are stopped in most pregnancies/);
    // The LDL is read against the model's own threshold (no lab tool offered), and the advice is the pregnancy one.
    assert.match(text, /- \*\*LDL 190 mg\/dL\*\*: severe hypercholesterolemia \(≥ 190 mg\/dL\)\./);
    assert.match(text, /\*\*Hyperlipidemia:\*\* Diet and exercise; lipids rise in pregnancy, so recheck after delivery/);
    assert.doesNotMatch(text, /high-intensity statin/, 'not a statin start in pregnancy');
  });

  it('calls only the tools it is offered', async () => {
    const client = offlineClient();
    const names = async (tools: Anthropic.Tool[]) => toolUses(await ask(client, [{ role: 'user', content: SEED }], tools)).map((u) => u.name);
    assert.deepEqual(await names([METRICS, MEDS]), ['calculate_clinical_metrics', 'check_medications']);
    assert.deepEqual(await names([MEDS]), ['check_medications']);
    assert.deepEqual(await names([SEARCH_TOOL]), ['search_medical_knowledge']);
    assert.deepEqual(await names([METRICS, SEARCH_TOOL]), ['calculate_clinical_metrics', 'search_medical_knowledge']);
    const none = await ask(client, [{ role: 'user', content: SEED }], []);
    assert.equal(none.stop_reason, 'end_turn');
  });

  it('on a follow-up re-checks only when there is something new to check', async () => {
    const client = offlineClient();
    const first = await turn(client, [], SEED);
    const same = await ask(client, [...first.messages, { role: 'user', content: 'What would you prioritise first?' }]);
    assert.equal(same.stop_reason, 'end_turn', 'nothing new: no tool calls');

    const bp = await ask(client, [...first.messages, { role: 'user', content: 'Her blood pressure today is 150/95.' }]);
    const meds = toolUses(bp).find((u) => u.name === 'check_medications')?.input as JsonObject;
    // Hypertension now leads (amlodipine, not an ACE inhibitor, while her pregnancy status is unknown) and kidney disease overtakes the thyroid.
    assert.deepEqual(meds.medications, ['amlodipine', 'metformin', 'semaglutide']);

    const creatinine = await ask(client, [...first.messages, { role: 'user', content: 'Her creatinine is 1.0 mg/dL.' }]);
    const recheck = toolUses(creatinine).find((u) => u.name === 'check_medications')?.input as JsonObject;
    assert.deepEqual(recheck.patient, { age: 45, egfr: Math.round(egfrCkdEpi2021(1.0, 45, 'female')) }, 'new kidney function: the same drugs at the new eGFR');
  });

  it('checks a combination product by brand as each of its components, naming the brand as written', async () => {
    const { calls, answer } = await turn(offlineClient(), [], 'A 62-year-old woman on Zestoretic and lithium, with fatigue.');
    assert.match(textOf(calls), /check Zestoretic \(lisinopril and hydrochlorothiazide\) and lithium together with/);
    assert.deepEqual((toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['lisinopril', 'hydrochlorothiazide', 'lithium', 'metformin', 'levothyroxine']);
    const text = textOf(answer);
    assert.match(text, /Patient: 62-year-old female, presenting with fatigue, taking Zestoretic \(lisinopril and hydrochlorothiazide\) and lithium\./);
    // An interaction for each component, each named with the brand.
    assert.match(text, /\*\*Interaction:\*\* lisinopril \(Zestoretic\) \+ lithium \(major\)/);
    assert.match(text, /\*\*Interaction:\*\* hydrochlorothiazide \(Zestoretic\) \+ lithium \(major\)/);
    assert.match(text, /\*\*Lisinopril\*\* \(in Zestoretic; ACE inhibitor\): usual adult dose/);
  });

  it('reports a name the reference does not know, with its suggestions', async () => {
    const question = 'Check these: [[call check_medications {"medications": ["metformin", "metoprol"]}]]';
    const { answer } = await turn(offlineClient(), [], question);
    assert.match(textOf(answer), /\*\*Not checked:\*\* metoprol was not found in the drug reference \(closest: metoprolol\), so its doses and interactions were not checked; review it manually\./);
  });

  it('property: its eGFR estimate matches the metrics tool\'s CKD-EPI 2021 in either creatinine unit', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 12, noNaN: true }), fc.integer({ min: 18, max: 100 }), fc.constantFrom('female' as const, 'male' as const), fc.boolean(), (mgDl, age, sex, inUmol) => {
        const serumCreatinine = inUmol ? { value: mgDl * 88.4, unit: 'umol/L' as const } : { value: mgDl, unit: 'mg/dL' as const };
        const estimated = estimateEgfr({ serumCreatinine, age, sex });
        assert.ok(estimated !== undefined);
        assert.ok(Math.abs(estimated - Math.round(egfrCkdEpi2021(mgDl, age, sex))) <= 1);
      }),
      { numRuns: 300 },
    );
    assert.equal(estimateEgfr({ serumCreatinine: { value: 1, unit: 'mg/dL' }, age: 16, sex: 'female' }), undefined, 'adults only');
    assert.equal(estimateEgfr({ serumCreatinine: { value: 1, unit: 'mg/dL' }, age: 40 }), undefined, 'needs sex');
  });
});

describe('offline model with the lab reference tool (the Python service\'s own code)', () => {
  let LAB: Anthropic.Tool;
  before(() => {
    // Debian's python3 is installed by .ci/run, as for the other Python tests.
    LAB = pythonLabTool(null) as Anthropic.Tool;
  });
  const labCalls = (message: Anthropic.Message) => toolUses(message).filter((u) => u.name === 'lookup_lab_reference').map((u) => u.input);

  it('looks up each lab value of the question once, next to the other calls, only when the tool is offered', async () => {
    const question = 'A 58-year-old man with HbA1c 7.2%, an LDL of 190 and K 5.9 mmol/L, on lisinopril. What next?';
    const client = offlineClient();
    const withLab = await ask(client, [{ role: 'user', content: question }], [...ALL_TOOLS, LAB]);
    assert.deepEqual(toolUses(withLab).map((u) => u.name), ['search_medical_knowledge', 'check_medications', 'lookup_lab_reference', 'lookup_lab_reference', 'lookup_lab_reference']);
    assert.deepEqual(labCalls(withLab), [
      { test: 'HbA1c', value: 7.2, unit: '%', sex: 'male' },
      { test: 'LDL', value: 190, sex: 'male' },
      { test: 'potassium', value: 5.9, unit: 'mmol/L', sex: 'male' },
    ]);
    assert.match(textOf(withLab), /^I'll look up type 2 diabetes or prediabetes in the medical knowledge base, check lisinopril together with metformin and atorvastatin .* and look up the reference ranges for his HbA1c, LDL and potassium\.$/);
    const without = await ask(client, [{ role: 'user', content: question }], ALL_TOOLS);
    assert.deepEqual(toolUses(without).map((u) => [u.name, u.input]), toolUses(withLab).filter((u) => u.name !== 'lookup_lab_reference').map((u) => [u.name, u.input]), 'the other calls are the same');
    assert.doesNotMatch(textOf(without), /reference range/);
  });

  it('looks up at most six values, none given only in words, with a neutral possessive when the sex is unknown', async () => {
    const message = await ask(offlineClient(), [{ role: 'user', content: 'Labs: Na 131 mmol/L, K 3.1 mmol/L, BUN 30, HbA1c 5.9%, TSH 0.05, a low free T4, ferritin 12, ALT 88, AST 70.' }], [LAB]);
    assert.deepEqual(labCalls(message).map((input) => (input as JsonObject).test), ['sodium', 'potassium', 'BUN', 'HbA1c', 'TSH', 'ferritin']);
    assert.match(textOf(message), /^I'll look up the reference ranges for the patient's sodium, potassium, BUN, HbA1c, TSH and ferritin\.$/);
  });

  it('answers with one line per lab from the tool\'s own result, a critical one first among the recommendations, as one emergency line', async () => {
    const question = 'A 62-year-old woman on lisinopril and spironolactone: potassium 6.8 mmol/L, hemoglobin 10.1, HbA1c 6.1%. Fatigue.';
    const { calls, answer } = await turn(offlineClient(), [], question, [...ALL_TOOLS, LAB]);
    assert.equal(labCalls(calls).length, 3);
    const text = textOf(answer);
    // Every number in these lines is the tool's: its verdict, its range (the woman's), its critical limits and category.
    assert.match(text, /- \*\*Potassium\*\* 6\.8 mmol\/L: critical \(reference 3\.6–5\.2 mmol\/L; critical limits < 2\.5 or > 6\.5 mmol\/L\) — hyperkalemia: reduced kidney function, ACE inhibitors, ARBs or potassium-sparing diuretics/);
    assert.match(text, /- \*\*Hemoglobin\*\* 10\.1 g\/dL: low \(reference 11\.6–15\.0 g\/dL\) — anemia: iron deficiency, blood loss/);
    assert.match(text, /- \*\*Hemoglobin A1c \(HbA1c\)\*\* 6\.1 %: high \(reference 4\.0–5\.6 %\) — prediabetes \(5\.7–6\.4 %\)\./);
    // One line for the problem: the model's emergency wording with the tool's critical limits, not a second urgent line with other ECG advice.
    assert.match(
      text,
      /## Recommendations\n\n- \*\*Emergency — potassium 6\.8 mmol\/L:\*\* severe hyperkalemia \(≥ 6\.5 mmol\/L, and beyond the laboratory's critical limits of < 2\.5 or > 6\.5 mmol\/L\), and lisinopril and spironolactone raise it\. Send the patient to the emergency department now for cardiac monitoring, a 12-lead ECG and treatment/,
    );
    const recommendations = text.slice(text.indexOf('## Recommendations'), text.indexOf('## Follow-up'));
    // The orders are the hyperkalemia's own work-up (the routine work-up waits); beside them, one line on the ECG.
    assert.match(recommendations, /^- \*\*Order:\*\* repeat potassium \(non-hemolyzed sample\), ECG, creatinine and electrolytes, and glucose\.$/m);
    assert.equal(recommendations.replace(/^- \*\*Order:\*\*.*$/m, '').match(/ECG/g)?.length, 2, 'one line on the ECG (a 12-lead ECG; IV calcium if it shows changes)');
    assert.doesNotMatch(text, /\*\*Urgent:\*\*|act on it today|150 minutes|routine visit/);
    assert.match(text, /## Follow-up\n\n- Potassium is rechecked 1–2 hours after emergency treatment and until it stays below 5\.5 mmol\/L/);
    // The model's own reasoning still states its thresholds.
    assert.match(text, /\*\*Anemia\*\*: fatigue; hemoglobin 10\.1 g\/dL \(< 12\.0 g\/dL for a non-pregnant woman: anemia\)/);
    assert.match(text, /HbA1c 6\.1 % \(5\.7–6\.4 %: prediabetes range\)/);
    assert.doesNotMatch(text, /model's own guideline thresholds/, 'the tool judged every value');
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('passes a unit only as written: the tool infers it (and converts), or asks for it, and the answer says so', async () => {
    const { calls, answer } = await turn(offlineClient(), [], 'Fasting glucose 7.8 and vitamin D 50 in a 40-year-old man.', [LAB]);
    assert.deepEqual(labCalls(calls), [{ test: 'fasting glucose', value: 7.8, sex: 'male' }, { test: 'vitamin D', value: 50, sex: 'male' }]);
    const text = textOf(answer);
    assert.match(text, /\*\*Fasting plasma glucose\*\* 7\.8 mmol\/L \(140\.5 mg\/dL\): high \(reference 3\.9 to < 5\.6 mmol\/L\) — diabetes range \(≥ 126 mg\/dL;/);
    assert.match(text, /The lab reference lookup returned an error \(unit: is required: 50 could be ng\/mL or nmol\/L for 25-hydroxyvitamin D .*\); I proceeded without it\./);
    assert.match(text, /\*\*Vitamin D 50\*\*: compare it with the reporting laboratory's reference range\./, 'no unit, no judgement of its own');
  });

  it('on a follow-up looks up only values new in that turn', async () => {
    const client = offlineClient();
    const tools = [...ALL_TOOLS, LAB];
    const first = await turn(client, [], 'A 50-year-old woman, HbA1c 7.2%, with fatigue.', tools);
    assert.equal(labCalls(first.calls).length, 1);
    const again = await ask(client, [...first.messages, { role: 'user', content: 'Her LDL is 160 and the HbA1c was 7.2%.' }], tools);
    assert.deepEqual(labCalls(again), [{ test: 'LDL', value: 160, sex: 'female' }], 'the HbA1c at the same value was looked up already');
    const changed = await ask(client, [...first.messages, { role: 'user', content: 'Repeat HbA1c is 6.8%.' }], tools);
    assert.deepEqual(labCalls(changed), [{ test: 'HbA1c', value: 6.8, unit: '%', sex: 'female' }]);
    const nothing = await ask(client, [...first.messages, { role: 'user', content: 'What would you prioritise?' }], tools);
    assert.equal(nothing.stop_reason, 'end_turn');
    assert.match(textOf(nothing), /- \*\*Hemoglobin A1c \(HbA1c\)\*\* 7\.2 %: high/, 'the earlier lookup is still reported');
  });

  it('reads a random glucose against its own ADA threshold and never looks it up as a fasting one', async () => {
    const question = 'A 55-year-old man with increased thirst and frequent urination, random glucose 240 mg/dL.';
    const { calls, answer } = await turn(offlineClient(), [], question, [...ALL_TOOLS, LAB]);
    assert.deepEqual(labCalls(calls), [], 'the tool\'s only glucose range is the fasting one');
    const text = textOf(answer);
    assert.match(text, /- \*\*Random glucose 240 mg\/dL\*\*: diabetes \(ADA diagnostic criterion\) \(≥ 200 mg\/dL with classic symptoms\)\./);
    assert.doesNotMatch(text, /fasting glucose 240|≥ 126 mg\/dL: diabetes range/);
    const nonFasting = await ask(offlineClient(), [{ role: 'user', content: 'A 60-year-old woman, non-fasting glucose 13.1 mmol/L, fatigue.' }], [LAB]);
    assert.equal(nonFasting.stop_reason, 'end_turn', 'not sent to the tool as a fasting glucose');
    assert.match(textOf(nonFasting), /\*\*Random glucose 13\.1 mmol\/L \(≈ 236 mg\/dL\)\*\*: diabetes range if classic symptoms are present/);
  });

  it('looks up urea as BUN in mmol/L, and names it as the clinician did', async () => {
    const { calls, answer } = await turn(offlineClient(), [], 'A 70-year-old man with CKD, urea 14.2 mmol/L.', [...ALL_TOOLS, LAB]);
    assert.deepEqual(labCalls(calls), [{ test: 'BUN', value: 14.2, unit: 'mmol/L', sex: 'male' }]);
    assert.match(textOf(answer), /- \*\*Urea \(Blood urea nitrogen \(BUN\)\)\*\* 14\.2 mmol\/L \(39\.8 mg\/dL\): high \(reference 2\.9–8\.6 mmol\/L\)/);
    const bare = await ask(offlineClient(), [{ role: 'user', content: 'Urea 7.5 in a 70-year-old man.' }], [LAB]);
    assert.deepEqual(labCalls(bare), [{ test: 'BUN', value: 7.5, unit: 'mmol/L', sex: 'male' }], 'urea is only read in mmol/L, so its unit is sent');
  });

  it('keeps a comparator: sends the bound the tool accepts, and says "<" in the answer', async () => {
    const question = 'A 40-year-old woman with palpitations and weight loss, TSH < 0.01 and ferritin >1000.';
    const { calls, answer } = await turn(offlineClient(), [], question, [...ALL_TOOLS, LAB]);
    assert.deepEqual(labCalls(calls), [{ test: 'TSH', value: 0.01, sex: 'female' }, { test: 'ferritin', value: 1000, sex: 'female' }]);
    const text = textOf(answer);
    assert.match(text, /Patient: 40-year-old female, TSH < 0\.01 mIU\/L, ferritin > 1000 ng\/mL,/);
    assert.match(text, /- \*\*Thyroid-stimulating hormone \(TSH\)\*\* < 0\.01 mIU\/L: low \(reference 0\.3–4\.2 mIU\/L\) — hyperthyroidism/);
    assert.match(text, /- \*\*Ferritin\*\* > 1000 ng\/mL: high \(reference 11–307 ng\/mL\)/);
    assert.match(text, /TSH < 0\.01 mIU\/L \(< 0\.1 mIU\/L: suppressed; hyperthyroidism likely\)/);
    // The tool's verdict on a bound inside the range says nothing about a result past it.
    const inside = await turn(offlineClient(), [], 'A 50-year-old man, ferritin < 300.', [LAB]);
    assert.match(textOf(inside.answer), /- \*\*Ferritin\*\* < 300 ng\/mL: reference 24–336 ng\/mL; a result known only to be below 300 may fall on either side of it\./);
    // Past a critical bound on the critical side: critical, said as written.
    const critical = await turn(offlineClient(), [], 'A 70-year-old man, potassium > 7 mmol/L.', [LAB]);
    assert.match(textOf(critical.answer), /## Recommendations\n\n- \*\*Emergency — potassium > 7 mmol\/L:\*\* severe hyperkalemia \(≥ 6\.5 mmol\/L, and beyond the laboratory's critical limits of < 2\.5 or > 6\.5 mmol\/L\)\. Send the patient to the emergency department now/);
  });

  it('reads the value, not the date, written between the name and the value', async () => {
    const { calls } = await turn(offlineClient(), [], 'A 58-year-old woman with fatigue. HbA1c (March 2026) 7.4%. Potassium on 3/14: 5.8.', [LAB]);
    assert.deepEqual(labCalls(calls), [{ test: 'HbA1c', value: 7.4, unit: '%', sex: 'female' }, { test: 'potassium', value: 5.8, sex: 'female' }]);
  });

  it('puts hyperkalemia at the top of the recommendations, with what to do about the drugs that raise potassium', async () => {
    const question = 'A 66-year-old man on lisinopril and spironolactone with heart failure, potassium 5.8 mmol/L, HbA1c 6.1%, LDL 160, BP 150/92.';
    for (const tools of [[...ALL_TOOLS, LAB], ALL_TOOLS]) {
      const text = textOf((await turn(offlineClient(), [], question, tools)).answer);
      assert.match(
        text,
        /## Recommendations\n\n- \*\*Act on the potassium:\*\* potassium 5\.8 mmol\/L is hyperkalemia \(≥ 5\.5 mmol\/L\), and lisinopril and spironolactone raise it: halve their doses \(stop them at 6\.0 mmol\/L or more\); stop potassium supplements and salt substitutes; get an ECG/,
        tools.includes(LAB) ? 'the tool judged it' : 'the model judged it',
      );
    }
    // 6.1 is under the tool's critical limit (6.5) but in the model's own urgent band: one urgent line, with the drugs (named by their brand).
    const { answer } = await turn(offlineClient(), [], 'A 59-year-old man on Hyzaar and ibuprofen, potassium 6.1.', [...ALL_TOOLS, LAB]);
    const text = textOf(answer);
    assert.match(text, /- \*\*Potassium\*\* 6\.1 mmol\/L: high \(reference 3\.6–5\.2 mmol\/L\)/, 'the tool\'s verdict, as it gave it');
    assert.match(
      text,
      /## Recommendations\n\n- \*\*Urgent — potassium 6\.1 mmol\/L:\*\* moderate hyperkalemia \(6\.0–6\.4 mmol\/L\), and losartan \(in Hyzaar\) and ibuprofen raise it: assess today with an ECG — any change \(peaked T waves, a wide QRS, an arrhythmia\) means the emergency department now\. Stop losartan \(in Hyzaar\) and ibuprofen; stop potassium supplements and salt substitutes\.\n- \*\*/,
    );
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('reads any result shaped like a lab result as one; without the tool the model states its own threshold', async () => {
    const shaped = readToolOutcome('clinic_labs', { type: 'tool_result', tool_use_id: 'toolu_1', text: JSON.stringify({ test: 'Potassium', value: 5.9, unit: 'mmol/L', interpretation: 'high' }), is_error: false });
    assert.equal(shaped.kind, 'lab');
    const { answer } = await turn(offlineClient(), [], 'A 50-year-old man, HbA1c 7.4%, potassium 6.2.', ALL_TOOLS);
    const text = textOf(answer);
    assert.match(text, /- \*\*HbA1c 7\.4 %\*\*: diabetes range \(≥ 6\.5 %\)\./);
    assert.match(text, /\*\*Urgent — potassium 6\.2 mmol\/L:\*\* moderate hyperkalemia \(6\.0–6\.4 mmol\/L\): assess today with an ECG/);
    assert.match(text, /1\. \*\*Diabetes \(a second abnormal result confirms it\)\*\*: age 50 \(≥ 35\); HbA1c 7\.4 % \(≥ 6\.5 %: diabetes range\)\. Check fasting plasma glucose\./, 'the HbA1c is not ordered again');
    assert.match(text, /model's own guideline thresholds/);
  });
});

describe('offline model reading a tool it does not know', () => {
  it('leads with the result’s plain values, whatever order its keys arrived in (a Struct is a map)', () => {
    const nested = { schedule: { interval_years: 10, booster: 'Td or Tdap', text: 'adults: one Tdap, then a Td or Tdap booster every 10 years' }, notes: ['x'.repeat(300)] };
    const plain = { vaccine: 'Tdap', status: 'due', last_dose: '2014-05-02' };
    for (const result of [{ ...nested, ...plain }, { ...plain, ...nested }]) {
      const outcome = readToolOutcome('lookup_vaccine_schedule', { type: 'tool_result', tool_use_id: 'toolu_1', text: JSON.stringify(result), is_error: false });
      assert.equal(outcome.kind, 'other');
      const summary = outcome.kind === 'other' ? outcome.summary : '';
      assert.match(summary, /^vaccine: Tdap; status: due; last dose: 2014-05-02; schedule: \{/);
      assert.ok(summary.length <= 400, `clipped: ${summary.length}`);
    }
  });
});

describe('offline model: answers that agree with the patient (a clinician\'s review)', () => {
  let LAB: Anthropic.Tool;
  before(() => {
    LAB = pythonLabTool(null) as Anthropic.Tool;
  });
  const section = (text: string, title: string) => {
    const start = text.indexOf(`## ${title}`);
    const next = text.indexOf('\n## ', start + 1);
    return text.slice(start, next < 0 ? undefined : next);
  };
  const answerTo = async (question: string, tools: Anthropic.Tool[] = ALL_TOOLS) => textOf((await turn(offlineClient(), [], question, tools)).answer);

  it('severe hyperkalemia: emergency care now, one line for it, no routine advice, a recheck within hours', async () => {
    for (const tools of [ALL_TOOLS, [...ALL_TOOLS, LAB]]) {
      const text = await answerTo('61-year-old man on enalapril. K+ 6.8.', tools);
      const recommendations = section(text, 'Recommendations');
      assert.match(recommendations, /^## Recommendations\n\n- \*\*Emergency — potassium 6\.8 mmol\/L:\*\* severe hyperkalemia \(≥ 6\.5 mmol\/L.*\), and enalapril raises it\. Send the patient to the emergency department now/m);
      assert.equal(recommendations.match(/^- \*\*(?:Urgent|Emergency)\b.*potassium/gim)?.length, 1, 'one urgent line for the potassium');
      assert.equal(recommendations.replace(/^- \*\*Order:\*\*.*$/m, '').match(/ECG/g)?.length, 2, 'one place gives ECG advice, beside the orders');
      assert.match(recommendations, /Meanwhile stop enalapril; stop potassium supplements and salt substitutes\./);
      assert.doesNotMatch(text, /150 minutes|Lifestyle|routine visit|needs assessment and treatment today|act on it today/);
      assert.match(section(text, 'Follow-up'), /^- Potassium is rechecked 1–2 hours after emergency treatment and until it stays below 5\.5 mmol\/L; then potassium and creatinine again within 1–3 days, before enalapril is reviewed for restarting\./m);
      const count = words(text);
      assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
    }
    // 6.0–6.4 is an emergency with ECG changes, same-day care without.
    assert.match(await answerTo('A 70-year-old woman on lisinopril, K 6.2, ECG shows peaked T waves.'), /\*\*Emergency — potassium 6\.2 mmol\/L:\*\* hyperkalemia with ECG changes \(6\.0–6\.4 mmol\/L\).*emergency department now/);
    assert.match(await answerTo('A 70-year-old woman on lisinopril, K 6.2.'), /\*\*Urgent — potassium 6\.2 mmol\/L:\*\* moderate hyperkalemia \(6\.0–6\.4 mmol\/L\), and lisinopril raises it: assess today with an ECG/);
  });

  it('poor kidney function is a finding with an action: acute or chronic, the drugs on the list, a recheck within days', async () => {
    const text = await answerTo('80-year-old woman, urea 35 mmol/L, creatinine 250 umol/L, on Exforge HCT and furosemide');
    assert.match(text, /\*\*Estimated eGFR ≈ 16 mL\/min\/1\.73m²\*\* \(CKD-EPI 2021, from creatinine 250 µmol\/L/);
    assert.match(
      section(text, 'Recommendations'),
      /^## Recommendations\n\n- \*\*Urgent — kidney function:\*\* eGFR 16 mL\/min\/1\.73m² \(estimated from creatinine 250 µmol\/L; 15–29: severely decreased, G4\) and urea 35 mmol\/L: acute kidney injury or known chronic kidney disease\? Compare with previous creatinine results;.*hold valsartan and hydrochlorothiazide \(in Exforge HCT\) and furosemide while the patient is dehydrated or acutely unwell/m,
    );
    assert.match(section(text, 'Follow-up'), /^- Recheck creatinine, urea and electrolytes within 24–48 hours and compare with earlier results/m);
    assert.doesNotMatch(text, /No specific diagnosis stands out|routine visit|150 minutes/);
    // eGFR 30–44 on metformin 2 g a day: over the 1 g limit, and the combination's components named.
    const metformin = await answerTo('70-year-old man on Zestoretic and metformin 1 g twice daily, eGFR 32');
    assert.match(
      metformin,
      /\*\*Act on the kidney function:\*\* eGFR 32 mL\/min\/1\.73m² \(30–44: moderately to severely decreased, G3b\): compare with previous creatinine results to tell a new fall \(acute kidney injury\) from chronic kidney disease; check potassium and creatinine on lisinopril and hydrochlorothiazide \(in Zestoretic\), and hold them during a dehydrating illness \(sick-day rules\); reduce metformin from the stated 2,000 mg a day to at most 1,000 mg a day, the limit at eGFR 30–44\./,
    );
    assert.match(section(metformin, 'Follow-up'), /^- Recheck creatinine and electrolytes within 1 week/m);
    // Without the medication tool the model says the same.
    assert.match(await answerTo('70-year-old man on Zestoretic and metformin 1 g twice daily, eGFR 32', [METRICS]), /reduce metformin from the stated 2,000 mg a day to at most 1,000 mg a day/);
  });

  it('drugs outside the reference: ramipril and eplerenone are checked, Entresto and Glucovance are said not to be', async () => {
    const question = 'A 68-year-old man with heart failure on ramipril, eplerenone, Entresto and Glucovance, K 5.8.';
    const { calls, answer } = await turn(offlineClient(), [], question);
    const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject;
    assert.deepEqual((meds.medications as string[]).slice(0, 4), ['ramipril', 'eplerenone', 'sacubitril/valsartan', 'glyburide/metformin']);
    const text = textOf(answer);
    assert.match(text, /\*\*Interaction:\*\* ramipril \+ eplerenone \(major\): Both reduce potassium excretion/);
    assert.match(text, /\*\*Not checked:\*\* Entresto \(sacubitril\/valsartan\) was not found in the drug reference, so its doses and interactions were not checked; review it manually; it must never be taken with ramipril \(angioedema; allow 36 hours between an ACE inhibitor and it, as its label requires\)\./);
    assert.match(text, /\*\*Not checked:\*\* Glucovance \(glyburide\/metformin\) was not found in the drug reference/);
    assert.match(text, /\*\*Act on the potassium:\*\* potassium 5\.8 mmol\/L is hyperkalemia \(≥ 5\.5 mmol\/L\), and ramipril, eplerenone and Entresto \(sacubitril\/valsartan\) raise it/);
    assert.match(text, /Medication check \(drug reference v2\.1\.0\):\*\* .*Entresto \(sacubitril\/valsartan\) and Glucovance \(glyburide\/metformin\) could not be checked \(not in the drug reference\)/);
  });

  it('says nothing the patient contradicts: no weight-loss target while losing weight, no "if confirmed" for a met criterion, no metformin as new', async () => {
    const text = await answerTo('A 48-year-old man with increased thirst and weight loss, random glucose 14.2, on Janumet.');
    assert.match(text, /\*\*Diabetes \(ADA diagnostic criterion met\):\*\* Nutrition therapy and regular activity, with no weight-loss target while weight is falling unintentionally/);
    assert.doesNotMatch(text, /5–10% weight loss|weight loss is a priority|Type 2 diabetes or prediabetes \(if confirmed\)|metformin is the first-line drug/);
    assert.match(text, /already on metformin: check adherence, tolerance and dose/);
    assert.match(text, /add a GLP-1 receptor agonist \(in place of sitagliptin, not with it\)/);
    assert.doesNotMatch(text, /5\.7–6\.4% is prediabetes/, 'the follow-up is not about confirming it');
  });

  it('overt hyperthyroidism: orders TRAb, free T3 and a pregnancy test before an antithyroid drug', async () => {
    const text = await answerTo('A 30-year-old woman with palpitations, TSH < 0.01 and free T4 3.2 ng/dL.');
    assert.match(text, /\*\*Order:\*\* free T3, TSH receptor antibodies \(TRAb\), a pregnancy test before any antithyroid drug/);
    assert.match(text, /\*\*Hyperthyroidism \(overt: low TSH with a high free T4\):\*\* A beta-blocker for symptoms; once the cause is known and pregnancy excluded, methimazole/);
    assert.doesNotMatch(text, /Hyperthyroidism \(if confirmed\)/);
  });

  it('reviews results only when something was ordered', async () => {
    const text = await answerTo('A 50-year-old man with cold intolerance and weight gain, TSH 8.5 and free T4 0.6.');
    assert.doesNotMatch(text, /\*\*Order:\*\*/);
    assert.doesNotMatch(text, /Review the results within 1–2 weeks/);
  });

  it('always gives the medication check a verdict, names one product\'s components as such, and reviews a combination rather than halving it', async () => {
    const zestoretic = await answerTo('A 64-year-old man on Zestoretic, K 5.7');
    assert.match(zestoretic, /\*\*Medication check \(drug reference v2\.1\.0\):\*\* Zestoretic \(lisinopril and hydrochlorothiazide\): no interactions between its components\./);
    assert.doesNotMatch(zestoretic, /no interactions between Zestoretic/);
    assert.match(zestoretic, /review Zestoretic: a fixed-dose combination cannot halve its lisinopril alone, so switch to separate tablets with half the lisinopril dose \(stop it at 6\.0 mmol\/L or more\)/);
    assert.doesNotMatch(zestoretic, /halve its dose/);
    const three = await answerTo('A 66-year-old man on lisinopril, spironolactone and metformin with heart failure.');
    assert.match(three, /\*\*Medication check \(drug reference v2\.1\.0\):\*\* 1 interaction found between lisinopril, spironolactone, metformin and furosemide, below\./);
    // Tool text is cut at a clause, never inside a word.
    assert.match(three, /start spironolactone only if potassium is 5\.0 or less and eGFR above 30…/);
    assert.doesNotMatch(three, /\b(?:an|dosin)…/);
  });

  it('a low glucose is flagged with what to do, and level 2 is urgent', async () => {
    const text = await answerTo('A 59-year-old woman on glipizide, glucose 3.1 mmol/L, dizzy.');
    assert.match(text, /- \*\*Glucose 3\.1 mmol\/L \(≈ 55\.8 mg\/dL\)\*\*: level 1 hypoglycemia \(< 70 mg\/dL, 3\.9 mmol\/L\)\./);
    assert.match(text, /\*\*Act on the low glucose:\*\* glucose 3\.1 mmol\/L \(≈ 56 mg\/dL\) is level 1 hypoglycemia \(< 3\.9 mmol\/L, 70 mg\/dL\): .*give 15–20 g of fast-acting glucose and recheck in 15 minutes; glipizide is the likely cause: reduce or stop it\./);
    const severe = await answerTo('A 70-year-old man on insulin, blood glucose 2.6 mmol/L.');
    assert.match(severe, /## Recommendations\n\n- \*\*Urgent — glucose 2\.6 mmol\/L \(≈ 47 mg\/dL\):\*\* level 2 hypoglycemia \(< 3\.0 mmol\/L, 54 mg\/dL\): treat now/);
    assert.doesNotMatch(severe, /150 minutes|routine visit/);
  });

  it('an allergy named by a combination brand: not a drug taken, no drug of it or its class offered, ARBs with caution', async () => {
    const { calls, answer } = await turn(offlineClient(), [], '62-year-old man, allergic to Zestoretic (angioedema). On metformin. BP 160/100, HbA1c 8.1%. What should I start for his blood pressure?');
    const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject;
    assert.deepEqual(meds, { medications: ['metformin', 'amlodipine'], patient: { age: 62, allergies: ['zestoretic (angioedema)'] } });
    const text = textOf(answer);
    assert.match(text, /^Patient: 62-year-old male, blood pressure 160\/100 mmHg, HbA1c 8\.1 %, taking metformin\.$/m);
    assert.match(text, /\*\*Allergies:\*\* zestoretic \(angioedema\): avoid lisinopril and hydrochlorothiazide, and all ACE inhibitors\./);
    assert.match(
      text,
      /\*\*Hypertension:\*\* .*first-line drugs: a thiazide-like diuretic such as chlorthalidone \(not hydrochlorothiazide, on the allergy list\) or a calcium-channel blocker such as amlodipine \(stage 2 usually needs two\); no ACE inhibitor \(allergy reported\); an ARB only with caution and specialist advice, as angioedema can recur\./,
    );
    assert.doesNotMatch(text, /taking Zestoretic|an ACE inhibitor or ARB|\*\*Lisinopril\*\*|\*\*Hydrochlorothiazide\*\*/);
    // Neighbours: a drug, a class and another brand named as the allergy.
    const lisinopril = await answerTo('55M, allergic to lisinopril (angioedema). BP 150/95. What should I start?');
    assert.doesNotMatch(lisinopril, /taking lisinopril|an ACE inhibitor or ARB/);
    assert.match(await answerTo('60F with hypertension, ACE inhibitor allergy, BP 148/92. Options?'), /no ACE inhibitor \(allergy reported\); an ARB only with caution/);
    const hyzaar = await answerTo('Allergy: Hyzaar. 50M, BP 152/96, on metformin. What to add for BP?');
    assert.match(hyzaar, /first-line drugs: .*an ACE inhibitor, or a calcium-channel blocker such as amlodipine \(stage 2 usually needs two\); no ARB \(allergy reported\)\./);
    assert.doesNotMatch(hyzaar, /taking Hyzaar|\*\*Losartan\*\*/);
  });

  it('a value past a bound in words: BP below 130/80 is at goal, a glucose under 7 mmol/L is below the diabetes threshold', async () => {
    const { calls, answer } = await turn(offlineClient(), [], '58F, fasting glucose under 7, BP below 130/80, on atorvastatin and aspirin. Anything to change?');
    const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject;
    assert.deepEqual(meds.medications, ['atorvastatin', 'aspirin'], 'no antihypertensive suggested');
    const text = textOf(answer);
    assert.match(text, /- \*\*Blood pressure < 130\/80 mmHg\*\*: below the hypertension range, at the usual treatment goal \(< 130\/80 mmHg\)\./);
    assert.match(text, /- \*\*Fasting glucose < 7 mmol\/L \(< 126 mg\/dL\)\*\*: below the diabetes threshold/);
    assert.doesNotMatch(text, /Stage 1|Hypertension:|lisinopril/);
    // A target is not a reading; a bound past a threshold is judged by it.
    const target = await answerTo('Target BP < 130/80 and goal A1c below 7%. 60M with diabetes on metformin.');
    assert.doesNotMatch(target, /Blood pressure|HbA1c < 7|HbA1c 7/);
    assert.match(await answerTo('50M, A1c over 9 on metformin. Next step?'), /\*\*HbA1c > 9 %\*\*: diabetes range \(≥ 6\.5 %\)/);
    const crisis = await answerTo('45F, BP over 180/120, headache. What now?');
    assert.match(crisis, /\*\*Blood pressure > 180\/120 mmHg\*\*: Hypertensive crisis range by ACC\/AHA thresholds\./);
    assert.match(crisis, /\*\*Emergency — blood pressure > 180\/120 mmHg with headache:\*\* possible hypertensive emergency/);
    assert.doesNotMatch(await answerTo('45F, BP below 180/120, headache.'), /is an emergency|Hypertensive crisis/);
    // eGFR below 30: metformin stopped, and the bound named as given, never an invented value.
    const kidney = await answerTo('70M with type 2 diabetes on metformin 1 g bid, eGFR below 30. What to do?');
    assert.match(kidney, /stop metformin: metformin is contraindicated below eGFR 30/);
    assert.match(kidney, /\*\*Metformin\*\* \(Biguanide\): .*at eGFR < 30: contraindicated/);
    assert.doesNotMatch(kidney, /29\.9|check adherence, tolerance and dose/);
  });

  it('a blood pressure of 180/120 or more with a possible target-organ symptom leads as a possible hypertensive emergency', async () => {
    for (const question of ['45-year-old woman, BP 185/125, headache', 'BP over 180/120, headache']) {
      const { calls, answer } = await turn(offlineClient(), [], question);
      const search = toolUses(calls).find((u) => u.name === 'search_medical_knowledge')?.input as JsonObject;
      assert.match(String(search.query), /possible hypertensive emergency/, question);
      const text = textOf(answer);
      assert.match(text, /\n1\. \*\*Possible hypertensive emergency\*\*: blood pressure (185\/125|> 180\/120) mmHg with headache/, question);
      const recommendations = text.slice(text.indexOf('## Recommendations'));
      assert.match(recommendations, /^## Recommendations\n\n- \*\*Emergency — blood pressure .* with headache:\*\* possible hypertensive emergency.*emergency department now/, question);
      assert.doesNotMatch(text, /within 1 month|Obstructive sleep apnea \(if confirmed\):|DASH-style diet/, `${question}: nothing routine beside the emergency`);
    }
  });

  it('a blood pressure of 180/120 or more without such symptoms is severe hypertension: oral treatment and review within a week', async () => {
    const { answer } = await turn(offlineClient(), [], 'BP 185/125, no symptoms');
    const text = textOf(answer);
    assert.match(text, /- \*\*Severe hypertension — blood pressure 185\/125 mmHg \(≥ 180\/120 mmHg\):\*\* repeat it .*start or intensify oral treatment now/);
    assert.match(text, /Recheck blood pressure within 1 week/);
    assert.doesNotMatch(text, /within 1 month|Emergency —/);
  });

  it('a hypertensive crisis, emergency or urgency named without a reading leads with the urgent guidance and asks for the reading now', async () => {
    const cases = [
      { question: 'My patient may be in hypertensive crisis, what should I do?', lead: /^- \*\*Urgent — hypertensive crisis, no reading given:\*\* measure the blood pressure now, after 5 minutes' rest, and ask about headache, chest pain.*possible hypertensive emergency \(the emergency department now\); without them it is severe hypertension/m },
      { question: 'hypertensive emergency management', lead: /^- \*\*Emergency — hypertensive emergency, no reading given:\*\* possible hypertensive emergency .*Measure the blood pressure now: at 180\/120 mmHg or more, or if it cannot be measured at once, send the patient to the emergency department now/m },
      { question: 'BP is very high with chest pain, what now?', lead: /^- \*\*Emergency — very high blood pressure with chest pain, no reading given:\*\* possible hypertensive emergency \(≥ 180\/120 mmHg with a symptom that may be target-organ damage\)\. Measure the blood pressure now.*emergency department now.*Below 180\/120 mmHg, the chest pain still needs assessment today\./m },
    ];
    for (const { question, lead } of cases) {
      const { calls, answer } = await turn(offlineClient(), [], question);
      const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject | undefined;
      assert.ok(!meds || !(meds.medications as string[]).some((m) => ['lisinopril', 'amlodipine', 'chlorthalidone'].includes(m)), `${question}: no chronic antihypertensive checked`);
      const text = textOf(answer);
      assert.match(text, /^Patient: (hypertensive (crisis|emergency)|very high blood pressure) \(no reading given\)/m, question);
      const recommendations = section(text, 'Recommendations');
      assert.match(recommendations.split('\n\n')[1] ?? '', lead, question);
      assert.match(recommendations, /\*\*Order:\*\* ECG, high-sensitivity troponin, creatinine and electrolytes, urinalysis and fundoscopy\./, question);
      assert.doesNotMatch(text, /DASH-style diet|first-line drugs|within 1 month|in the history|\*\*Lisinopril\*\*/, `${question}: nothing for chronic hypertension first`);
    }
    // A reading given in a later turn decides: 150/95 without symptoms is stage 2, treated as usual.
    const first = await turn(offlineClient(), [], 'My patient may be in hypertensive crisis, what should I do?');
    const measured = textOf((await turn(offlineClient(), first.messages, 'BP is 150/95, no symptoms.')).answer);
    assert.doesNotMatch(measured, /Urgent —|Emergency —|Measure the blood pressure now/);
    assert.match(measured, /\*\*Hypertension:\*\* DASH-style diet/);
  });

  it('a possible hypertensive emergency orders its emergency work-up only: the routine work-up waits until the patient is stable', async () => {
    const { calls, answer } = await turn(offlineClient(), [], '58-year-old man, BP 190/125, severe headache and blurred vision, snoring');
    assert.ok(!toolUses(calls).some((u) => u.name === 'check_medications'), 'no first-line drug for diabetes or hypertension checked in an emergency');
    const recommendations = section(textOf(answer), 'Recommendations');
    assert.match(recommendations, /^- \*\*Emergency — blood pressure 190\/125 mmHg with headache and blurred vision:\*\*/m);
    assert.match(recommendations, /^- \*\*Order:\*\* ECG, high-sensitivity troponin, creatinine and electrolytes, urinalysis and fundoscopy\.$/m);
    assert.match(
      recommendations,
      /^- \*\*Once the urgent problem is under control:\*\* work up obstructive sleep apnea with STOP-BANG questionnaire and home sleep apnea test if positive; type 2 diabetes or prediabetes with HbA1c and fasting plasma glucose; and hypertension with home or ambulatory BP readings, before choosing treatment\.$/m,
    );
    // With chest pain too, the red flag's ECG and troponin are the same orders; ACS is worked up now, not later.
    const chest = section(await answerTo('62 yo woman BP 200/130 with chest pain, 5\'5" 210 lbs'), 'Recommendations');
    assert.match(chest, /^- \*\*Order:\*\* ECG, high-sensitivity troponin, creatinine and electrolytes, urinalysis and fundoscopy\.$/m);
    assert.doesNotMatch(chest, /Order:.*(?:HbA1c|STOP-BANG|lipid panel)|work up acute coronary syndrome/);
  });

  it('severe hyperkalemia orders its own urgent work-up only: the routine work-up waits, no routine drug is looked up, the drugs taken still are', async () => {
    for (const tools of [ALL_TOOLS, [...ALL_TOOLS, LAB]]) {
      const { calls, answer } = await turn(offlineClient(), [], '58-year-old woman on spironolactone, BP 150/95, BMI 34, snoring, HbA1c 7.1%, potassium 6.3 mmol/L', tools);
      const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject;
      assert.deepEqual(meds.medications, ['spironolactone'], 'the drug taken is checked; no metformin, semaglutide or lisinopril');
      const text = textOf(answer);
      assert.doesNotMatch(text, /first-line option/);
      const recommendations = section(text, 'Recommendations');
      assert.match(recommendations, /^## Recommendations\n\n- \*\*Urgent — potassium 6\.3 mmol\/L:\*\* moderate hyperkalemia \(6\.0–6\.4 mmol\/L\), and spironolactone raises it/m);
      assert.match(recommendations, /^- \*\*Order:\*\* repeat potassium \(non-hemolyzed sample\), ECG, creatinine and electrolytes, and glucose\.$/m);
      assert.match(
        recommendations,
        /^- \*\*Once the urgent problem is under control:\*\* work up diabetes \(a second abnormal result confirms it\) with fasting plasma glucose; obstructive sleep apnea with STOP-BANG questionnaire and home sleep apnea test if positive; and hypertension with home or ambulatory BP readings, before choosing treatment\.$/m,
      );
      assert.match(recommendations, /^- \*\*Spironolactone\*\*/m, 'the medication check of the drug taken is reported');
      assert.doesNotMatch(recommendations, /\*\*(?:Metformin|Lisinopril|Semaglutide)\*\*|DASH-style diet/);
    }
    // With ECG changes it is an emergency: the same orders; an ACE inhibitor taken is checked and stopped, nothing is added.
    const { calls, answer } = await turn(offlineClient(), [], '55 yo man on lisinopril, potassium 6.1 with peaked T waves on ECG, fatigue and thirst');
    assert.deepEqual((toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['lisinopril']);
    const emergency = section(textOf(answer), 'Recommendations');
    assert.match(emergency, /\*\*Emergency — potassium 6\.1 mmol\/L:\*\* hyperkalemia with ECG changes.*Meanwhile stop lisinopril/);
    assert.match(emergency, /^- \*\*Order:\*\* repeat potassium \(non-hemolyzed sample\), ECG, creatinine and electrolytes, and glucose\.$/m);
    assert.match(emergency, /^- \*\*Once the urgent problem is under control:\*\* work up type 2 diabetes or prediabetes with HbA1c and fasting plasma glucose;/m);
    // Mild hyperkalemia (5.5–5.9) is not urgent: the routine orders and treatment stay.
    const mild = section(await answerTo('64-year-old woman, potassium 5.8 on lisinopril, BMI 32, snoring'), 'Recommendations');
    assert.match(mild, /^- \*\*Order:\*\* STOP-BANG questionnaire and home sleep apnea test if positive\.$/m);
    assert.doesNotMatch(mild, /Once the urgent problem/);
  });

  it('the other urgent leads order their own work-up too: acute kidney injury, level 2 hypoglycemia, a hyperglycemic crisis, profound hyponatremia', async () => {
    const cases = [
      {
        question: '68-year-old man, creatinine 3.2 mg/dL, BMI 33, fatigue, BP 150/95',
        taken: undefined,
        order: 'creatinine and electrolytes, urinalysis and renal tract ultrasound if obstruction is possible',
        // Its creatinine is in the creatinine and electrolytes ordered: not deferred again in other words.
        later: /work up chronic kidney disease with urine albumin-to-creatinine ratio; type 2 diabetes or prediabetes with HbA1c and fasting plasma glucose;/,
      },
      {
        question: '70 yo man on insulin, glucose 2.6 mmol/L, BMI 31, snoring',
        taken: ['insulin'],
        order: 'finger-prick glucose 15 minutes after treatment, and creatinine and electrolytes',
        later: /work up obstructive sleep apnea with STOP-BANG questionnaire and home sleep apnea test if positive before choosing treatment\./,
      },
      {
        question: '60-year-old man, glucose 620 mg/dL, thirst and polyuria, BMI 32',
        taken: undefined,
        order: 'blood ketones \\(beta-hydroxybutyrate\\), venous blood gas \\(pH, bicarbonate\\), creatinine and electrolytes, and serum osmolality',
        later: /work up type 2 diabetes or prediabetes with HbA1c and fasting plasma glucose;/,
      },
      {
        question: '75-year-old woman, sodium 118, confusion, on hydrochlorothiazide, BMI 27, snoring',
        taken: ['hydrochlorothiazide'],
        order: 'creatinine and electrolytes, glucose, serum osmolality, urine osmolality and urine sodium',
        later: /work up obstructive sleep apnea with STOP-BANG questionnaire and home sleep apnea test if positive before choosing treatment\./,
      },
    ];
    for (const { question, taken, order, later } of cases) {
      const { calls, answer } = await turn(offlineClient(), [], question, [...ALL_TOOLS, LAB]);
      const meds = toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject | undefined;
      assert.deepEqual(meds?.medications, taken, `${question}: only the drugs taken are checked`);
      const recommendations = section(textOf(answer), 'Recommendations');
      assert.match(recommendations, new RegExp(`^- \\*\\*Order:\\*\\* ${order}\\.$`, 'm'), question);
      assert.match(recommendations, later, question);
      assert.doesNotMatch(recommendations, /Order:.*(?:HbA1c|STOP-BANG|lipid panel|TSH)|DASH-style diet|first-line drugs|metformin is the first-line/, question);
    }
  });

  it('a hypertensive crisis or emergency named with a reading under 180/120 mmHg: says the reading is below the threshold and to repeat it, then answers by the reading', async () => {
    const text = await answerTo('Is my patient in hypertensive crisis? BP 165/105, 60-year-old man');
    assert.match(text, /^- \*\*Blood pressure 165\/105 mmHg\*\*: Stage 2 hypertension range by ACC\/AHA thresholds\.\n- A hypertensive crisis was named, but the reading given \(165\/105 mmHg\) is below the crisis threshold of 180\/120 mmHg: repeat it after 5 minutes' rest; the advice below goes by this reading\.$/m);
    assert.match(text, /\*\*Hypertension:\*\* DASH-style diet/);
    assert.doesNotMatch(text, /Urgent —|Emergency —|Once the urgent problem/);
    // Named in one turn, measured in the next.
    const first = await turn(offlineClient(), [], 'hypertensive emergency?');
    const measured = textOf((await turn(offlineClient(), first.messages, 'BP is 150/95, no symptoms.')).answer);
    assert.match(measured, /A hypertensive emergency was named, but the reading given \(150\/95 mmHg\) is below the crisis threshold of 180\/120 mmHg/);
    // At or above the threshold, or only "very high", nothing to say.
    for (const question of ['hypertensive crisis, BP 190/125', 'BP very high at 165/100']) {
      assert.doesNotMatch(await answerTo(question), /below the crisis threshold/, question);
    }
  });

  it('for a woman who could be pregnant checks amlodipine, not an ACE inhibitor, and says to confirm pregnancy status before one', async () => {
    const { calls, answer } = await turn(offlineClient(), [], '32-year-old woman, BP 150/95');
    assert.deepEqual((toolUses(calls).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['amlodipine']);
    assert.match(textOf(answer), /an ACE inhibitor or ARB once pregnancy is excluded/);
    const asked = textOf((await turn(offlineClient(), [], '32-year-old woman, BP 150/95, should I start lisinopril?')).answer);
    assert.match(asked, /\*\*Lisinopril\*\* .*pregnancy: contraindicated \(status not stated\): confirm pregnancy status before starting it\./);
    const taking = textOf((await turn(offlineClient(), [], '40-year-old woman on lisinopril, BP 150/95')).answer);
    assert.match(taking, /pregnancy: contraindicated \(status not stated\): ask whether she could be pregnant, and stop it if she is\./);
    // A man, or a woman past childbearing age, still gets lisinopril checked.
    const man = await ask(offlineClient(), [{ role: 'user', content: '60-year-old man, BP 150/95' }]);
    assert.deepEqual((toolUses(man).find((u) => u.name === 'check_medications')?.input as JsonObject).medications, ['lisinopril']);
  });

  it('a single HbA1c in the diabetes range needs a second abnormal result unless there are classic symptoms (ADA)', async () => {
    const single = textOf((await turn(offlineClient(), [], 'HbA1c 8.1%')).answer);
    assert.match(single, /\*\*Diabetes \(a second abnormal result confirms it\)\*\*/);
    assert.match(single, /ADA needs two, unless there are classic symptoms \(thirst, polyuria, weight loss\), when one is enough/);
    assert.doesNotMatch(single, /if confirmed/);
    const symptomatic = textOf((await turn(offlineClient(), [], 'HbA1c 8.1%, increased thirst and polyuria')).answer);
    assert.match(symptomatic, /\*\*Diabetes \(ADA diagnostic criterion met\):\*\*/);
    assert.doesNotMatch(symptomatic, /Diabetes \(if confirmed\)|second abnormal result/);
  });
});
