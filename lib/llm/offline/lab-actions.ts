// Action items a result calls for, placed at the top of the recommendations rather than left in the
// list of results, each with the follow-up that matches it: hyperkalemia, with what to do about the
// drugs on the list that raise potassium; poor kidney function, with the drugs that act on or are
// cleared by the kidneys; hypoglycemia, with the drugs that cause it. One line per problem: a result
// an action speaks for gets no second "urgent" line (lab-summary.ts leaves it out).
//
// The model's own rules of thumb (like its advice on NSAIDs and metformin elsewhere), deliberately
// conservative: hyperkalemia after the UK Kidney Association's 2023 guideline and the ESC 2021
// heart-failure guidelines (≥ 6.5 mmol/L, or ECG changes, is an emergency; ≥ 6.0 needs same-day
// care; above 5.5 halve an ACE inhibitor, ARB or mineralocorticoid antagonist, above 6.0 stop it);
// kidney function after KDIGO 2012 (acute kidney injury) and 2024 (CKD), and the FDA's 2016
// metformin labelling (contraindicated below eGFR 30, not started and at most 1,000 mg a day at
// 30–44); hypoglycemia after the ADA Standards of Care (below 70 mg/dL level 1, below 54 level 2;
// 15–20 g of glucose, recheck in 15 minutes). A blood pressure of 180/120 mmHg or more leads the
// same way (ACC/AHA 2017): with a symptom that may be target-organ damage it is a possible
// hypertensive emergency (the emergency department now); without one it is severe hypertension
// (treat by mouth, gradually, and review within a week). Said in words with no reading ("hypertensive
// crisis", "BP very high with chest pain"), it leads the same way, asking for the reading now.
import { egfrBand, organDamageSymptoms, severeBloodPressure, severeBloodPressureWithoutReading, takenMedications } from './clinical-reasoning.js';
import { creatinineInMgDl } from './kidney-estimate.js';
import type { LabId, LabReading } from './lab-values.js';
import { inReferenceUnit } from './lab-values.js';
import type { DrugRole, PatientFacts, SevereBloodPressureWords, SymptomId } from './patient-facts.js';
import { uncoveredLabel, uncoveredRoles } from './patient-facts.js';
import { symptomLabel } from './patient-facts.js';
import { capitalise, formatBloodPressure, formatCreatinine, formatLab, joinAnd, severeBloodPressureLabel } from './phrasing.js';

/** 'emergency': the emergency department now; 'urgent': same-day care; 'soon': within days. */
export type Urgency = 'emergency' | 'urgent' | 'soon';

export interface LabAction {
  problem: 'potassium' | 'kidney' | 'glucose' | 'blood_pressure';
  /** The recommendation, heading first. */
  text: string;
  /** When to recheck, to match the recommendation. */
  followUp: string;
  urgency: Urgency;
  /** The results this line speaks for: they get no urgent line of their own. */
  covers: readonly LabId[];
  /** Drugs this line stops outright (generic names): another line does not hold and restart them. */
  stops?: readonly string[];
  /**
   * The drugs taken that this line acts on or warns about (generic names): what the medication check
   * says of them matters to the problem, so the answer keeps it when it runs long (answer-writer.ts).
   */
  drugs?: readonly string[];
  /**
   * When it is urgent, the tests it needs now: while it leads the answer these are what it orders,
   * and routine work-up waits until it is under control (answer-writer.ts).
   */
  workUp?: readonly string[];
}

/** Urgent or an emergency: it leads the answer, and routine work-up and drugs wait until it is under control. */
export const leadsUrgently = (action: LabAction): boolean => action.urgency !== 'soon';

// The urgent work-up of each problem: what tells how bad it is and why (the UK Kidney Association's
// hyperkalemia guideline: a repeat on a non-hemolyzed sample, an ECG, kidney function, and glucose
// for insulin-glucose treatment; KDIGO's acute kidney injury: electrolytes, urinalysis, imaging for
// obstruction). Said as lab-reasoning.ts says its own, so an answer orders each test once.
const HYPERKALEMIA_WORK_UP = ['repeat potassium (non-hemolyzed sample)', 'ECG', 'creatinine and electrolytes', 'glucose'];
const KIDNEY_WORK_UP = ['creatinine and electrolytes', 'urinalysis', 'renal tract ultrasound if obstruction is possible'];
const HYPOGLYCEMIA_WORK_UP = ['finger-prick glucose 15 minutes after treatment', 'creatinine and electrolytes'];

export interface ActionContext {
  /** Measured, stated or estimated from creatinine. */
  egfr?: number;
  egfrEstimated?: boolean;
  /** As the clinician gave it, when a bound ("< 30"): `egfr` is then just past it. */
  egfrStated?: string;
  /** The lab tool's critical limits, for a result it called critical ("< 2.5 or > 6.5 mmol/L"). */
  criticalLimits?: (test: LabId) => string | undefined;
}

/** mmol/L. */
const HYPERKALEMIA_FROM = 5.5;
const STOP_FROM = 6.0;
const EMERGENCY_FROM = 6.5;
/** mg/dL (3.9 and 3.0 mmol/L). */
const HYPOGLYCEMIA_BELOW = 70;
const LEVEL_2_BELOW = 54;
/** mL/min/1.73m². */
const SEVERELY_DECREASED_BELOW = 30;
const KIDNEY_FAILURE_BELOW = 15;
const METFORMIN_LIMIT_BELOW = 45;
/** Urea above this (mmol/L; BUN 23 mg/dL) is high whatever the laboratory; from 20 (BUN 56) markedly so. */
const UREA_HIGH = 8;
const UREA_MARKED = 20;
/** Creatinine above which it is raised for anyone (mg/dL): the upper limit for men. */
const CREATININE_RAISED = 1.3;

/** What the model knows the drugs of the reference do (patient-facts.ts gives the uncovered ones theirs). */
const ROLES: Readonly<Record<string, readonly DrugRole[]>> = {
  lisinopril: ['raas'],
  enalapril: ['raas'],
  ramipril: ['raas'],
  losartan: ['raas'],
  valsartan: ['raas'],
  spironolactone: ['raas'],
  eplerenone: ['raas'],
  hydrochlorothiazide: ['diuretic'],
  chlorthalidone: ['diuretic'],
  furosemide: ['diuretic'],
  ibuprofen: ['nsaid'],
  naproxen: ['nsaid'],
  'trimethoprim-sulfamethoxazole': ['k_sparing', 'renal_dose'],
  metformin: ['metformin'],
  glipizide: ['hypoglycemic'],
  insulin: ['hypoglycemic'],
  sitagliptin: ['renal_dose'],
  gabapentin: ['renal_dose'],
  digoxin: ['renal_dose'],
  lithium: ['renal_dose'],
  apixaban: ['renal_dose'],
  rivaroxaban: ['renal_dose'],
  allopurinol: ['renal_dose'],
  tramadol: ['renal_dose'],
  ciprofloxacin: ['renal_dose'],
  fluconazole: ['renal_dose'],
};

/** The action items, most urgent first; none when no result calls for one. */
export function labActions(facts: PatientFacts, context: ActionContext): LabAction[] {
  const potassium = hyperkalemiaAction(facts, context);
  const actions = [potassium, kidneyAction(facts, context, potassium?.stops ?? []), hypoglycemiaAction(facts), bloodPressureAction(facts)].filter((a): a is LabAction => a !== undefined);
  const rank: Record<Urgency, number> = { emergency: 0, urgent: 1, soon: 2 };
  return actions.map((a, i) => ({ a, i })).sort((x, y) => rank[x.a.urgency] - rank[y.a.urgency] || x.i - y.i).map(({ a }) => a);
}

// ---------------------------------------------------------------------------------------------
// Drugs on the list, by role.

interface ListedDrug {
  /** As the answer names it: "lisinopril", "Entresto (sacubitril/valsartan)". */
  label: string;
  /** The combination product it was named by ("Zestoretic"), if any: a fixed dose cannot be halved alone. */
  product?: string;
  generic: string;
}

/** The drugs taken with a role, in order of mention: reference drugs, then those it does not cover. */
function withRole(facts: PatientFacts, roles: readonly DrugRole[]): ListedDrug[] {
  const has = (own: readonly DrugRole[]) => own.some((r) => roles.includes(r));
  const covered = takenMedications(facts)
    .filter((m) => has(ROLES[m] ?? []))
    .map((generic) => {
      const product = facts.combinationProducts.find((p) => p.components.includes(generic))?.name;
      return product ? { label: generic, product, generic } : { label: generic, generic };
    });
  const uncovered = facts.uncoveredMedications.filter((d) => has(uncoveredRoles(d.generic))).map((d) => ({ label: uncoveredLabel(d), generic: d.generic }));
  return [...covered, ...uncovered];
}

/** "valsartan and hydrochlorothiazide (in Exforge HCT) and furosemide": a product's components together. */
function drugNames(drugs: readonly ListedDrug[]): string {
  const parts: string[] = [];
  const done = new Set<string>();
  for (const drug of drugs) {
    if (!drug.product) {
      parts.push(drug.label);
      continue;
    }
    if (done.has(drug.product)) continue;
    done.add(drug.product);
    const components = drugs.filter((d) => d.product === drug.product).map((d) => d.label);
    parts.push(`${joinAnd(components)} (in ${drug.product})`);
  }
  return joinAnd(parts);
}

const them = (drugs: readonly unknown[]) => (drugs.length > 1 ? 'them' : 'it');

// ---------------------------------------------------------------------------------------------
// Hyperkalemia.

function hyperkalemiaAction(facts: PatientFacts, context: ActionContext): LabAction | undefined {
  // "K > 6" counts, "K < 6" does not.
  const reading = facts.labs.find((r) => r.test === 'potassium' && r.comparator !== '<' && r.comparator !== '≤');
  const mmol = reading ? inReferenceUnit(reading)?.value : undefined;
  if (!reading || mmol === undefined || mmol < HYPERKALEMIA_FROM) return undefined;
  const ecg = facts.ecgChanges === true;
  const urgency: Urgency = mmol >= EMERGENCY_FROM || ecg ? 'emergency' : mmol >= STOP_FROM ? 'urgent' : 'soon';
  const blockers = withRole(facts, ['raas']);
  const others = withRole(facts, ['k_sparing', 'k_supplement', 'nsaid']).filter((d) => !blockers.some((b) => b.generic === d.generic));
  const raisers = [...blockers, ...others];
  const proposed = facts.proposedMedications.filter((m) => (ROLES[m] ?? []).some((r) => r === 'raas' || r === 'k_sparing' || r === 'nsaid'));
  const lab = formatLab(reading);
  const limits = context.criticalLimits?.('potassium');

  // In pregnancy an ACE inhibitor or ARB is stopped whatever the potassium.
  const stopAll = urgency !== 'soon' || blockers.length === 0 || facts.pregnant === true;
  const drugSteps: string[] = [];
  if (raisers.length === 0) drugSteps.push('review every drug that raises potassium');
  else if (stopAll) drugSteps.push(`stop ${drugNames(raisers)}`);
  else {
    const loose = blockers.filter((d) => !d.product);
    const fixed = blockers.filter((d) => d.product);
    const halve: string[] = [];
    if (loose.length > 0) halve.push(others.length === 0 && fixed.length === 0 ? `halve ${loose.length > 1 ? 'their doses' : 'its dose'}` : `halve the dose of ${drugNames(loose)}`);
    // A fixed-dose combination cannot halve one of its drugs: the product is what changes.
    for (const product of new Set(fixed.map((d) => d.product))) {
      const inside = joinAnd(fixed.filter((d) => d.product === product).map((d) => d.label));
      halve.push(`review ${product}: a fixed-dose combination cannot halve its ${inside} alone, so switch to separate tablets with half the ${inside} dose`);
    }
    drugSteps.push(`${halve.join('; ')} (stop ${them(blockers)} at ${STOP_FROM.toFixed(1)} mmol/L or more)${others.length > 0 ? `; stop ${drugNames(others)}` : ''}`);
  }
  if (proposed.length > 0) drugSteps.push(`do not start ${joinAnd(proposed)}`);
  drugSteps.push('stop potassium supplements and salt substitutes');
  const why = raisers.length > 0 ? `, and ${drugNames(raisers)} ${raisers.length > 1 ? 'raise' : 'raises'} it` : '';
  const stops = (stopAll ? raisers : others).map((d) => d.generic);
  const pastLimit = limits ? `, and beyond the laboratory's critical limits of ${limits}` : '';
  const drugs = raisers.map((d) => d.generic);
  const action = { problem: 'potassium', urgency, covers: ['potassium'], stops, drugs, ...(urgency === 'soon' ? {} : { workUp: HYPERKALEMIA_WORK_UP }) } as const;

  if (urgency === 'emergency') {
    const severity = mmol >= EMERGENCY_FROM ? `severe hyperkalemia (≥ ${EMERGENCY_FROM.toFixed(1)} mmol/L${pastLimit})` : `hyperkalemia with ECG changes (${mmol >= STOP_FROM ? `${STOP_FROM.toFixed(1)}–6.4` : `${HYPERKALEMIA_FROM}–5.9`} mmol/L${pastLimit})`;
    return {
      ...action,
      text:
        `**Emergency — ${lab}:** ${severity}${ecg && mmol >= EMERGENCY_FROM ? ' with ECG changes' : ''}${why}. ` +
        'Send the patient to the emergency department now for cardiac monitoring, a 12-lead ECG and treatment (IV calcium if the ECG shows changes, insulin with glucose, nebulised salbutamol); do not wait for a repeat sample. ' +
        `Meanwhile ${drugSteps.join('; ')}.`,
      followUp: `Potassium is rechecked 1–2 hours after emergency treatment and until it stays below ${HYPERKALEMIA_FROM} mmol/L; then potassium and creatinine again within 1–3 days, before ${raisers.length > 0 ? `${drugNames(raisers)} ${raisers.length > 1 ? 'are' : 'is'} reviewed for restarting` : 'any drug that raises it is restarted'}.`,
    };
  }
  if (urgency === 'urgent') {
    return {
      ...action,
      text:
        `**Urgent — ${lab}:** moderate hyperkalemia (${STOP_FROM.toFixed(1)}–6.4 mmol/L${pastLimit})${why}: assess today with an ECG — any change (peaked T waves, a wide QRS, an arrhythmia) means the emergency department now. ` +
        `${capitalise(drugSteps.join('; '))}.`,
      followUp: `Recheck potassium and creatinine the same day (on a non-hemolyzed sample) and again within 1–3 days; restart nothing that raises potassium until it is below 5.0 mmol/L and the cause is clear.`,
    };
  }
  const ecgStep = 'get an ECG and repeat potassium and creatinine within a few days, on a non-hemolyzed sample';
  return {
    ...action,
    text: `**Act on the potassium:** ${lab} is hyperkalemia (≥ ${HYPERKALEMIA_FROM} mmol/L)${why}: ${[...drugSteps, ecgStep].join('; ')}.`,
    followUp: 'Repeat potassium and creatinine within 3 days on a non-hemolyzed sample, and a week after any dose change.',
  };
}

// ---------------------------------------------------------------------------------------------
// Blood pressure of 180/120 mmHg or more.

/** What the emergency department does, and what the clinic must not (ACC/AHA 2017). */
const EMERGENCY_ASSESSMENT =
  'send the patient to the emergency department now for assessment (neurological examination, fundoscopy, ECG, troponin, creatinine, urinalysis); if organ damage is confirmed, the pressure is lowered with IV drugs under monitoring, by no more than 25% in the first hour. Do not bring it down fast by mouth in the clinic.';
const AFTER_EMERGENCY = 'After the emergency assessment: if organ damage is ruled out, treat as severe hypertension: start or intensify oral treatment and review within 1 week.';
const ORGAN_DAMAGE_QUESTIONS = 'headache, chest pain, breathlessness, visual change, confusion or weakness';

function bloodPressureAction(facts: PatientFacts): LabAction | undefined {
  const bp = severeBloodPressure(facts);
  if (!bp) {
    const words = severeBloodPressureWithoutReading(facts);
    return words ? bloodPressureInWordsAction(words, organDamageSymptoms(facts)) : undefined;
  }
  const reading = `blood pressure ${formatBloodPressure(bp)}`;
  const symptoms = organDamageSymptoms(facts);
  if (symptoms.length > 0) {
    return {
      problem: 'blood_pressure',
      urgency: 'emergency',
      covers: [],
      text:
        `**Emergency — ${reading} with ${joinAnd(symptoms.map(symptomLabel))}:** possible hypertensive emergency (≥ 180/120 mmHg with a symptom that may be target-organ damage). ` +
        capitalise(EMERGENCY_ASSESSMENT),
      followUp: AFTER_EMERGENCY,
    };
  }
  // Without symptoms, severe but not an emergency: ACC/AHA advise oral treatment, not the emergency department or rapid lowering.
  return {
    problem: 'blood_pressure',
    urgency: 'soon',
    covers: [],
    text:
      `**Severe hypertension — ${reading} (≥ 180/120 mmHg):** repeat it after 5 minutes' rest and ask today about ${ORGAN_DAMAGE_QUESTIONS}: any of them makes it a possible hypertensive emergency (the emergency department now). ` +
      'Without them, start or intensify oral treatment now and lower it gradually over days, not hours.',
    followUp: 'Recheck blood pressure within 1 week of starting or changing treatment, and the same day if any of those symptoms appears.',
  };
}

/**
 * A severe blood pressure said in words with no reading: the same guidance as for a reading of
 * 180/120 mmHg or more, starting with the reading. A symptom that may be target-organ damage, or
 * "hypertensive emergency" itself, is a possible emergency: the emergency department now, without
 * waiting on a reading that cannot be taken at once. A crisis or urgency named is measured and
 * assessed now; "very high" alone leads too, but routine advice may follow it.
 */
function bloodPressureInWordsAction(words: SevereBloodPressureWords, symptoms: readonly SymptomId[]): LabAction {
  const said = severeBloodPressureLabel(words);
  const named = symptoms.map(symptomLabel);
  if (symptoms.length > 0 || words === 'emergency') {
    const why = symptoms.length > 0 ? 'a symptom that may be target-organ damage' : `new target-organ damage: ask about ${ORGAN_DAMAGE_QUESTIONS}`;
    const stillNeeds = symptoms.length > 0 ? ` Below 180/120 mmHg, the ${joinAnd(named)} still ${symptoms.length > 1 ? 'need' : 'needs'} assessment today.` : '';
    return {
      problem: 'blood_pressure',
      urgency: 'emergency',
      covers: [],
      text:
        `**Emergency — ${said}${symptoms.length > 0 ? ` with ${joinAnd(named)}` : ''}, no reading given:** possible hypertensive emergency (≥ 180/120 mmHg with ${why}). ` +
        `Measure the blood pressure now: at 180/120 mmHg or more, or if it cannot be measured at once, ${EMERGENCY_ASSESSMENT}${stillNeeds}`,
      followUp: AFTER_EMERGENCY,
    };
  }
  return {
    problem: 'blood_pressure',
    urgency: words === 'very_high' ? 'soon' : 'urgent',
    covers: [],
    text:
      `**${words === 'very_high' ? capitalise(said) : `Urgent — ${said}`}, no reading given:** measure the blood pressure now, after 5 minutes' rest, and ask about ${ORGAN_DAMAGE_QUESTIONS}. ` +
      'At 180/120 mmHg or more, any of them makes it a possible hypertensive emergency (the emergency department now); without them it is severe hypertension: start or intensify oral treatment and lower it gradually over days, not hours. ' +
      'Below 180/120 mmHg, treat it by its stage.',
    followUp: 'Act on the reading today; at 180/120 mmHg or more, recheck within 1 week of starting or changing treatment, and send the patient to the emergency department at once if any of those symptoms appears.',
  };
}

// ---------------------------------------------------------------------------------------------
// Kidney function.

function kidneyAction(facts: PatientFacts, context: ActionContext, stopped: readonly string[]): LabAction | undefined {
  const egfr = context.egfr;
  const urea = ureaOf(facts.labs);
  const creatinine = facts.serumCreatinine;
  const creatinineMgDl = creatinine ? creatinineInMgDl(creatinine) : undefined;
  const creatinineRaised = (creatinineMgDl !== undefined && creatinineMgDl > CREATININE_RAISED) || (egfr !== undefined && egfr < 60);
  const ureaHigh = urea !== undefined && urea.mmol > UREA_HIGH && creatinineRaised;
  const metformin = withRole(facts, ['metformin']);
  // A drug the potassium line already stops is not held and restarted here.
  const nsaids = withRole(facts, ['nsaid']).filter((d) => !stopped.includes(d.generic));
  const low = egfr !== undefined && egfr < SEVERELY_DECREASED_BELOW;
  const limitsDrugs = egfr !== undefined && egfr < METFORMIN_LIMIT_BELOW && (metformin.length > 0 || nsaids.length > 0);
  if (!low && !ureaHigh && !limitsDrugs) return undefined;

  const knownCkd = facts.conditions.includes('chronic_kidney_disease');
  const markedUrea = urea !== undefined && urea.mmol >= UREA_MARKED;
  const urgent = (egfr !== undefined && egfr < KIDNEY_FAILURE_BELOW) || (low && !knownCkd) || (ureaHigh && markedUrea);
  const what: string[] = [];
  if (egfr !== undefined) {
    const basis = context.egfrEstimated && creatinine ? `estimated from creatinine ${formatCreatinine(creatinine)}; ` : '';
    what.push(context.egfrStated ? `eGFR ${context.egfrStated} mL/min/1.73m²` : `eGFR ${egfr} mL/min/1.73m² (${basis}${egfrBand(egfr)})`);
  } else if (creatinine) {
    what.push(`creatinine ${formatCreatinine(creatinine)}`);
  }
  if (urea && urea.mmol > UREA_HIGH) what.push(formatLab(urea.reading));

  const steps: string[] = [];
  // Every drug a step names: their medication-check detail matters to this line.
  const named: ListedDrug[] = [];
  const assess = urgent ? 'assess today' : 'assess within 2–3 days';
  if (low || ureaHigh) {
    steps.push(
      knownCkd
        ? `compare with previous creatinine results: a fall from the known baseline is acute kidney injury on CKD: ${assess} (volume status, urine output, urinary retention, infection)`
        : `acute kidney injury or known chronic kidney disease? Compare with previous creatinine results; with no baseline, or a rise, treat it as acute kidney injury and ${assess} (volume status, urine output, urinary retention, infection)`,
    );
  } else if (!knownCkd) {
    steps.push('compare with previous creatinine results to tell a new fall (acute kidney injury) from chronic kidney disease');
  }
  // In pregnancy an ACE inhibitor or ARB is stopped for good, not held and restarted.
  const stopForPregnancy = facts.pregnant === true ? withRole(facts, ['raas']).filter((d) => !stopped.includes(d.generic)) : [];
  if (stopForPregnancy.length > 0) steps.push(`stop ${drugNames(stopForPregnancy)}: contraindicated in pregnancy`);
  named.push(...stopForPregnancy);
  const actOnKidney = withRole(facts, ['raas', 'diuretic', 'k_sparing']).filter((d) => !stopped.includes(d.generic) && !stopForPregnancy.some((x) => x.generic === d.generic));
  if (actOnKidney.length > 0) {
    named.push(...actOnKidney);
    steps.push(
      low || ureaHigh
        ? `hold ${drugNames(actOnKidney)} while the patient is dehydrated or acutely unwell, or if acute kidney injury is confirmed, and restart once creatinine is back to baseline`
        : `check potassium and creatinine on ${drugNames(actOnKidney)}, and hold ${them(actOnKidney)} during a dehydrating illness (sick-day rules)`,
    );
  }
  if (nsaids.length > 0) steps.push(`stop ${drugNames(nsaids)} (NSAIDs harm the kidneys)`);
  named.push(...nsaids);
  if (metformin.length > 0 && egfr !== undefined && egfr < METFORMIN_LIMIT_BELOW) named.push(...metformin);
  if (metformin.length > 0 && egfr !== undefined) {
    if (egfr < SEVERELY_DECREASED_BELOW) steps.push(`stop ${drugNames(metformin)}: metformin is contraindicated below eGFR 30`);
    else if (egfr < METFORMIN_LIMIT_BELOW) {
      const dose = facts.dailyDoses.find((d) => d.drug === 'metformin')?.mgPerDay;
      steps.push(
        dose !== undefined && dose > 1000
          ? `reduce ${drugNames(metformin)} from the stated ${dose.toLocaleString('en-US')} mg a day to at most 1,000 mg a day, the limit at eGFR 30–44`
          : `keep ${drugNames(metformin)} at 1,000 mg a day or less, the limit at eGFR 30–44 (do not start it at this eGFR)`,
      );
    }
  }
  if (low || ureaHigh || limitsDrugs) {
    const cleared = withRole(facts, ['renal_dose']).filter((d) => !metformin.some((m) => m.generic === d.generic));
    if (cleared.length > 0) steps.push(`check the dose of ${drugNames(cleared)} against this eGFR (cleared by the kidneys)`);
    const lowering = withRole(facts, ['hypoglycemic']);
    if (lowering.length > 0) steps.push(`watch for hypoglycemia on ${drugNames(lowering)}, likelier as kidney function falls`);
    named.push(...cleared, ...lowering);
  }

  const heading = urgent ? '**Urgent — kidney function:**' : '**Act on the kidney function:**';
  return {
    problem: 'kidney',
    urgency: urgent ? 'urgent' : 'soon',
    covers: urea ? [urea.reading.test] : [],
    drugs: [...new Set(named.map((d) => d.generic))],
    ...(urgent ? { workUp: KIDNEY_WORK_UP } : {}),
    text: `${heading} ${joinAnd(what)}: ${steps.join('; ')}.`,
    followUp: urgent
      ? 'Recheck creatinine, urea and electrolytes within 24–48 hours and compare with earlier results; refer to nephrology if eGFR stays below 30 (at once if below 15 or still falling).'
      : low || ureaHigh
        ? 'Recheck creatinine, urea and electrolytes within 2–3 days and compare with earlier results; refer to nephrology if eGFR stays below 30.'
        : 'Recheck creatinine and electrolytes within 1 week (and 1–2 weeks after any dose change) and compare with earlier results.',
  };
}

/** Urea or BUN as urea in mmol/L (the same number as BUN in mmol/L; BUN mg/dL ÷ 2.801). */
function ureaOf(labs: readonly LabReading[]): { reading: LabReading; mmol: number } | undefined {
  for (const reading of labs) {
    if ((reading.test !== 'urea' && reading.test !== 'bun') || reading.comparator === '<' || reading.comparator === '≤') continue;
    const reference = inReferenceUnit(reading);
    if (!reference) continue;
    return { reading, mmol: reading.test === 'urea' ? reference.value : reference.value / 2.801 };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Hypoglycemia.

function hypoglycemiaAction(facts: PatientFacts): LabAction | undefined {
  const reading = facts.labs.find((r) => (r.test === 'glucose' || r.test === 'random_glucose' || r.test === 'fasting_glucose') && r.comparator !== '>' && r.comparator !== '≥');
  const mgDl = reading ? inReferenceUnit(reading)?.value : undefined;
  if (!reading || mgDl === undefined || mgDl >= HYPOGLYCEMIA_BELOW) return undefined;
  const level2 = mgDl < LEVEL_2_BELOW;
  const causes = withRole(facts, ['hypoglycemic']);
  const lab = `${formatLab(reading)}${reading.unit === 'mmol/L' || (reading.unit === undefined && mgDl !== reading.value) ? ` (≈ ${Math.round(mgDl)} mg/dL)` : ''}`;
  const band = level2 ? 'level 2 hypoglycemia (< 3.0 mmol/L, 54 mg/dL)' : 'level 1 hypoglycemia (< 3.9 mmol/L, 70 mg/dL)';
  const treat = level2
    ? 'treat now: 15–20 g of fast-acting glucose by mouth (glucagon or IV glucose if the patient cannot swallow safely), recheck in 15 minutes and repeat until above 3.9 mmol/L (70 mg/dL), then a meal; emergency care if it does not recover'
    : 'if the patient has symptoms or it is still low on a finger-prick check, give 15–20 g of fast-acting glucose and recheck in 15 minutes';
  // Insulin is reduced, never simply stopped (in type 1 diabetes that means ketoacidosis); a sulfonylurea may be.
  const insulins = causes.filter((d) => d.generic.startsWith('insulin'));
  const others = causes.filter((d) => !insulins.includes(d));
  const alone = causes.length === 1;
  const steps = [
    ...(insulins.length > 0 ? [`reduce ${alone ? 'its' : `the ${drugNames(insulins)}`} dose, without stopping it outright`] : []),
    ...(others.length > 0 ? [`reduce or stop ${alone ? 'it' : drugNames(others)}`] : []),
  ];
  const drugs =
    causes.length > 0
      ? `${drugNames(causes)} ${alone ? 'is' : 'are'} the likely cause: ${steps.join(', and ')}`
      : 'with no insulin or sulfonylurea on the list, look for the cause (alcohol, kidney or liver failure, adrenal insufficiency, insulinoma)';
  return {
    problem: 'glucose',
    urgency: level2 ? 'urgent' : 'soon',
    covers: [reading.test],
    drugs: causes.map((d) => d.generic),
    ...(level2 ? { workUp: HYPOGLYCEMIA_WORK_UP } : {}),
    text: `${level2 ? `**Urgent — ${lab}:**` : `**Act on the low glucose:** ${lab} is`} ${band}: ${treat}; ${drugs}.`,
    followUp: causes.length > 0
      ? `Check glucose again 15 minutes after treatment, and review ${drugNames(causes)} and how hypoglycemia is recognised within a week.`
      : 'Check glucose again 15 minutes after treatment, and repeat a laboratory glucose with the work-up for its cause within a week.',
  };
}
