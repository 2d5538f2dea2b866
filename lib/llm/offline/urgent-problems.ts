// What leads an answer when something cannot wait, and what it orders then. An urgent problem is an
// action line that is urgent or an emergency (hyperkalemia from 6.0 mmol/L or with ECG changes,
// kidney function that may be acute kidney injury, level 2 hypoglycemia, a hypertensive crisis:
// lab-actions.ts), or a result past a critical limit or in an urgent band (a glucose over 500 mg/dL,
// profound hyponatremia: lab-summary.ts). While one leads, the answer orders that problem's own
// work-up (with a possible hypertensive emergency's and a red flag's), names the routine work-up for
// once it is under control (less what the orders already measure), the model looks up no routine
// drug on its own initiative (tool-planner.ts): the drugs the patient takes are still checked, and
// those the problem's line acts on keep their detail when the answer runs long. The knowledge search
// is about the urgent problem, not the likeliest routine condition, and the answer cites a passage
// for it only when one of the passage's sentences is about it.
import type { ClinicalFindings, ConditionProfile, RankedCondition } from './clinical-reasoning.js';
import { testsFor } from './clinical-reasoning.js';
import type { ActionContext, LabAction } from './lab-actions.js';
import { labActions, leadsUrgently } from './lab-actions.js';
import type { LabResult, UrgentResult } from './lab-summary.js';
import { criticalLimitsOf, urgentResults } from './lab-summary.js';
import type { LabId, LabLevel } from './lab-values.js';
import type { PatientFacts } from './patient-facts.js';
import { severeBloodPressureLabel } from './phrasing.js';

export interface UrgentProblems {
  /** Every action the results call for, urgent or not, most urgent first. */
  actions: LabAction[];
  /** "**Urgent:** …" for each urgent result no action speaks for. */
  lines: string[];
  /** Something cannot wait: an urgent action or an urgent result. */
  urgent: boolean;
  /** The urgent problems' own tests, most urgent first, each once. */
  workUp: string[];
  /** The urgent problems as the knowledge search asks about them, most urgent first, each once. */
  topics: UrgentTopic[];
  /** The drugs taken that an urgent problem's line acts on (generic names): their detail is kept. */
  drugs: string[];
}

/** The actions and urgent results for what the clinician gave (and the lab tool judged, once it has). */
export function urgentProblems(findings: ClinicalFindings, labs: readonly LabResult[]): UrgentProblems {
  const { facts } = findings;
  const context: ActionContext = { criticalLimits: (test) => criticalLimitsOf(labs, test) };
  if (findings.egfr !== undefined) {
    context.egfr = findings.egfr;
    context.egfrEstimated = findings.egfrEstimated === true;
    if (findings.egfrStated) context.egfrStated = findings.egfrStated;
  }
  const actions = labActions(facts, context);
  const results = urgentResults(labs, facts, actions.flatMap((a) => a.covers));
  const leading = actions.filter(leadsUrgently);
  const topics: UrgentTopic[] = [];
  for (const topic of [...leading.map((a) => actionTopic(a, facts)), ...results.map(resultTopic)]) {
    if (!topics.some((t) => t.name === topic.name)) topics.push(topic);
  }
  return {
    actions,
    lines: results.map((r) => r.text),
    urgent: leading.length > 0 || results.length > 0,
    workUp: unique([...leading.flatMap((a) => a.workUp ?? []), ...results.flatMap((r) => r.workUp)]),
    topics,
    drugs: unique(leading.flatMap((a) => a.drugs ?? [])),
  };
}

/** Work-up that cannot wait in an emergency: a possible hypertensive emergency's own and a red flag's (chest pain: ECG, troponin). */
export function isEmergencyWorkUp(profile: ConditionProfile): boolean {
  return profile.id === 'hypertensive_emergency' || profile.redFlag !== undefined;
}

/** A possible hypertensive emergency leads (lab-actions.ts acts on it). */
export const hypertensiveEmergency = (ranked: readonly RankedCondition[]): boolean => ranked.some((r) => r.profile.id === 'hypertensive_emergency');

/**
 * What the answer orders while an urgent problem leads: the urgent problems' own tests, then those of
 * a possible hypertensive emergency and a red flag among the conditions. The rest wait.
 */
export function urgentOrders(problems: UrgentProblems, conditions: readonly RankedCondition[], facts: PatientFacts): string[] {
  return unique([...problems.workUp, ...testsFor(conditions.filter((r) => isEmergencyWorkUp(r.profile)), facts)]);
}

// ---------------------------------------------------------------------------------------------
// Tests that measure the same thing.

/**
 * What a test measures, where another wording measures it too: "basic metabolic panel (creatinine,
 * eGFR)" is ordered for the creatinine that eGFR is calculated from, which "creatinine and
 * electrolytes" measures. Any other test measures only what it says. (A glucose now is not a fasting
 * plasma glucose, nor a repeat potassium on a non-hemolyzed sample the electrolytes beside it.)
 */
const MEASURES: Readonly<Record<string, readonly string[]>> = {
  'creatinine and electrolytes': ['creatinine', 'sodium', 'potassium'],
  'basic metabolic panel (creatinine, eGFR)': ['creatinine'],
};

const measuresOf = (test: string): readonly string[] => MEASURES[test] ?? [test];

/** The test measures nothing the ordered ones do not already: it is ordered, whatever its wording. */
export function alreadyOrdered(test: string, ordered: readonly string[]): boolean {
  const measured = new Set(ordered.flatMap(measuresOf));
  return measuresOf(test).every((m) => measured.has(m));
}

// ---------------------------------------------------------------------------------------------
// What the knowledge search asks about an urgent problem.

/**
 * An urgent problem as the knowledge search asks about it. The knowledge base (data/knowledge-base)
 * is primary-care guidance: it says how to treat hypoglycemia (ADA), names acute kidney injury as what a single
 * low eGFR may be and a rapid fall in eGFR or persistent hyperkalemia as reasons to refer (KDIGO), and
 * holds nothing on a hypertensive emergency, a hyperglycemic crisis, a sodium or potassium that
 * cannot wait, or severe anemia. The query asks for the problem in the words those passages use; a
 * passage is cited for it only with a sentence that is about it, and with none the answer says so.
 */
export interface UrgentTopic {
  /** As the answer and the preamble name it: "hyperkalemia". */
  name: string;
  /** The search text. */
  query: string;
  /** A sentence about the problem, most useful first (none: no passage is cited for it). */
  about: readonly RegExp[];
}

const topic = (name: string, ask: string, about: readonly RegExp[]): UrgentTopic => ({ name, query: `${name} — ${ask}`, about });

const HYPERKALEMIA = topic('hyperkalemia', 'urgent management, drugs that raise potassium, persistent hyperkalemia and when to refer', [/\bhyperkal(?:a)?emia\b/i]);
const KIDNEY = topic('possible acute kidney injury', 'a single low eGFR, a rapid fall in eGFR, repeating creatinine and when to refer', [
  /(?<!\bprior )\bacute kidney injury\b/i,
  /\brapid or sustained fall in eGFR\b/i,
]);
const HYPOGLYCEMIA = topic('level 2 hypoglycemia', 'treatment with fast-acting glucose or glucagon, and the insulin or sulfonylurea that caused it', [
  /\bfast-acting glucose\b/i,
  /\bglucagon\b/i,
]);
const HYPERTENSIVE = [/\bhypertensive (?:emergency|crisis|urgency)\b/i, /\b180\/1[12]0\b/];
const HYPERTENSIVE_EMERGENCY = topic(
  'possible hypertensive emergency',
  'blood pressure 180/120 mmHg or more with target-organ damage: emergency assessment and treatment',
  HYPERTENSIVE,
);
const hypertensiveCrisis = (name: string) => topic(name, 'blood pressure 180/120 mmHg or more: urgent assessment and treatment', HYPERTENSIVE);

/** Results past a critical limit or in an urgent band, by test and side (what an action line speaks for never gets here). */
const RESULT_TOPICS: Partial<Record<LabId, Partial<Record<LabLevel, UrgentTopic>>>> = {
  potassium: {
    high: HYPERKALEMIA,
    low: topic('severe hypokalemia', 'urgent potassium replacement, ECG and magnesium', [/\bsevere hypokal(?:a)?emia\b/i, /\bpotassium replacement\b/i]),
  },
  sodium: {
    low: topic('profound hyponatremia', 'urgent assessment and treatment', [/\bhyponatr(?:a)?emia\b/i]),
    high: topic('severe hypernatremia', 'urgent assessment and treatment', [/\bhypernatr(?:a)?emia\b/i]),
  },
  hemoglobin: { low: topic('severe anemia', 'urgent assessment, transfusion and the cause', [/\bsevere an(?:a)?emia\b/i, /\btransfusion (?:is|threshold)|\btransfuse\b/i]) },
};
const HYPERGLYCEMIC_CRISIS = topic('possible hyperglycemic crisis', 'diabetic ketoacidosis or a hyperosmolar state: ketones, osmolality and urgent treatment', [
  /\bhyperglyc(?:a)?emic crisis\b|\bketoacidosis\b|\bhyperosmolar\b/i,
]);
const GLUCOSE_TESTS: readonly LabId[] = ['glucose', 'fasting_glucose', 'random_glucose'];

function actionTopic(action: LabAction, facts: PatientFacts): UrgentTopic {
  switch (action.problem) {
    case 'potassium':
      return HYPERKALEMIA;
    case 'kidney':
      return KIDNEY;
    case 'glucose':
      return HYPOGLYCEMIA;
    case 'blood_pressure': {
      const words = facts.severeBloodPressureWords;
      return action.urgency === 'emergency' || !words ? HYPERTENSIVE_EMERGENCY : hypertensiveCrisis(severeBloodPressureLabel(words));
    }
  }
}

function resultTopic(result: UrgentResult): UrgentTopic {
  const { test, side } = result;
  if (test !== undefined && GLUCOSE_TESTS.includes(test)) return side === 'low' ? HYPOGLYCEMIA : HYPERGLYCEMIC_CRISIS;
  const known = test !== undefined && side !== undefined ? RESULT_TOPICS[test]?.[side] : undefined;
  // Anything else past a critical limit: named by its test, and no passage is cited for it.
  return known ?? topic(`critical ${result.named}`, 'urgent assessment', []);
}

/** A passage cited for an urgent problem: the sentence of it that is about the problem. */
export interface UrgentCitation<Entry> {
  topic: UrgentTopic;
  entry: Entry;
  sentence: string;
}

/**
 * For each topic in turn, the first passage (in the order given: best first) with a sentence about it,
 * preferring a sentence that matches an earlier pattern; topics with none are left out.
 */
export function citationsFor<Entry extends { content?: string }>(topics: readonly UrgentTopic[], entries: readonly Entry[]): UrgentCitation<Entry>[] {
  const citations: UrgentCitation<Entry>[] = [];
  for (const t of topics) {
    let found: UrgentCitation<Entry> | undefined;
    for (const pattern of t.about) {
      for (const entry of entries) {
        const sentence = sentencesOf(entry.content ?? '').find((s) => pattern.test(s));
        if (sentence) {
          found = { topic: t, entry, sentence: excerpt(sentence, pattern) };
          break;
        }
      }
      if (found) break;
    }
    if (found) citations.push(found);
  }
  return citations;
}

const EXCERPT_LENGTH = 200;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])/).map((s) => s.trim()).filter(Boolean);
}

/**
 * The sentence, or when it is long its opening clause and the part about the problem: "Refer to
 * nephrology for an eGFR below 30, … persistent hyperkalemia or suspected hereditary kidney disease."
 */
function excerpt(sentence: string, pattern: RegExp): string {
  if (sentence.length <= EXCERPT_LENGTH) return sentence;
  const parts = sentence.split(', ');
  const at = parts.findIndex((p) => pattern.test(p));
  const head = parts[0] ?? '';
  if (at > 0) {
    const tail = parts.slice(at).join(', ');
    const joined = `${head}, … ${tail}`;
    if (joined.length <= EXCERPT_LENGTH) return joined;
    const part = parts[at] ?? '';
    return `${head}, … ${part}${/[.!?]$/.test(part) ? '' : ' …'}`;
  }
  return `${sentence.slice(0, EXCERPT_LENGTH - 1).replace(/\s+\S*$/, '')} …`;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
