// Decides which tools the offline model calls for a fresh user question, with which arguments, and
// the one-sentence preamble that precedes the calls. All calls go out in one response so the
// caller can run them in parallel, as Claude does.
import type { JsonObject } from '../../json.js';
import type { ConditionProfile, RankedCondition } from './clinical-reasoning.js';
import { clinicalFindings, couldBePregnant, raisedBy, rankConditions } from './clinical-reasoning.js';
import type { ConversationView } from './conversation-view.js';
import { estimateEgfr } from './kidney-estimate.js';
import type { LabReading } from './lab-values.js';
import { labIdOf, labLabel, toolTestOf, unitOf } from './lab-values.js';
import type { PatientFacts } from './patient-facts.js';
import type { Allergens } from './patient-facts.js';
import { allergensOf, conditionLabel, egfrForThresholds, isAllergen, uncoveredLabel, uncoveredRoles } from './patient-facts.js';
import { formatBloodPressure, joinAnd, labsPhrase, medicationItems, possessive, severeBloodPressureLabel, symptomsPhrase } from './phrasing.js';
import type { LabEntry, MetricsSummary, ToolOutcome } from './tool-results.js';
import { LAB_TOOL, latestMetrics, measuredFrom } from './tool-results.js';
import { labResults } from './lab-summary.js';
import { hypertensiveEmergency, isEmergencyWorkUp, urgentProblems } from './urgent-problems.js';
import type { MessagesRequest } from './wire-types.js';

export const METRICS_TOOL = 'calculate_clinical_metrics';
export const KNOWLEDGE_TOOL = 'search_medical_knowledge';
export const MEDICATIONS_TOOL = 'check_medications';
export { LAB_TOOL };

/** At most this many first-line drugs are checked on the model's own initiative. */
const MAX_SUGGESTED_DRUGS = 4;
/** check_medications takes at most 20 names a call. */
const MAX_DRUGS_PER_CHECK = 20;
/** A measured finding (BMI, blood pressure) needs this score before its drug is worth checking. */
const FINDING_SCORE_FOR_DRUG = 3;
/** Lab results looked up in one response, at most (the rest are read against the model's own thresholds). */
const MAX_LAB_LOOKUPS = 6;

export interface PlannedCall {
  name: string;
  input: JsonObject;
}

export interface ToolPlan {
  preamble: string;
  calls: PlannedCall[];
}

/** Undefined when the model should answer directly. */
export function planToolCalls(view: ConversationView, request: MessagesRequest): ToolPlan | undefined {
  // Loop guard: once results are in, the model writes its answer and never asks again.
  if (view.answeringToolResults) return undefined;
  if (view.scriptedCalls.length > 0) {
    const names = view.scriptedCalls.map((c) => `\`${c.name}\``);
    return {
      preamble: `Running the scripted tool call${names.length > 1 ? 's' : ''}: ${joinAnd(names)}.`,
      calls: view.scriptedCalls.map((c) => ({ name: c.name, input: c.input })),
    };
  }
  if (request.tool_choice === 'none') return undefined;

  const offered = new Set(request.tools.map((t) => t.name));
  const { facts, latestFacts, isFollowUp } = view;
  const previousMetrics = latestMetrics(view.earlierOutcomes);
  const now = clinicalFindings(facts, measuredFrom(previousMetrics, latestFacts));
  const raised = isFollowUp ? raisedBy(clinicalFindings(view.earlierFacts, measuredFrom(previousMetrics, {})), now) : [];
  const focus = searchFocus(raised, now);
  // A product the reference does not cover still counts as its metformin: Glucovance is not "start metformin".
  const taking = [...facts.medications, ...(facts.uncoveredMedications.some((d) => uncoveredRoles(d.generic).includes('metformin')) ? ['metformin'] : [])];
  // While an urgent problem leads (severe hyperkalemia, a hypertensive crisis…), no routine drug is
  // looked up, and the knowledge search is about the most urgent problem, not the likeliest routine condition.
  const earlierLabs = [...view.earlierOutcomes].reverse().flatMap((o) => (o.kind === 'lab' ? [o.lab] : []));
  const { urgent, topics } = urgentProblems(now, labResults(facts, earlierLabs));
  const urgentTopic = topics[0];
  const suggested = suggestedDrugs(rankConditions(now), raised, taking, facts.pregnant === true, allergensOf(facts.allergies), couldBePregnant(facts), urgent);

  const calls: PlannedCall[] = [];
  const phrases: string[] = [];
  if (offered.has(METRICS_TOOL) && facts.height && facts.weight && (!isFollowUp || addsMetricInputs(latestFacts))) {
    calls.push({ name: METRICS_TOOL, input: metricsInput(facts) });
    phrases.push(
      isFollowUp
        ? `recalculate ${possessive(facts)} clinical metrics with the new ${metricChanges(latestFacts)}`
        : `calculate ${possessive(facts)} clinical metrics (${metricsList(facts)})`,
    );
  }
  // Lab results alone are a topic once they point at a condition ("HbA1c 7.4%": diabetes).
  // A severe blood pressure said in words ("hypertensive crisis") is a topic too.
  const hasTopic = facts.symptoms.length > 0 || facts.conditions.length > 0 || facts.severeBloodPressureWords !== undefined || (facts.labs.length > 0 && focus.length > 0);
  const latestAddsTopic = latestFacts.symptoms.length > 0 || latestFacts.conditions.length > 0 || latestFacts.severeBloodPressureWords !== undefined || raised.length > 0;
  const urgentBefore = isFollowUp ? urgentTopicsBefore(view, previousMetrics, earlierLabs) : [];
  if (offered.has(KNOWLEDGE_TOOL) && urgentTopic) {
    // Searched once, when it first leads: what the routine topics add can wait with them.
    if (!urgentBefore.includes(urgentTopic.name)) {
      calls.push({ name: KNOWLEDGE_TOOL, input: { query: urgentTopic.query, n_results: 3 } });
      phrases.push(`look up ${urgentTopic.name} in the medical knowledge base`);
    }
  } else if (offered.has(KNOWLEDGE_TOOL) && hasTopic && (!isFollowUp || latestAddsTopic || urgentBefore.length > 0)) {
    // Once an urgent problem no longer leads, the routine topics that waited are looked up.
    calls.push({ name: KNOWLEDGE_TOOL, input: knowledgeInput(view, focus) });
    // A question about a condition alone ("first-line treatment for gout flares") has no symptoms to name.
    const subject =
      focus.length > 0
        ? joinAnd(focus.map((p) => lowerFirst(p.name)))
        : symptomsPhrase(facts) || joinAnd(facts.conditions.map(conditionLabel)) || (facts.severeBloodPressureWords ? severeBloodPressureLabel(facts.severeBloodPressureWords) : '');
    phrases.push(`look up ${subject} in the medical knowledge base`);
  }
  const latestAddsMedicationContext =
    latestFacts.medications.length > 0 ||
    latestFacts.uncoveredMedications.length > 0 ||
    latestFacts.pregnant !== undefined ||
    latestFacts.allergies !== undefined ||
    latestFacts.egfr !== undefined ||
    latestFacts.serumCreatinine !== undefined;
  // Drugs the reference does not cover are sent too, so the tool itself reports them as not covered.
  const toCheck = [...facts.medications, ...facts.uncoveredMedications.map((d) => d.generic), ...suggested].slice(0, MAX_DRUGS_PER_CHECK);
  const checkedBefore = alreadyChecked(view.earlierOutcomes);
  const unchecked = toCheck.filter((drug) => !checkedBefore.has(drug));
  if (offered.has(MEDICATIONS_TOOL) && toCheck.length > 0 && (!isFollowUp || latestAddsMedicationContext || unchecked.length > 0)) {
    calls.push({ name: MEDICATIONS_TOOL, input: medicationsInput(facts, toCheck, previousMetrics) });
    phrases.push(medicationsPhrase([...medicationItems(facts.medications, facts), ...facts.uncoveredMedications.map(uncoveredLabel)], suggested));
  }
  const labs = offered.has(LAB_TOOL) ? labsToLookUp(latestFacts.labs, view.earlierOutcomes) : [];
  if (labs.length > 0) {
    calls.push(...labs.map((reading) => ({ name: LAB_TOOL, input: labInput(reading, facts) })));
    phrases.push(`look up the reference ${labs.length > 1 ? 'ranges' : 'range'} for ${possessive(facts)} ${joinAnd(labs.map((r) => labLabel(r.test)))}`);
  }
  if (calls.length === 0) return undefined;
  const opener = isFollowUp ? "Building on the earlier information, I'll" : "I'll";
  return { preamble: `${opener} ${joinAnd(phrases)}.`, calls };
}

/** The urgent problems the earlier turns already led with (by name). */
function urgentTopicsBefore(view: ConversationView, previousMetrics: MetricsSummary | undefined, earlierLabs: readonly LabEntry[]): string[] {
  const before = clinicalFindings(view.earlierFacts, measuredFrom(previousMetrics, {}));
  return urgentProblems(before, labResults(view.earlierFacts, earlierLabs)).topics.map((t) => t.name);
}

/** Exact argument names of calculate_clinical_metrics; absent optional fields are omitted. */
export function metricsInput(facts: PatientFacts): JsonObject {
  const input: JsonObject = {};
  if (facts.height) {
    input.height = facts.height.value;
    input.height_unit = facts.height.unit;
  }
  if (facts.weight) {
    input.weight = facts.weight.value;
    input.weight_unit = facts.weight.unit;
  }
  if (facts.age !== undefined) input.age = Math.round(facts.age);
  if (facts.sex) input.sex = facts.sex;
  // A bound ("below 130/80") is no reading to classify: the answer says what it allows.
  if (facts.bloodPressure && !facts.bloodPressure.comparator) {
    input.systolic_bp = Math.round(facts.bloodPressure.systolic);
    input.diastolic_bp = Math.round(facts.bloodPressure.diastolic);
  }
  if (facts.serumCreatinine) {
    input.serum_creatinine = facts.serumCreatinine.value;
    input.creatinine_unit = facts.serumCreatinine.unit;
  }
  return input;
}

function addsMetricInputs(latest: PatientFacts): boolean {
  return (
    latest.height !== undefined ||
    latest.weight !== undefined ||
    latest.age !== undefined ||
    latest.sexBasis === 'stated' ||
    (latest.bloodPressure !== undefined && !latest.bloodPressure.comparator) ||
    latest.serumCreatinine !== undefined
  );
}

function metricChanges(latest: PatientFacts): string {
  const parts: string[] = [];
  if (latest.bloodPressure) parts.push(`blood pressure (${formatBloodPressure(latest.bloodPressure)})`);
  if (latest.serumCreatinine) parts.push(`serum creatinine (${latest.serumCreatinine.value} ${latest.serumCreatinine.unit})`);
  if (latest.height) parts.push('height');
  if (latest.weight) parts.push('weight');
  if (latest.age !== undefined) parts.push('age');
  if (parts.length === 0) parts.push('details');
  return joinAnd(parts);
}

function metricsList(facts: PatientFacts): string {
  const items = ['BMI', 'body surface area', 'ideal body weight'];
  if (facts.bloodPressure && !facts.bloodPressure.comparator) items.push('blood pressure category');
  if (facts.serumCreatinine) items.push('eGFR');
  return joinAnd(items);
}

/**
 * What the knowledge search is about: the condition the latest turn raised, else the likeliest one.
 * One, not a list: a query naming three conditions matches each of them weakly and ranks a passage
 * about the least likely first (measured on the seed query: B12 treatment above the diabetes work-up).
 */
function searchFocus(raised: readonly ConditionProfile[], findings: ReturnType<typeof clinicalFindings>): ConditionProfile[] {
  const ranked = rankConditions(findings).filter((r) => r.profile.kind === 'differential' || raised.includes(r.profile));
  const focus: ConditionProfile[] = [...raised];
  for (const r of ranked) if (!focus.includes(r.profile)) focus.push(r.profile);
  return focus.slice(0, 1);
}

function knowledgeInput(view: ConversationView, focus: readonly ConditionProfile[]): JsonObject {
  const { facts, latestFacts } = view;
  const presenting: string[] = [];
  if (latestFacts.bloodPressure && view.isFollowUp) presenting.push(`blood pressure ${formatBloodPressure(latestFacts.bloodPressure)}`);
  else if (facts.severeBloodPressureWords && !facts.bloodPressure) presenting.push(severeBloodPressureLabel(facts.severeBloodPressureWords));
  if (latestFacts.labs.length > 0) presenting.push(labsPhrase(latestFacts.labs));
  if (facts.symptoms.length > 0) presenting.push(symptomsPhrase(facts));
  if (facts.conditions.length > 0) presenting.push(`history of ${joinAnd(facts.conditions.map(conditionLabel))}`);
  const about = focus.map((p) => lowerFirst(p.name));
  const query = `${presenting.join(' with ')}${about.length > 0 ? `: ${about.join(', ')}` : ''} — evaluation and treatment options`;
  const input: JsonObject = { query, n_results: 3 };
  // Only a condition the clinician named narrows the search; our own guesses must not filter it.
  const named = latestFacts.conditions[0] ?? (view.isFollowUp ? undefined : facts.conditions[0]);
  if (named) input.condition = conditionLabel(named);
  return input;
}

/**
 * First-line drugs for the conditions that lead: any the latest turn raised, the two likeliest
 * differentials, then measured findings (obesity, hypertension) strong enough to treat. One drug
 * per condition (the pregnancy choice when pregnant; one safe in pregnancy while that is not known
 * for a woman who could be pregnant; an alternative when the patient is allergic to
 * the first choice, or none), none the clinician already named, at most MAX_SUGGESTED_DRUGS. While
 * an urgent problem leads (`urgent`: urgent-problems.ts; by default a possible hypertensive
 * emergency) only a red flag's drug (aspirin for chest pain): first-line drugs for chronic
 * conditions wait until it is under control.
 */
export function suggestedDrugs(
  ranked: readonly RankedCondition[],
  raised: readonly ConditionProfile[],
  mentioned: readonly string[],
  pregnant = false,
  allergens: Allergens = allergensOf(undefined),
  mayBePregnant = false,
  urgent = hypertensiveEmergency(ranked),
): string[] {
  const leading: ConditionProfile[] = [
    ...raised,
    ...ranked.filter((r) => r.profile.kind === 'differential').slice(0, 2).map((r) => r.profile),
    ...ranked.filter((r) => r.profile.kind === 'finding' && r.score >= FINDING_SCORE_FOR_DRUG).map((r) => r.profile),
  ];
  const drugs: string[] = [];
  for (const profile of urgent ? leading.filter(isEmergencyWorkUp) : leading) {
    const safeUntilExcluded = mayBePregnant ? profile.firstLineDrugUntilPregnancyExcluded : undefined;
    const choices = pregnant && profile.firstLineDrugInPregnancy !== undefined
      ? [profile.firstLineDrugInPregnancy]
      : safeUntilExcluded
        ? [safeUntilExcluded, ...(profile.firstLineAlternatives ?? []).filter((d) => d !== safeUntilExcluded)]
        : [profile.firstLineDrug, ...(profile.firstLineAlternatives ?? [])];
    const drug = choices.find((d) => d !== undefined && d !== null && !isAllergen(allergens, d));
    if (drug && !mentioned.includes(drug) && !drugs.includes(drug)) drugs.push(drug);
  }
  return drugs.slice(0, MAX_SUGGESTED_DRUGS);
}

/**
 * This turn's lab values the tool has a test for (not a random glucose: its glucose range is the
 * fasting one), each once, less those an earlier round already looked up at the same value.
 */
function labsToLookUp(latest: readonly LabReading[], earlier: readonly ToolOutcome[]): LabReading[] {
  const lookedUp = earlier.flatMap((o) => (o.kind === 'lab' ? [{ test: labIdOf(o.lab.test), value: o.lab.value }] : []));
  return latest
    .filter((r) => r.value !== undefined && toolTestOf(r.test) !== undefined && !lookedUp.some((l) => l.test === toolTestOf(r.test) && l.value === r.value))
    .slice(0, MAX_LAB_LOOKUPS);
}

/**
 * Exact argument names of lookup_lab_reference: the unit only as written (the tool infers one, or
 * asks), except for a test looked up as another (urea as BUN), whose unit the name alone fixed. The
 * tool takes no comparator: "TSH < 0.01" is sent as 0.01, and the answer keeps the "<".
 */
function labInput(reading: LabReading, facts: PatientFacts): JsonObject {
  const tool = toolTestOf(reading.test) ?? reading.test;
  const input: JsonObject = { test: labLabel(tool) };
  if (reading.value !== undefined) input.value = reading.value;
  const unit = reading.unit ?? (tool !== reading.test ? unitOf(reading) : undefined);
  if (unit !== undefined) input.unit = unit;
  if (facts.sex) input.sex = facts.sex;
  return input;
}

/** Names sent to the medication tool in earlier rounds (as the results echo them). */
function alreadyChecked(outcomes: readonly ToolOutcome[]): Set<string> {
  const names = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.kind !== 'medications') continue;
    for (const med of outcome.medications) names.add((med.query ?? med.name).toLowerCase());
  }
  return names;
}

function medicationsPhrase(mentioned: readonly string[], suggested: readonly string[]): string {
  if (suggested.length === 0) return `check ${joinAnd(mentioned)} for interactions and dosing cautions`;
  const options = `${joinAnd(suggested)} (first-line ${suggested.length > 1 ? 'options' : 'option'} for the likely conditions)`;
  if (mentioned.length === 0) return `check ${options} for doses, kidney and pregnancy cautions and interactions`;
  return `check ${joinAnd(mentioned)} together with ${options} for interactions and dosing cautions`;
}

/** Everything the model knows about the patient that changes a drug's safety. */
function medicationsInput(facts: PatientFacts, medications: readonly string[], metrics: MetricsSummary | undefined): JsonObject {
  const patient: JsonObject = {};
  if (facts.age !== undefined) patient.age = Math.round(facts.age);
  // A stated eGFR wins; then one estimated from a stated creatinine; then an earlier metrics result.
  const egfr = egfrForThresholds(facts) ?? estimateEgfr(facts) ?? metrics?.egfr?.value;
  if (egfr !== undefined) patient.egfr = egfr;
  if (facts.pregnant !== undefined) patient.pregnant = facts.pregnant;
  if (facts.allergies !== undefined) patient.allergies = facts.allergies;
  const input: JsonObject = { medications: [...medications] };
  if (Object.keys(patient).length > 0) input.patient = patient;
  return input;
}

function lowerFirst(text: string): string {
  // Keep acronyms and proper names ("COPD") intact; lower only an ordinary capitalised word.
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
