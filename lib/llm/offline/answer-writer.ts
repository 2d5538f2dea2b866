// Writes the offline model's final answer: structured markdown (Assessment, Recommendations,
// Follow-up) grounded in the tool results it received, 150–450 words. Lines carry a priority so the
// answer can be trimmed to length by dropping the least important detail first.
import type { ClinicalFindings, ConditionProfile, RankedCondition } from './clinical-reasoning.js';
import { SEVERE_DIASTOLIC, SEVERE_SYSTOLIC, bloodPressureCategory, bloodPressureFinding, bmiCategoryLabel, clinicalFindings, crisisNamedBelowThreshold, egfrBand, followUpOf, raisedBy, rankConditions, testsFor, testsToOrder, treatmentsOf } from './clinical-reasoning.js';
import type { ConversationView } from './conversation-view.js';
import type { PatientFacts } from './patient-facts.js';
import { allergensOf, hasClinicalContent, round, uncoveredLabel, weightInKg } from './patient-facts.js';
import { allergyClass } from './allergy-classes.js';
import { capitalise, countWords, describeNewInformation, describePatient, formatBloodPressure, formatCreatinine, joinAnd, objectPronoun, severeBloodPressureLabel } from './phrasing.js';
import type { LabResult } from './lab-summary.js';
import type { LabAction } from './lab-actions.js';
import { hasOwnJudgements, labLines, labResults } from './lab-summary.js';
import { summariseMedicationCheck, uncoveredCautions } from './medication-summary.js';
import type { KnowledgeEntry, LabEntry, MetricsSummary, ToolOutcome } from './tool-results.js';
import { clip, latestMetrics, measuredFrom, toolDisplayName } from './tool-results.js';
import type { UrgentTopic } from './urgent-problems.js';
import { alreadyOrdered, citationsFor, isEmergencyWorkUp, urgentOrders, urgentProblems } from './urgent-problems.js';

export const MIN_ANSWER_WORDS = 150;
export const MAX_ANSWER_WORDS = 450;
// Aim inside the limits: scorers count words in slightly different ways.
const TARGET_MIN = 170;
const TARGET_MAX = 430;

/** 1 = essential, never dropped; higher numbers are dropped first when the answer runs long. */
type Priority = 1 | 2 | 3 | 4 | 5;
type LineKind = 'para' | 'item' | 'numbered';

interface Line {
  text: string;
  priority: Priority;
  kind: LineKind;
  /**
   * Dropped only once every other line that may go has gone, whatever their priority: the detail of
   * a drug an urgent problem acts on outlasts the routine lines (medication-summary.ts).
   */
  lastToGo?: true;
}

interface Section {
  title: string;
  lines: Line[];
}

const para = (text: string, priority: Priority = 1): Line => ({ text, priority, kind: 'para' });
const item = (text: string, priority: Priority = 1): Line => ({ text, priority, kind: 'item' });

const DISCLAIMER = "_Written by tracemesh's offline clinical model (deterministic and rule-based): check it against current guidelines and your clinical judgement._";

// General advice that lengthens a too-short answer, most useful first.
const PADDING: readonly string[] = [
  'Lifestyle foundations apply whatever the results: a balanced diet, at least 150 minutes of moderate activity a week, enough sleep and no smoking.',
  'Reconcile the full medication list, including over-the-counter drugs and supplements, before starting anything new.',
  'Record baseline weight, blood pressure and symptoms now so the response to any treatment can be measured.',
  'Recheck an abnormal result before labelling a chronic condition, and agree with the patient how results will be shared.',
  'Screening that is due for age and sex (cancer screening, vaccinations, lipids) can be brought up to date at the same visit.',
];

// While an urgent result leads the answer, routine advice (lifestyle, screening) would contradict it:
// these lengthen a short answer instead.
const URGENT_PADDING: readonly string[] = [
  'Pass the medication list, these results and the time the blood was taken to whoever sees the patient next.',
  'Reconcile the full medication list, including over-the-counter drugs and supplements, before restarting anything that was stopped.',
  'Agree who will check the repeat results and when, and how the patient can get help if symptoms change before then.',
  'Other findings can be taken up once the urgent problem is under control.',
];

/** The answer to a turn: after tool results, or directly when no tool fits. */
export function writeAnswer(view: ConversationView): string {
  const outcomes = [...view.earlierOutcomes, ...view.currentOutcomes];
  const acknowledgements = view.currentOutcomes.flatMap(acknowledge);
  const metrics = currentMetrics(view);
  const knowledge = knowledgeEntries(view);
  const medications = [...outcomes].reverse().find((o) => o.kind === 'medications');
  const { facts } = view;
  const labs = labResults(facts, labEntries(view));
  if (!hasClinicalContent(facts) && !metrics && knowledge.length === 0 && !medications && labs.length === 0) {
    return shortReply(acknowledgements);
  }

  const findings = clinicalFindings(facts, measuredFrom(metrics, {}));
  // An urgent result leads: no routine advice and no routine follow-up beside it.
  const problems = urgentProblems(findings, labs);
  const { actions, lines: urgentLines, urgent } = problems;
  const ranked = rankConditions(findings);
  const differentials = ranked.filter((r) => r.profile.kind === 'differential').slice(0, 5);
  const managed = ranked.filter((r) => r.profile.kind === 'finding');
  const raised = view.isFollowUp
    ? raisedBy(clinicalFindings(view.earlierFacts, measuredFrom(latestMetrics(view.earlierOutcomes), {})), findings)
    : [];

  const assessment: Section = { title: 'Assessment', lines: [] };
  assessment.lines.push(para(opening(view)));
  assessment.lines.push(...acknowledgements.map((text) => para(text)));
  const measurements = [...measurementLines(facts, metrics, findings, view), ...labLinesFor(labs, facts)];
  assessment.lines.push(...measurements);
  if (raised.length > 0) assessment.lines.push(para(`The new information makes ${joinAnd(raised.map((p) => lowerFirst(p.name)))} a priority.`));
  assessment.lines.push(...differentialLines(differentials, findings, measurements.length > 0, actions.length > 0, urgent));
  // While an urgent problem leads, only a passage about it is cited (or none is, and the answer says so).
  assessment.lines.push(...(urgent ? urgentKnowledgeLines(problems.topics, knowledge, outcomes) : knowledgeLines(knowledge, outcomes)));

  const raisedFirst = [...ranked.filter((r) => raised.includes(r.profile)), ...differentials, ...managed];
  // While an urgent problem leads (severe hyperkalemia, a possible hypertensive emergency…) the orders
  // are its own work-up (and a red flag's); routine work-up (sleep apnea, diabetes) waits until it is under control.
  const tests = urgent ? urgentOrders(problems, raisedFirst, facts) : testsFor(raisedFirst, facts);
  const recommendations: Section = {
    title: 'Recommendations',
    // Urgent results first, then what a result calls for (hyperkalemia on drugs that raise potassium,
    // poor kidney function, hypoglycemia): one line a problem.
    lines: [
      ...urgentLines.map((text) => item(text)),
      ...actions.map((a) => item(a.text)),
      ...recommendationLines(findings, ranked, differentials, managed, raised, tests, medications, knowledge, actions, urgent, problems.drugs),
    ],
  };
  const followUp: Section = { title: 'Follow-up', lines: followUpLines(findings, differentials, managed, raised, tests, actions, urgent, urgentLines.length > 0, measurements.length > 0) };
  return fitToLength([assessment, recommendations, followUp], urgent ? URGENT_PADDING : PADDING);
}

function shortReply(acknowledgements: readonly string[]): string {
  return [
    ...acknowledgements,
    "I'm tracemesh's offline clinical model. Describe the patient (age, sex, height, weight, blood pressure, symptoms and current medications) and I will calculate clinical metrics, search the medical knowledge base and suggest what to evaluate, with treatment options.",
  ].join('\n\n');
}

function acknowledge(outcome: ToolOutcome): string[] {
  switch (outcome.kind) {
    case 'error':
      return [`The ${toolDisplayName(outcome.toolName)} returned an error (${outcome.message}); I proceeded without it.`];
    case 'other':
      return [`The ${toolDisplayName(outcome.toolName)} returned: ${outcome.summary}`];
    default:
      return [];
  }
}

/** Metrics from this turn, or from an earlier one if nothing since made them stale. */
function currentMetrics(view: ConversationView): MetricsSummary | undefined {
  const now = latestMetrics(view.currentOutcomes);
  if (now) return now;
  const { latestFacts } = view;
  const stale = latestFacts.height || latestFacts.weight || latestFacts.bloodPressure || latestFacts.serumCreatinine;
  return stale ? undefined : latestMetrics(view.earlierOutcomes);
}

function knowledgeEntries(view: ConversationView): KnowledgeEntry[] {
  const entries: KnowledgeEntry[] = [];
  const newestFirst = [...view.currentOutcomes, ...[...view.earlierOutcomes].reverse()];
  for (const o of newestFirst) {
    if (o.kind !== 'knowledge') continue;
    for (const e of o.entries) if (!entries.some((x) => x.title === e.title)) entries.push(e);
  }
  return entries;
}

/** Lab tool results, newest first: this turn's, then earlier turns'. */
function labEntries(view: ConversationView): LabEntry[] {
  const newestFirst = [...view.currentOutcomes, ...[...view.earlierOutcomes].reverse()];
  return newestFirst.flatMap((o) => (o.kind === 'lab' ? [o.lab] : []));
}

function labLinesFor(results: readonly LabResult[], facts: PatientFacts): Line[] {
  const lines = labLines(results, facts).map((line) => item(line.text, line.priority));
  if (hasOwnJudgements(results)) lines.push(item("Lab values with no reference range shown are read against the model's own guideline thresholds; the reporting laboratory's range takes precedence.", 4));
  return lines;
}

function opening(view: ConversationView): string {
  if (!view.isFollowUp) return `Patient: ${describePatient(view.facts)}.`;
  const earlier = describePatient(view.earlierFacts);
  const added = describeNewInformation(view.latestFacts);
  return added
    ? `Building on the earlier information (${earlier}), this update adds ${added}.`
    : `Building on the earlier information (${earlier}), here is the picture so far.`;
}

function measurementLines(facts: PatientFacts, metrics: MetricsSummary | undefined, findings: ClinicalFindings, view: ConversationView): Line[] {
  const lines: Line[] = [];
  const bmi = findings.bmi;
  if (metrics?.bmi) {
    lines.push(item(`**BMI ${metrics.bmi.value} kg/m²**: ${metrics.bmi.label ?? bmiCategoryLabel(metrics.bmi.value)}.`));
  } else if (bmi !== undefined) {
    const metricsFailed = view.currentOutcomes.some((o) => o.kind === 'error' && o.toolName === 'calculate_clinical_metrics');
    // The error itself is acknowledged above; otherwise say why this is only an estimate.
    const why = metricsFailed ? '' : metrics ? ' (the metrics tool did not report BMI)' : ' (no metrics tool result was available)';
    lines.push(item(`**Estimated BMI ≈ ${bmi} kg/m²** (${bmiCategoryLabel(bmi)}), from the stated height and weight${why}.`));
  }
  if (metrics?.bloodPressure) {
    const bp = metrics.bloodPressure;
    const label = bp.label ?? bloodPressureCategory(bp);
    const map = bp.meanArterialPressure !== undefined ? ` (mean arterial pressure ${bp.meanArterialPressure} mmHg)` : '';
    lines.push(item(`**Blood pressure ${formatBloodPressure(bp)}**: ${label}${map}.`));
  } else if (facts.bloodPressure) {
    lines.push(item(`**Blood pressure ${formatBloodPressure(facts.bloodPressure)}**: ${bloodPressureFinding(facts.bloodPressure)}.`));
  }
  // A crisis named with a reading under the threshold: the reading decides, said rather than followed silently.
  const named = crisisNamedBelowThreshold(facts);
  if (named) {
    lines.push(
      item(`A ${severeBloodPressureLabel(named.words)} was named, but the reading given (${formatBloodPressure(named.bp)}) is below the crisis threshold of ${SEVERE_SYSTOLIC}/${SEVERE_DIASTOLIC} mmHg: repeat it after 5 minutes' rest; the advice below goes by this reading.`),
    );
  }
  if (metrics?.egfr) {
    const e = metrics.egfr;
    const equation = e.equation ? ` (${e.equation})` : '';
    const stage = e.stage ? `, stage ${e.stage}` : '';
    const label = e.label ? `: ${e.label}` : '';
    lines.push(item(`**eGFR ${e.value} ${e.unit ?? 'mL/min/1.73m²'}**${equation}${stage}${label}.`));
  } else if (facts.egfr !== undefined) {
    const band = findings.egfrStated === undefined && facts.egfr < 60 ? ` (${egfrBand(facts.egfr)})` : '';
    lines.push(item(`**eGFR ${findings.egfrStated ?? facts.egfr}** as reported${band}.`));
  } else if (findings.egfrEstimated && findings.egfr !== undefined && facts.serumCreatinine) {
    const c = facts.serumCreatinine;
    const band = findings.egfr < 60 ? `: ${egfrBand(findings.egfr)}` : '';
    lines.push(item(`**Estimated eGFR ≈ ${findings.egfr} mL/min/1.73m²** (CKD-EPI 2021, from creatinine ${formatCreatinine(c)}, age and sex; no metrics tool result was available)${band}.`));
  }
  const body: string[] = [];
  if (metrics?.bodySurfaceArea) body.push(`body surface area ${metrics.bodySurfaceArea.valueM2} m²${metrics.bodySurfaceArea.formula ? ` (${metrics.bodySurfaceArea.formula})` : ''}`);
  if (metrics?.idealBodyWeight) body.push(`ideal body weight ${metrics.idealBodyWeight.valueKg} kg${metrics.idealBodyWeight.formula ? ` (${metrics.idealBodyWeight.formula})` : ''}`);
  if (metrics?.adjustedBodyWeight) body.push(`adjusted body weight ${metrics.adjustedBodyWeight.valueKg} kg`);
  if (body.length > 0) lines.push(item(`${capitalise(body.join('; '))}.`, 3));
  if (metrics?.healthRisk !== undefined) lines.push(item(`Health-risk score ${metrics.healthRisk} on the calculator's 0–1 scale (1.0 is the lowest risk).`, 4));
  const note = metrics?.notes[0];
  if (note) lines.push(item(`Calculator note: ${clip(note, 160)}`, 5));
  return lines;
}

function differentialLines(differentials: readonly RankedCondition[], findings: ClinicalFindings, measured: boolean, actedOn: boolean, urgent: boolean): Line[] {
  if (differentials.length === 0) {
    if (actedOn && measured) return [para('No other diagnosis stands out from the information given; the results above come first, and are acted on below.')];
    // Acted on with nothing measured above: a severe blood pressure said in words, without a reading.
    if (actedOn) return [para('No specific diagnosis stands out from the information given; what needs acting on now comes first, below.')];
    return [para(`No specific diagnosis stands out from the information given${measured ? '; the measurements above are the main findings' : ''}.`)];
  }
  // With an action leading, the list may go when the answer runs long: its heading goes last (lines are dropped from the end).
  // While an urgent problem leads it goes first: what it would tell is what the orders and the work-up
  // for once the problem is under control (recommendations) say, and the drugs it acts on come before it.
  const lines: Line[] = [para('**Conditions to evaluate**, most likely first:', urgent ? 3 : actedOn ? 2 : 1)];
  differentials.forEach((r, i) => {
    const why = r.reasons.length > 0 ? `${r.reasons.join('; ')}.` : '';
    const tests = testsToOrder(r.profile, findings.facts);
    const check = tests.length > 0 ? `Check ${joinAnd(tests)}.` : '';
    lines.push({ text: `${i + 1}. **${conditionName(r.profile, findings)}**: ${[why, check].filter(Boolean).join(' ')}`, priority: urgent ? 3 : i === 0 && !actedOn ? 1 : i < 3 ? 2 : 3, kind: 'numbered' });
  });
  return lines;
}

/**
 * "Diabetes (ADA diagnostic criterion met)" when the results already meet the criterion; a
 * condition in the history as itself; otherwise, for a differential, "(if confirmed)" where asked.
 */
function conditionName(profile: ConditionProfile, findings: ClinicalFindings, ifConfirmed = false): string {
  const met = profile.criterionMet?.(findings);
  if (met) return `${profile.metName ?? profile.name} (${met})`;
  if (profile.secondResultName && profile.awaitsSecondResult?.(findings)) return profile.secondResultName;
  const known = findings.facts.conditions.some((c) => c === profile.id);
  return ifConfirmed && profile.kind === 'differential' && !known ? `${profile.name} (if confirmed)` : profile.name;
}

function knowledgeLines(entries: readonly KnowledgeEntry[], outcomes: readonly ToolOutcome[]): Line[] {
  if (entries.length === 0) {
    return outcomes.some((o) => o.kind === 'knowledge') ? [para('The medical knowledge search returned no matching entries.', 3)] : [];
  }
  return entries.slice(0, 2).map((e, i) => {
    const relevance = e.relevance !== undefined ? ` (relevance ${round(e.relevance, 2)})` : '';
    const id = e.id ? ` [${e.id}]` : '';
    const gist = e.content ? `: ${clip(firstSentence(e.content), 150)}` : '';
    return para(`Knowledge base, *${e.title}*${id}${relevance}${gist}`, i === 0 ? 2 : 4);
  });
}

/**
 * While an urgent problem leads: for each, the passage the knowledge search returned about it, quoted
 * where it is (a routine passage is not cited beside it); for those with none, that no passage is
 * about them, so the urgent advice is not taken for the knowledge base's.
 */
function urgentKnowledgeLines(topics: readonly UrgentTopic[], entries: readonly KnowledgeEntry[], outcomes: readonly ToolOutcome[]): Line[] {
  if (topics.length === 0 || !outcomes.some((o) => o.kind === 'knowledge')) return [];
  const citations = citationsFor(topics, entries);
  const lines = citations.slice(0, 2).map(({ topic, entry, sentence }, i) => {
    const relevance = entry.relevance !== undefined ? ` (relevance ${round(entry.relevance, 2)})` : '';
    const id = entry.id ? ` [${entry.id}]` : '';
    return para(`Knowledge base on ${topic.name}, *${entry.title}*${id}${relevance}: ${sentence}`, i === 0 ? 2 : 4);
  });
  const uncited = topics.filter((t) => !citations.some((c) => c.topic === t)).map((t) => t.name);
  if (uncited.length > 0) {
    lines.push(para(`No passage the medical knowledge search returned is about ${joinAnd(uncited)}: the urgent advice below follows the model's own rules.`, 3));
  }
  return lines;
}

function recommendationLines(
  findings: ClinicalFindings,
  ranked: readonly RankedCondition[],
  differentials: readonly RankedCondition[],
  managed: readonly RankedCondition[],
  raised: readonly ConditionProfile[],
  tests: readonly string[],
  medications: ToolOutcome | undefined,
  knowledge: readonly KnowledgeEntry[],
  actions: readonly LabAction[],
  urgent: boolean,
  urgentDrugs: readonly string[],
): Line[] {
  const { facts, egfr } = findings;
  const lines: Line[] = [];
  for (const r of ranked) if (r.profile.redFlag) lines.push(item(`**Urgent:** ${r.profile.redFlag}`));
  if (tests.length > 0) lines.push(item(`**Order:** ${joinTests(tests)}.`));
  const allergies = allergyLine(facts);
  if (allergies) lines.push(item(allergies));
  // Conditions the latest turn raised lead; then the differential; then managed findings.
  const treated: RankedCondition[] = [];
  for (const p of raised) {
    const r = ranked.find((x) => x.profile === p);
    if (r) treated.push(r);
  }
  // A possible hypertensive emergency is the urgent problem itself (its action line), not one to work up later.
  for (const r of [...differentials.slice(0, 3), ...managed]) if (!treated.includes(r) && r.profile.id !== 'hypertensive_emergency') treated.push(r);
  if (urgent) {
    // The urgent problem first; the rest, without its routine advice, once that is under control.
    // A red flag's work-up is ordered now; the rest, left out of the orders, each named with its condition.
    const later = treated.filter((r) => !isEmergencyWorkUp(r.profile));
    // A test the orders already measure, whatever its wording, is not deferred again; a condition all
    // of whose tests are ordered is named as such, not left bare ("work up anemia;").
    const deferred = later.map((r) => ({ name: lowerFirst(conditionName(r.profile, findings)), tests: testsToOrder(r.profile, facts).filter((t) => !alreadyOrdered(t, tests)) }));
    if (deferred.length > 0 && deferred.every((d) => d.tests.length === 0)) {
      lines.push(item(`**Once the urgent problem is under control:** choose treatment for ${joinAnd(deferred.map((d) => d.name))} from the results of the tests ordered above.`, 2));
    } else if (deferred.length > 0) {
      const workUps = deferred.map((d) => (d.tests.length > 0 ? `${d.name} with ${joinTests(d.tests)}` : `${d.name} (its tests are ordered above)`));
      const list = workUps.length > 1 ? `${workUps.slice(0, -1).join('; ')}; and ${workUps[workUps.length - 1]}` : workUps[0];
      lines.push(item(`**Once the urgent problem is under control:** work up ${list}${workUps.length > 1 ? ',' : ''} before choosing treatment.`, 2));
    }
  } else {
    treated.forEach((r, i) => {
      let text = treatmentsOf(r.profile, findings).join('; ');
      if (r.profile.id === 'obesity' && facts.weight) text += `; 5–10% is about ${weightTarget(facts)} for ${objectPronoun(facts)}`;
      const passage = passageAbout(r.profile, knowledge);
      const cited = passage?.id ? ` [${passage.id}]` : '';
      // With an action line leading, the treatments give way first when the answer runs long.
      const first = (i === 0 || raised.includes(r.profile)) && actions.length === 0;
      lines.push(item(`**${conditionName(r.profile, findings, true)}:** ${capitalise(text)}${cited}.`, first ? 1 : i < 3 ? 2 : 3));
    });
  }
  lines.push(...medicationLines(facts, medications, egfr, actions, urgentDrugs));
  return lines;
}

/** "**Allergies:** zestoretic (angioedema): avoid lisinopril and hydrochlorothiazide, and all ACE inhibitors." */
function allergyLine(facts: PatientFacts): string | undefined {
  if (!facts.allergies || facts.allergies.length === 0) return undefined;
  const allergens = allergensOf(facts.allergies);
  const classes = [...allergens.classes].map((id) => allergyClass(id)?.label ?? id);
  const avoid = [...(allergens.drugs.size > 0 ? [joinAnd([...allergens.drugs])] : []), ...(classes.length > 0 ? [`all ${joinAnd(classes)}`] : [])];
  const advice = avoid.length > 0 ? `avoid ${avoid.join(', and ')}` : 'check every new drug against them';
  return `**Allergies:** ${facts.allergies.join('; ')}: ${advice}.`;
}

function weightTarget(facts: PatientFacts): string {
  const weight = facts.weight;
  if (!weight) return '';
  const unit = weight.unit;
  const value = unit === 'lb' ? weight.value : weightInKg(weight);
  return `${Math.round(value * 0.05)}–${Math.round(value * 0.1)} ${unit}`;
}

/** The knowledge-base passage about a condition, preferring a treatment passage, for citing it. */
function passageAbout(profile: ConditionProfile, entries: readonly KnowledgeEntry[]): KnowledgeEntry | undefined {
  const about = profile.id.replace(/_/g, ' ');
  const matching = entries.filter((e) => {
    const condition = (e.condition ?? '').toLowerCase();
    return condition !== '' && (condition.includes(about) || about.includes(condition));
  });
  return matching.find((e) => e.category === 'treatment') ?? matching[0];
}

function medicationLines(facts: PatientFacts, outcome: ToolOutcome | undefined, egfr: number | undefined, actions: readonly LabAction[], urgentDrugs: readonly string[]): Line[] {
  const lines: Line[] = [];
  const kidneyActedOn = actions.some((a) => a.problem === 'kidney');
  if (outcome?.kind === 'medications') {
    lines.push(...summariseMedicationCheck(outcome, facts, actions.length > 0, urgentDrugs).map((line) => ({ ...item(line.text, line.priority), ...(line.lastToGo ? { lastToGo: line.lastToGo } : {}) })));
    outcome.warnings.slice(0, 2).forEach((w) => lines.push(item(clip(w, 160), 2)));
  } else {
    // Without a medication check, the model's own (conservative) rules of thumb.
    if (facts.medications.length > 0 || facts.uncoveredMedications.length > 0) {
      const names = joinAnd([...facts.medications, ...facts.uncoveredMedications.map(uncoveredLabel)]);
      lines.push(item(`**Medications:** no medication check was run: review ${names} for interactions and dosing${egfr !== undefined ? ` at eGFR ${egfr}` : ''}.`, 2));
    }
    lines.push(...uncoveredCautions(facts).map((text) => item(text)));
    // The kidney action line says this with the dose, when there is one.
    if (!kidneyActedOn && facts.medications.includes('metformin') && egfr !== undefined && egfr < 45) {
      lines.push(item(egfr < 30 ? 'Metformin is contraindicated at an eGFR below 30: stop it.' : 'At an eGFR of 30–44, do not start metformin and cap an existing dose at 1,000 mg a day.'));
    }
  }
  const nsaids = facts.medications.filter((m) => m === 'ibuprofen' || m === 'naproxen');
  if (!kidneyActedOn && nsaids.length > 0 && ((egfr !== undefined && egfr < 60) || facts.bloodPressure || facts.conditions.includes('hypertension'))) {
    lines.push(item(`Avoid ${joinAnd(nsaids)} where possible: NSAIDs raise blood pressure and harm the kidneys; prefer acetaminophen.`, 2));
  }
  if (facts.pregnant) lines.push(item('Pregnancy changes the options: ACE inhibitors and ARBs are contraindicated, and statins are stopped in most pregnancies (the FDA removed their contraindication in 2021; only the highest-risk patients continue); check every drug for safety in pregnancy.'));
  return lines;
}

function followUpLines(
  findings: ClinicalFindings,
  differentials: readonly RankedCondition[],
  managed: readonly RankedCondition[],
  raised: readonly ConditionProfile[],
  tests: readonly string[],
  actions: readonly LabAction[],
  urgent: boolean,
  urgentResults: boolean,
  measured: boolean,
): Line[] {
  const { facts } = findings;
  // What each action calls for comes first: its recheck, at its pace.
  const lines: Line[] = actions.map((a) => item(a.followUp));
  if (urgentResults) lines.push(item('Repeat the urgent result the same day, once the patient has been assessed, and act on the trend.'));
  if (!urgent) {
    // Only when something was ordered is there anything to review.
    if (tests.length > 0) lines.push(item('Review the results within 1–2 weeks and choose treatment from what they confirm.', actions.length > 0 ? 2 : 1));
    const profiles: ConditionProfile[] = [...raised];
    for (const r of [...differentials, ...managed]) if (!profiles.includes(r.profile)) profiles.push(r.profile);
    // A blood-pressure action's recheck replaces the routine "within 1 month" for hypertension.
    const bpActedOn = actions.some((a) => a.problem === 'blood_pressure');
    profiles
      .filter((p) => !(bpActedOn && p.id === 'hypertension'))
      .slice(0, 4)
      .forEach((p, i) => lines.push(item(followUpOf(p, findings), (i === 0 || raised.includes(p)) && actions.length === 0 ? 1 : i < 2 ? 2 : 3)));
  }
  if (facts.symptoms.includes('polydipsia') || facts.symptoms.includes('polyuria')) {
    lines.push(item('Seek same-day care for vomiting, confusion, abdominal pain or marked dehydration (possible hyperglycemic crisis).', 2));
  }
  // Safety-netting for a headache: the signs of a secondary cause that cannot wait.
  if (facts.symptoms.includes('headache')) {
    lines.push(item('Seek urgent care for a sudden, severe ("worst ever") headache, headache with fever and a stiff neck, new weakness, numbness, confusion or loss of vision, or a headache that wakes the patient or keeps getting worse.', 2));
  }
  if (lines.length === 0) {
    lines.push(item(measured ? 'Recheck the measurements at the next routine visit.' : 'Review at the next routine visit, sooner if the symptoms change or new ones appear.'));
  }
  lines.push(para(DISCLAIMER));
  return lines;
}

/** Drops optional lines until the answer fits, or pads a short one with general advice. */
function fitToLength(sections: Section[], padding: readonly string[]): string {
  let text = render(sections);
  while (countWords(text) > TARGET_MAX) {
    const victim = leastImportantLine(sections);
    if (!victim) break;
    const { lines } = victim.section;
    const [removed] = lines.splice(victim.index, 1);
    // A list's heading ("…, most likely first:") goes with its last item rather than stand alone.
    const heading = lines[victim.index - 1];
    if (removed?.kind === 'numbered' && heading?.kind === 'para' && heading.text.endsWith(':') && lines[victim.index]?.kind !== 'numbered') lines.splice(victim.index - 1, 1);
    text = render(sections);
  }
  const recommendations = sections[1];
  for (const extra of padding) {
    if (countWords(text) >= TARGET_MIN || !recommendations) break;
    recommendations.lines.push(item(extra, 5));
    text = render(sections);
  }
  return text;
}

function leastImportantLine(sections: Section[]): { section: Section; index: number } | undefined {
  // The lowest priority goes first, the last such line first; lines kept to the last only when no other may go.
  for (const lastToGo of [false, true]) {
    let victim: { section: Section; index: number; priority: number } | undefined;
    for (const section of sections) {
      section.lines.forEach((line, index) => {
        if (line.priority > 1 && (line.lastToGo === true) === lastToGo && (!victim || line.priority >= victim.priority)) victim = { section, index, priority: line.priority };
      });
    }
    if (victim) return victim;
  }
  return undefined;
}

function render(sections: readonly Section[]): string {
  return sections
    .map((section) => {
      const blocks: string[] = [];
      let previous: LineKind | undefined;
      let number = 0;
      for (const line of section.lines) {
        // A blank line between paragraphs and between a paragraph and a list keeps markdown honest.
        const joinsPrevious = previous !== undefined && previous === line.kind && line.kind !== 'para';
        number = line.kind === 'numbered' ? (previous === 'numbered' ? number + 1 : 1) : 0;
        const text = line.kind === 'item' ? `- ${line.text}` : line.kind === 'numbered' ? line.text.replace(/^\d+\./, `${number}.`) : line.text;
        if (joinsPrevious) blocks[blocks.length - 1] += `\n${text}`;
        else blocks.push(text);
        previous = line.kind;
      }
      return `## ${section.title}\n\n${blocks.join('\n\n')}`;
    })
    .join('\n\n');
}

/**
 * Tests as a list: "a, b and c", with a comma before the last "and" when a test beside it has its
 * own ("ECG, creatinine and electrolytes, and glucose", not "creatinine and electrolytes and glucose").
 */
function joinTests(tests: readonly string[]): string {
  const ownAnd = tests.length > 1 && tests.slice(-2).some((t) => t.includes(' and '));
  return ownAnd ? `${tests.slice(0, -1).join(', ')}, and ${tests[tests.length - 1]}` : joinAnd(tests);
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(?:\s|$)/s.exec(text.trim());
  return (match?.[1] ?? text).trim();
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
