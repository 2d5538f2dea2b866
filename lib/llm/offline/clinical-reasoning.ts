// The offline model's clinical "knowledge": a small hand-written table from symptom patterns and
// measured findings to conditions worth evaluating, the tests that confirm them and first-line
// options. Our own wording, deliberately conservative; it exists so the offline model gives
// answers with the shape and grounding of a real one, not to replace clinical judgement.
import { estimateEgfr } from './kidney-estimate.js';
import { diagnosticEvidence, labEvidence } from './lab-reasoning.js';
import type { LabId } from './lab-values.js';
import { inReferenceUnit, labsNamedIn } from './lab-values.js';
import type { Allergens, BloodPressure, ConditionId, PatientFacts, SevereBloodPressureWords, SymptomId } from './patient-facts.js';
import { allergensOf, egfrForThresholds, heightInCm, isAllergen, round, statedEgfr, symptomLabel, weightInKg } from './patient-facts.js';
import { formatBloodPressure, severeBloodPressureLabel } from './phrasing.js';

export type ProfileId = ConditionId | 'acute_coronary_syndrome' | 'hypertensive_emergency';

export interface ConditionProfile {
  id: ProfileId;
  name: string;
  /**
   * 'differential': a diagnosis the symptoms suggest and tests must confirm.
   * 'finding': something a measurement already shows (BMI, blood pressure) that needs managing.
   */
  kind: 'differential' | 'finding';
  /** How strongly each symptom points here. */
  symptomWeights: Partial<Record<SymptomId, number>>;
  /**
   * Measured or demographic findings that add weight, each with the reason shown to the reader.
   * Lab results add theirs from the band table in lab-reasoning.ts (a normal result can subtract).
   */
  findings: ReadonlyArray<(f: ClinicalFindings) => Evidence | undefined>;
  tests: readonly string[];
  /** Tests that depend on the patient (a pregnancy test before an antithyroid drug), after `tests`. */
  testsFor?: (facts: PatientFacts) => readonly string[];
  treatments: readonly string[];
  /**
   * The treatments for this patient, when they depend on the patient: no weight-loss target while
   * weight is falling unintentionally, metformin not offered as new to someone taking it, no drug
   * the patient is allergic to. Undefined: `treatments`.
   */
  treatmentsFor?: (f: ClinicalFindings) => readonly string[] | undefined;
  /**
   * Why the diagnosis is already met by what was given (a random glucose ≥ 200 mg/dL with classic
   * symptoms; low TSH with high free T4), so the answer does not say "if confirmed".
   */
  criterionMet?: (f: ClinicalFindings) => string | undefined;
  /** The name once the criterion is met ("Diabetes" rather than "Type 2 diabetes or prediabetes"). */
  metName?: string;
  /** The follow-up once the criterion is met, when `followUp` is about confirming it. */
  metFollowUp?: string;
  /**
   * One result already in the diagnostic range that a second must confirm (ADA: a single HbA1c
   * ≥ 6.5% without classic symptoms): the answer names what is missing, not a vague "if confirmed".
   */
  awaitsSecondResult?: (f: ClinicalFindings) => boolean;
  /** The name while a second result is awaited. */
  secondResultName?: string;
  /** The follow-up while a second result is awaited. */
  secondResultFollowUp?: string;
  /** In pregnancy, when the usual treatments do not apply. */
  treatmentsInPregnancy?: readonly string[];
  /** One follow-up instruction specific to this condition. */
  followUp: string;
  /** Words for the knowledge-base search. */
  searchTerms: string;
  /** The drug the model would check first if this is confirmed (a generic name the medication tool knows). */
  firstLineDrug?: string;
  /** Checked in its place, first one the patient is not allergic to, when the patient is allergic to it. */
  firstLineAlternatives?: readonly string[];
  /**
   * For a woman who could be pregnant and has not said: the drug to check in place of a first-line
   * drug that is contraindicated in pregnancy (an ACE inhibitor), so the first suggestion is safe to start.
   */
  firstLineDrugUntilPregnancyExcluded?: string;
  /** In pregnancy: another drug to check instead, or null when no covered drug is a first choice. */
  firstLineDrugInPregnancy?: string | null;
  /** Needs same-day attention: the answer says so first. */
  redFlag?: string;
}

export interface ClinicalFindings {
  facts: PatientFacts;
  /** From the metrics tool when it ran; otherwise estimated from height and weight. */
  bmi?: number;
  /** From the metrics tool, stated in the text, or estimated from a stated creatinine. */
  egfr?: number;
  /** The eGFR is the model's own CKD-EPI 2021 estimate from the stated creatinine. */
  egfrEstimated?: boolean;
  /** As the clinician gave it, when that was a bound ("< 30"): `egfr` is then just past the bound. */
  egfrStated?: string;
}

export interface Evidence {
  score: number;
  reason: string;
}

export interface RankedCondition {
  profile: ConditionProfile;
  score: number;
  reasons: string[];
}

/** Below this a condition is not worth a clinician's time on the information given. */
const MIN_SCORE = 1;

const bmiAtLeast = (threshold: number, score: number) => (f: ClinicalFindings): Evidence | undefined =>
  f.bmi !== undefined && f.bmi >= threshold ? { score, reason: `BMI ${f.bmi} (≥ ${threshold})` } : undefined;

const ageAtLeast = (threshold: number, score: number) => (f: ClinicalFindings): Evidence | undefined =>
  f.facts.age !== undefined && f.facts.age >= threshold ? { score, reason: `age ${f.facts.age} (≥ ${threshold})` } : undefined;

const elevatedBloodPressure = (score: number) => (f: ClinicalFindings): Evidence | undefined => {
  const bp = judgedBloodPressure(f.facts.bloodPressure);
  return bp && (bp.systolic >= 130 || bp.diastolic >= 80) ? { score, reason: `blood pressure ${formatBloodPressure(bp)}` } : undefined;
};

/**
 * A blood pressure thresholds can judge: a reading, or a lower bound ("over 180/120" is at least
 * that). Not an upper bound: "below 140/90" may be anything under it.
 */
export function judgedBloodPressure(bp: BloodPressure | undefined): BloodPressure | undefined {
  return bp && bp.comparator !== '<' && bp.comparator !== '≤' ? bp : undefined;
}

/** "Stage 1 hypertension range by ACC/AHA thresholds"; for a bound, what it allows ("below 130/80": at goal). */
export function bloodPressureFinding(bp: BloodPressure): string {
  const step = bp.comparator === '<' ? -1 : bp.comparator === '>' ? 1 : 0;
  const category = bloodPressureCategory({ systolic: bp.systolic + step, diastolic: bp.diastolic + step });
  if (bp.comparator === '<' || bp.comparator === '≤') {
    return category === 'Normal' || category === 'Elevated'
      ? 'below the hypertension range, at the usual treatment goal (< 130/80 mmHg)'
      : `at most the ${category} range by ACC/AHA thresholds`;
  }
  const orHigher = bp.comparator && category !== 'Hypertensive crisis' ? ' or higher' : '';
  return `${category} range${orHigher} by ACC/AHA thresholds`;
}

/** ACC/AHA: from 180/120 mmHg a reading is severe; with new target-organ damage it is a hypertensive emergency. */
export const SEVERE_SYSTOLIC = 180;
export const SEVERE_DIASTOLIC = 120;

/** Symptoms that may be target-organ damage (brain, eyes, heart, lungs) when the pressure is that high. */
const ORGAN_DAMAGE_SYMPTOMS: readonly SymptomId[] = ['headache', 'chest_pain', 'shortness_of_breath', 'visual_change', 'blurred_vision', 'confusion', 'focal_weakness'];

/** A reading (or lower bound) of 180/120 mmHg or more. */
export function severeBloodPressure(facts: PatientFacts): BloodPressure | undefined {
  const bp = judgedBloodPressure(facts.bloodPressure);
  return bp && (bp.systolic >= SEVERE_SYSTOLIC || bp.diastolic >= SEVERE_DIASTOLIC) ? bp : undefined;
}

/**
 * A severe blood pressure said in words ("hypertensive crisis", "BP very high") with no reading given:
 * it is acted on as one of 180/120 mmHg or more until the reading, taken now, says otherwise.
 */
export function severeBloodPressureWithoutReading(facts: PatientFacts): SevereBloodPressureWords | undefined {
  return facts.bloodPressure === undefined ? facts.severeBloodPressureWords : undefined;
}

/**
 * With a severe reading, or a severe pressure said in words without one, the symptoms that may be
 * target-organ damage: any one makes it a possible emergency.
 */
export function organDamageSymptoms(facts: PatientFacts): SymptomId[] {
  return severeBloodPressure(facts) || severeBloodPressureWithoutReading(facts) ? facts.symptoms.filter((s) => ORGAN_DAMAGE_SYMPTOMS.includes(s)) : [];
}

/**
 * A hypertensive crisis, emergency or urgency named with a reading under 180/120 mmHg: the reading
 * decides, and the answer says it is under the threshold and to repeat it. ("Very high" is no
 * threshold, and a bound is no reading.)
 */
export function crisisNamedBelowThreshold(facts: PatientFacts): { words: SevereBloodPressureWords; bp: BloodPressure } | undefined {
  const { severeBloodPressureWords: words, bloodPressure: bp } = facts;
  if (!words || words === 'very_high' || !bp || bp.comparator || severeBloodPressure(facts)) return undefined;
  return { words, bp };
}

/** "hypertensive crisis (no reading given)": a severe pressure said in words, as the answer names it. */
const namedWithoutReading = (words: SevereBloodPressureWords): string => `${severeBloodPressureLabel(words)} (no reading given)`;

const mentioned = (id: ConditionId, score: number) => (f: ClinicalFindings): Evidence | undefined =>
  f.facts.conditions.includes(id) ? { score, reason: 'already mentioned in the history' } : undefined;

/** Drugs taken, not only asked about. */
export const takenMedications = (facts: PatientFacts): string[] => facts.medications.filter((m) => !facts.proposedMedications.includes(m));

/** A woman who could be pregnant and has not said whether she is. */
export const couldBePregnant = (facts: PatientFacts): boolean =>
  facts.sex === 'female' && facts.pregnant === undefined && (facts.age === undefined || (facts.age >= 12 && facts.age <= 55));

/** The value of a result in its test's reference unit, or its level in words ("high"). */
function resultOf(facts: PatientFacts, test: LabId): { value?: number; level?: 'low' | 'high' } | undefined {
  const reading = facts.labs.find((r) => r.test === test);
  if (!reading) return undefined;
  if (reading.value === undefined) return reading.level ? { level: reading.level } : {};
  const value = inReferenceUnit(reading)?.value;
  if (value === undefined) return {};
  // A result past a bound counts only on the side it is past: "TSH < 0.01" is low, never high.
  if (reading.comparator === '<' || reading.comparator === '≤') return { value, level: 'low' };
  if (reading.comparator === '>' || reading.comparator === '≥') return { value, level: 'high' };
  return { value };
}

const isLow = (r: { value?: number; level?: string } | undefined, below: number) => r !== undefined && (r.level === 'low' || (r.level === undefined && r.value !== undefined && r.value < below));
const isHigh = (r: { value?: number; level?: string } | undefined, above: number) => r !== undefined && (r.level === 'high' || (r.level === undefined && r.value !== undefined && r.value > above));

// Metformin by kidney function (FDA 2016 labelling): contraindicated below eGFR 30, not started and at most 1,000 mg a day at 30–44.
const METFORMIN_ADVICE = {
  taken: {
    below30: 'stop the metformin already taken: it is contraindicated below eGFR 30',
    below45: 'already on metformin: at eGFR 30–44 keep it at 1,000 mg a day or less',
    usual: 'already on metformin: check adherence, tolerance and dose (up to 2,000 mg a day) before adding a second drug',
  },
  new: {
    below30: 'metformin is contraindicated at this eGFR (below 30)',
    below45: 'do not start metformin at eGFR 30–44',
    usual: 'metformin is the first-line drug when HbA1c is ≥ 6.5% (avoid if eGFR < 30)',
  },
} as const;

function diabetesTreatments(f: ClinicalFindings): string[] {
  const facts = f.facts;
  const taken = takenMedications(facts);
  const losingWeight = facts.symptoms.includes('weight_loss');
  const onMetformin = taken.includes('metformin') || facts.uncoveredMedications.some((d) => d.generic === 'glyburide/metformin');
  const egfr = f.egfr;
  const lifestyle = losingWeight
    ? 'nutrition therapy and regular activity, with no weight-loss target while weight is falling unintentionally: check for ketones, and think of type 1 diabetes or LADA (GAD antibodies) if ketones are present, the patient is lean or the weight loss is rapid'
    : 'lifestyle first (nutrition therapy, 150 minutes a week of moderate activity, 5–10% weight loss)';
  const band = egfr === undefined || egfr >= 45 ? 'usual' : egfr < 30 ? 'below30' : 'below45';
  const metformin = !onMetformin && isAllergen(allergensOf(facts.allergies), 'metformin')
    ? 'no metformin (allergy reported): another drug first, chosen by cardiovascular and kidney disease, weight and cost'
    : METFORMIN_ADVICE[onMetformin ? 'taken' : 'new'][band];
  const onDpp4 = taken.includes('sitagliptin');
  const add = `add a GLP-1 receptor agonist${onDpp4 ? ' (in place of sitagliptin, not with it)' : ''} or SGLT2 inhibitor when cardiovascular or kidney disease is present${losingWeight ? '' : ' or weight loss is a priority'}`;
  return [lifestyle, metformin, add];
}

function diabetesCriterion(f: ClinicalFindings): string | undefined {
  if (diagnosticEvidence('type_2_diabetes', f.facts).length > 0) return 'ADA diagnostic criterion met';
  const a1c = resultOf(f.facts, 'hba1c');
  const fasting = resultOf(f.facts, 'fasting_glucose');
  if (a1c?.value !== undefined && a1c.value >= 6.5 && a1c.level !== 'low' && fasting?.value !== undefined && fasting.value >= 126 && fasting.level !== 'low') {
    return 'HbA1c and fasting glucose both in the diabetes range';
  }
  return undefined;
}

/**
 * ADA: without classic symptoms one HbA1c ≥ 6.5% or fasting glucose ≥ 126 mg/dL is not yet a
 * diagnosis; a second abnormal result is. (A random glucose without symptoms is no criterion at all.)
 */
function diabetesAwaitsSecondResult(f: ClinicalFindings): boolean {
  const known = f.facts.conditions.includes('type_2_diabetes') || f.facts.conditions.includes('type_1_diabetes');
  if (known || diabetesCriterion(f) !== undefined) return false;
  const a1c = resultOf(f.facts, 'hba1c');
  const fasting = resultOf(f.facts, 'fasting_glucose');
  return (a1c?.value !== undefined && a1c.value >= 6.5 && a1c.level !== 'low') || (fasting?.value !== undefined && fasting.value >= 126 && fasting.level !== 'low');
}

const female = (score: number, maxAge = 200) => (f: ClinicalFindings): Evidence | undefined =>
  f.facts.sex === 'female' && (f.facts.age ?? 0) <= maxAge ? { score, reason: 'female sex' } : undefined;

export const CONDITION_PROFILES: readonly ConditionProfile[] = [
  {
    id: 'acute_coronary_syndrome',
    name: 'Acute coronary syndrome or angina',
    kind: 'differential',
    symptomWeights: { chest_pain: 3, shortness_of_breath: 0.5 },
    findings: [mentioned('coronary_artery_disease', 1)],
    tests: ['ECG', 'high-sensitivity troponin'],
    treatments: ['Same-day assessment for new or rest chest pain; aspirin, a statin and anti-anginal therapy once coronary disease is confirmed'],
    treatmentsFor: (f) => {
      const allergens = allergensOf(f.facts.allergies);
      const antiplatelet = isAllergen(allergens, 'aspirin') || allergens.classes.has('nsaid') ? 'clopidogrel in place of aspirin (allergy reported)' : 'aspirin';
      const statin = allergens.classes.has('statin') ? 'lipid-lowering therapy other than a statin (allergy reported)' : 'a statin';
      return [`Same-day assessment for new or rest chest pain; ${antiplatelet}, ${statin} and anti-anginal therapy once coronary disease is confirmed`];
    },    followUp: 'Chest pain at rest or lasting over 15 minutes needs emergency care (call emergency services).',
    searchTerms: 'chest pain angina coronary artery disease',
    firstLineDrug: 'aspirin',
    firstLineAlternatives: ['clopidogrel'],
    redFlag: 'Chest pain comes first: it needs a same-day ECG and troponin before any outpatient work-up.',
  },
  {
    id: 'hypertensive_emergency',
    name: 'Possible hypertensive emergency',
    kind: 'differential',
    symptomWeights: {},
    // Outranks every other differential: it is acted on first (lab-actions.ts), the rest can wait.
    findings: [
      (f) => {
        const symptoms = organDamageSymptoms(f.facts);
        const bp = severeBloodPressure(f.facts);
        const words = severeBloodPressureWithoutReading(f.facts);
        const said = bp ? `blood pressure ${formatBloodPressure(bp)}` : words ? namedWithoutReading(words) : undefined;
        if (!said) return undefined;
        if (symptoms.length > 0) return { score: 10, reason: `${said} with ${symptoms.map(symptomLabel).join(', ')} (possible target-organ damage)` };
        // A crisis, emergency or urgency named is a possible emergency until the reading and examination say
        // otherwise; "very high" alone is not, nor a severe reading without symptoms (severe hypertension).
        return words && words !== 'very_high' ? { score: 10, reason: said } : undefined;
      },
    ],
    tests: ['ECG', 'high-sensitivity troponin', 'creatinine and electrolytes', 'urinalysis', 'fundoscopy'],
    treatments: ['Emergency department assessment; IV blood-pressure lowering under monitoring if target-organ damage is confirmed'],
    followUp: 'If target-organ damage is ruled out, treat as severe hypertension: start or intensify oral treatment and review within 1 week.',
    searchTerms: 'hypertensive emergency target organ damage',
  },
  {
    id: 'type_2_diabetes',
    name: 'Type 2 diabetes or prediabetes',
    kind: 'differential',
    symptomWeights: { polydipsia: 2, polyuria: 2, fatigue: 1, blurred_vision: 1, weight_loss: 1, frequent_infections: 1, numbness: 0.5 },
    findings: [bmiAtLeast(25, 1), ageAtLeast(35, 0.5), mentioned('type_2_diabetes', 3), mentioned('prediabetes', 3), mentioned('pcos', 0.5)],
    tests: ['HbA1c', 'fasting plasma glucose'],
    treatments: [
      'lifestyle first (nutrition therapy, 150 minutes a week of moderate activity, 5–10% weight loss)',
      'metformin is the first-line drug when HbA1c is ≥ 6.5% (avoid if eGFR < 30)',
      'add a GLP-1 receptor agonist or SGLT2 inhibitor when cardiovascular or kidney disease is present or weight loss is a priority',
    ],
    treatmentsFor: diabetesTreatments,
    criterionMet: diabetesCriterion,
    metName: 'Diabetes',
    awaitsSecondResult: diabetesAwaitsSecondResult,
    secondResultName: 'Diabetes (a second abnormal result confirms it)',
    secondResultFollowUp: 'Confirm with a second abnormal result (HbA1c ≥ 6.5% or fasting glucose ≥ 126 mg/dL): ADA needs two, unless there are classic symptoms (thirst, polyuria, weight loss), when one is enough.',
    metFollowUp: 'Recheck HbA1c 3 months after starting or changing treatment; check ketones the same day if the patient is unwell, vomiting or losing weight fast.',
    followUp: 'HbA1c ≥ 6.5% (confirmed) means diabetes; 5.7–6.4% is prediabetes: lifestyle programme and yearly retesting.',
    searchTerms: 'type 2 diabetes hyperglycemia HbA1c metformin',
    firstLineDrug: 'metformin',
    firstLineDrugInPregnancy: 'insulin glargine',
  },
  {
    id: 'hypothyroidism',
    name: 'Hypothyroidism',
    kind: 'differential',
    symptomWeights: { fatigue: 1, weight_gain: 2, cold_intolerance: 2, constipation: 1, dry_skin: 1, hair_loss: 1, low_mood: 0.5 },
    findings: [female(0.5), mentioned('hypothyroidism', 3)],
    tests: ['TSH (free T4 if abnormal)'],
    treatments: ['levothyroxine when TSH is raised with a low free T4 (about 1.6 mcg/kg/day; start lower if older or cardiac disease)'],
    criterionMet: (f) => (isHigh(resultOf(f.facts, 'tsh'), 4.5) && isLow(resultOf(f.facts, 'free_t4'), 0.8) ? 'overt: raised TSH with a low free T4' : undefined),
    followUp: 'If levothyroxine is started, recheck TSH 6–8 weeks later.',
    searchTerms: 'hypothyroidism fatigue TSH levothyroxine',
    firstLineDrug: 'levothyroxine',
  },
  {
    id: 'anemia',
    name: 'Anemia',
    kind: 'differential',
    symptomWeights: { fatigue: 1, pallor: 2, shortness_of_breath: 1, dizziness: 1, palpitations: 1 },
    findings: [female(0.5, 50), mentioned('anemia', 3)],
    tests: ['CBC', 'ferritin'],
    treatments: ['treat the cause: oral iron for iron deficiency (and look for blood loss), B12 or folate if deficient'],
    followUp: 'If iron deficient, repeat the CBC after 4–8 weeks of iron.',
    searchTerms: 'anemia fatigue iron deficiency CBC',
    firstLineDrug: 'ferrous sulfate',
  },
  {
    id: 'chronic_kidney_disease',
    name: 'Chronic kidney disease',
    kind: 'differential',
    symptomWeights: { edema: 1.5, fatigue: 0.5, polyuria: 0.5, polydipsia: 0.5, nausea: 0.5 },
    findings: [
      (f) => (f.egfr !== undefined && f.egfr < 60 ? { score: 3, reason: `eGFR ${f.egfrStated ?? f.egfr}${f.egfrEstimated ? ', estimated from creatinine' : ''}${f.egfrStated ? '' : ` (${egfrBand(f.egfr)})`}` } : undefined),
      (f) => (f.facts.symptoms.includes('polydipsia') || f.facts.symptoms.includes('polyuria') || f.facts.conditions.includes('type_2_diabetes')
        ? { score: 0.5, reason: 'possible diabetes, the commonest cause of CKD' }
        : undefined),
      elevatedBloodPressure(0.5),
      mentioned('chronic_kidney_disease', 3),
    ],
    tests: ['basic metabolic panel (creatinine, eGFR)', 'urine albumin-to-creatinine ratio'],
    treatments: ['control BP and glucose, an ACE inhibitor or ARB if albuminuria, an SGLT2 inhibitor for kidney protection, avoid NSAIDs, dose drugs to eGFR'],
    treatmentsFor: (f) => {
      const raas = raasBlocker(allergensOf(f.facts.allergies));
      if (!raas.avoid) return undefined;
      const forAlbuminuria = [raas.option, raas.cautious, raas.avoid].filter((part) => part !== undefined).join('; ');
      return [`control BP and glucose, an SGLT2 inhibitor for kidney protection, avoid NSAIDs, dose drugs to eGFR; for albuminuria: ${forAlbuminuria}`];
    },    followUp: 'An eGFR below 60 or albuminuria must persist over 3 months to call it CKD: repeat then.',
    searchTerms: 'chronic kidney disease eGFR albuminuria',
  },
  {
    id: 'sleep_apnea',
    name: 'Obstructive sleep apnea',
    kind: 'differential',
    symptomWeights: { snoring: 2, daytime_sleepiness: 2, fatigue: 0.5, headache: 0.5 },
    findings: [bmiAtLeast(30, 1), elevatedBloodPressure(0.5), mentioned('sleep_apnea', 3)],
    tests: ['STOP-BANG questionnaire', 'home sleep apnea test if positive'],
    treatments: ['weight loss, CPAP for moderate to severe apnea, positional therapy or an oral appliance for mild disease'],
    followUp: 'Ask about snoring, witnessed apneas and daytime sleepiness at the next visit.',
    searchTerms: 'obstructive sleep apnea snoring obesity CPAP',
  },
  {
    id: 'hyperthyroidism',
    name: 'Hyperthyroidism',
    kind: 'differential',
    symptomWeights: { weight_loss: 1.5, palpitations: 1.5, heat_intolerance: 2, anxiety: 1, tremor: 1.5, insomnia: 0.5 },
    findings: [mentioned('hyperthyroidism', 3)],
    // TSH receptor antibodies tell Graves' disease from a toxic nodule or thyroiditis, which changes the treatment.
    tests: ['TSH with free T4', 'free T3', 'TSH receptor antibodies (TRAb)'],
    testsFor: (facts) => (couldBePregnant(facts) ? ['a pregnancy test before any antithyroid drug'] : []),
    treatments: ['a beta-blocker for symptoms; methimazole, radioactive iodine or surgery for the cause'],
    treatmentsFor: (f) =>
      couldBePregnant(f.facts)
        ? ['a beta-blocker for symptoms; once the cause is known and pregnancy excluded, methimazole, radioactive iodine or surgery (in the first trimester propylthiouracil replaces methimazole, and radioactive iodine is never given in pregnancy)']
        : ['a beta-blocker for symptoms; methimazole, radioactive iodine or surgery for the cause, chosen once TRAb shows whether it is Graves\' disease'],
    criterionMet: (f) => (isLow(resultOf(f.facts, 'tsh'), 0.4) && isHigh(resultOf(f.facts, 'free_t4'), 1.8) ? 'overt: low TSH with a high free T4' : undefined),
    followUp: 'Recheck thyroid function 4–6 weeks after any change in treatment.',
    searchTerms: 'hyperthyroidism palpitations weight loss methimazole',
    firstLineDrug: 'methimazole',
    firstLineDrugInPregnancy: null,
  },
  {
    id: 'heart_failure',
    name: 'Heart failure',
    kind: 'differential',
    symptomWeights: { shortness_of_breath: 1.5, edema: 1.5, orthopnea: 2, fatigue: 0.5 },
    findings: [mentioned('heart_failure', 3)],
    tests: ['NT-proBNP', 'ECG', 'echocardiogram'],
    treatments: ['a loop diuretic for congestion; with reduced EF, guideline-directed therapy (ACE inhibitor/ARB/ARNI, beta-blocker, MRA, SGLT2 inhibitor)'],
    treatmentsFor: (f) => {
      const raas = raasBlocker(allergensOf(f.facts.allergies));
      if (!raas.avoid) return undefined;
      // Sacubitril/valsartan (an ARNI) is contraindicated after angioedema on an ACE inhibitor or ARB (Entresto label).
      const blockers = [raas.option, raas.cautious, `${raas.avoid.replace(/ \(allergy reported\)$/, '')}, and no ARNI (allergy reported)`].filter((part) => part !== undefined);
      return [`a loop diuretic for congestion; with reduced EF, guideline-directed therapy: beta-blocker, MRA and SGLT2 inhibitor; ${blockers.join('; ')}`];
    },    followUp: 'Daily weights; review within 1–2 weeks of any diuretic change.',
    searchTerms: 'heart failure dyspnea edema BNP',
    firstLineDrug: 'furosemide',
  },
  {
    id: 'depression',
    name: 'Depression',
    kind: 'differential',
    symptomWeights: { low_mood: 2, insomnia: 1, fatigue: 0.5, anxiety: 0.5 },
    findings: [mentioned('depression', 3)],
    tests: ['PHQ-9 questionnaire'],
    treatments: ['psychotherapy (CBT) and/or an SSRI such as sertraline'],
    treatmentsFor: (f) =>
      allergensOf(f.facts.allergies).classes.has('ssri')
        ? ['psychotherapy (CBT) and/or an antidepressant other than an SSRI (allergy reported), such as bupropion']
        : undefined,    followUp: 'Review 2–4 weeks after starting treatment and ask about suicidal thoughts.',
    searchTerms: 'depression low mood PHQ-9 SSRI',
    firstLineDrug: 'sertraline',
    firstLineAlternatives: ['bupropion'],
  },
  {
    id: 'obesity',
    name: 'Overweight or obesity',
    kind: 'finding',
    symptomWeights: {},
    findings: [
      (f) => (f.bmi !== undefined && f.bmi >= 30 ? { score: 3, reason: `BMI ${f.bmi}` } : undefined),
      (f) => (f.bmi !== undefined && f.bmi >= 25 && f.bmi < 30 ? { score: 2, reason: `BMI ${f.bmi} (overweight)` } : undefined),
      mentioned('obesity', 2),
    ],
    tests: ['lipid panel', 'ALT for fatty liver'],
    treatments: [
      'a structured lifestyle programme aiming for 5–10% weight loss',
      'anti-obesity medication such as a GLP-1 receptor agonist for BMI ≥ 30 (or ≥ 27 with a comorbidity)',
    ],
    followUp: 'Track weight and waist circumference monthly.',
    searchTerms: 'obesity weight management BMI',
    firstLineDrug: 'semaglutide',
    firstLineDrugInPregnancy: null,
  },
  {
    id: 'hypertension',
    name: 'Hypertension',
    kind: 'finding',
    symptomWeights: { headache: 0.5, dizziness: 0.25 },
    findings: [
      elevatedBloodPressure(3),
      mentioned('hypertension', 3),
      (f) => {
        const words = severeBloodPressureWithoutReading(f.facts);
        return words ? { score: 3, reason: namedWithoutReading(words) } : undefined;
      },
    ],
    tests: ['home or ambulatory BP readings', 'ECG'],
    treatments: [
      'DASH-style diet, sodium under 2 g a day, regular exercise, less alcohol',
      'first-line drugs: a thiazide-like diuretic, an ACE inhibitor or ARB, or a calcium-channel blocker such as amlodipine (stage 2 usually needs two)',
    ],
    treatmentsFor: (f) => ['DASH-style diet, sodium under 2 g a day, regular exercise, less alcohol', hypertensionDrugs(allergensOf(f.facts.allergies), couldBePregnant(f.facts))],
    followUp: 'Confirm with home or ambulatory readings and recheck within 1 month (same day if ≥ 180/120 with symptoms).',
    searchTerms: 'hypertension blood pressure treatment',
    firstLineDrug: 'lisinopril',
    firstLineAlternatives: ['amlodipine', 'chlorthalidone'],
    // ACE inhibitors and ARBs are fetotoxic and many pregnancies are unplanned: until pregnancy is
    // excluded a clinician starts a calcium-channel blocker, which needs no pregnancy test first.
    firstLineDrugUntilPregnancyExcluded: 'amlodipine',
    firstLineDrugInPregnancy: null,
  },
  {
    id: 'hyperlipidemia',
    name: 'Hyperlipidemia',
    kind: 'finding',
    symptomWeights: {},
    findings: [mentioned('hyperlipidemia', 3)],
    tests: ['fasting lipid panel'],
    treatments: [
      'a statin such as atorvastatin sized to cardiovascular risk, with diet and exercise',
      'with LDL ≥ 190 mg/dL a high-intensity statin whatever the risk estimate, and look for familial hypercholesterolemia and secondary causes (hypothyroidism, nephrotic syndrome, cholestasis)',
    ],
    treatmentsFor: (f) =>
      allergensOf(f.facts.allergies).classes.has('statin')
        ? [
            'no statin (allergy reported): diet and exercise, and ezetimibe or a PCSK9 inhibitor sized to cardiovascular risk, with a lipid specialist',
            'with LDL ≥ 190 mg/dL look for familial hypercholesterolemia and secondary causes (hypothyroidism, nephrotic syndrome, cholestasis)',
          ]
        : undefined,
    treatmentsInPregnancy: [
      'diet and exercise; lipids rise in pregnancy, so recheck after delivery and breastfeeding, when a statin can start',
      'with LDL ≥ 190 mg/dL look for familial hypercholesterolemia; a statin continues only at very high risk (homozygous familial hypercholesterolemia, established cardiovascular disease), with a lipid specialist',
    ],
    followUp: 'Repeat the lipid panel 6–12 weeks after starting a statin.',
    searchTerms: 'hyperlipidemia statin cholesterol',
    firstLineDrug: 'atorvastatin',
    firstLineDrugInPregnancy: null,
  },
  {
    id: 'gout',
    name: 'Gout',
    kind: 'differential',
    symptomWeights: { joint_pain: 1 },
    findings: [mentioned('gout', 3)],
    tests: ['serum urate (2 or more weeks after a flare)', 'joint aspiration for crystals if a joint is hot and swollen'],
    treatments: [
      'a flare: colchicine, an NSAID or a short course of prednisone, chosen by kidney function and interactions',
      'urate-lowering therapy (allopurinol, titrated to a serum urate below 6 mg/dL) for tophi, joint damage or 2 or more flares a year; a high urate without flares is not treated',
    ],
    // An aspirin allergy counts: NSAIDs cross-react with it (the reference's cross-sensitivity).
    treatmentsFor: (f) => {
      const allergens = allergensOf(f.facts.allergies);
      if (!allergens.classes.has('nsaid') && !allergens.classes.has('salicylate')) return undefined;
      return [
        'a flare: colchicine or a short course of prednisone (no NSAID: allergy reported), chosen by kidney function and interactions',
        'urate-lowering therapy (allopurinol, titrated to a serum urate below 6 mg/dL) for tophi, joint damage or 2 or more flares a year; a high urate without flares is not treated',
      ];
    },
    followUp: 'On allopurinol, check the serum urate every few weeks while titrating until it is below 6 mg/dL.',
    searchTerms: 'gout flare urate allopurinol colchicine',
    // No single first-line drug to check on the model's own initiative: the flare choice depends on comorbidities.
  },
];

/**
 * An ACE inhibitor or ARB for this patient: none of a class the patient is allergic to, and an ARB
 * only with caution after an ACE-inhibitor allergy (the reference's cross-sensitivity: angioedema can recur).
 */
function raasBlocker(allergens: Allergens, mayBePregnant = false): { option?: string; cautious?: string; avoid?: string } {
  const acei = allergens.classes.has('ace_inhibitor');
  const arb = allergens.classes.has('arb');
  // Contraindicated in pregnancy: for a woman who could be pregnant, only once that is excluded.
  const unlessPregnant = mayBePregnant ? ' once pregnancy is excluded' : '';
  if (acei && arb) return { avoid: 'no ACE inhibitor or ARB (allergy reported)' };
  if (acei) return { avoid: 'no ACE inhibitor (allergy reported)', cautious: `an ARB only with caution and specialist advice, as angioedema can recur${unlessPregnant}` };
  if (arb) return { option: `an ACE inhibitor${unlessPregnant}`, avoid: 'no ARB (allergy reported)' };
  return { option: `an ACE inhibitor or ARB${unlessPregnant}` };
}

/** ACC/AHA first-line classes, less any the patient is allergic to. */
function hypertensionDrugs(allergens: Allergens, mayBePregnant: boolean): string {
  const thiazide = isAllergen(allergens, 'chlorthalidone')
    ? undefined
    : `a thiazide-like diuretic${allergens.drugs.has('hydrochlorothiazide') ? ' such as chlorthalidone (not hydrochlorothiazide, on the allergy list)' : ''}`;
  const raas = raasBlocker(allergens, mayBePregnant);
  const ccb = isAllergen(allergens, 'amlodipine') ? 'a calcium-channel blocker other than amlodipine (allergy reported)' : 'a calcium-channel blocker such as amlodipine';
  const options = [thiazide, raas.option, ccb].filter((o): o is string => o !== undefined);
  const list = options.length > 2 ? `${options.slice(0, -1).join(', ')}, or ${options[options.length - 1]}` : options.join(' or ');
  const cautions = [raas.avoid, raas.cautious].filter((c) => c !== undefined);
  return `first-line drugs: ${list} (stage 2 usually needs two)${cautions.map((c) => `; ${c}`).join('')}`;
}

/** KDIGO's band for an eGFR under 60. */
export function egfrBand(egfr: number): string {
  if (egfr < 15) return '< 15: kidney failure range, G5';
  if (egfr < 30) return '15–29: severely decreased, G4';
  if (egfr < 45) return '30–44: moderately to severely decreased, G3b';
  return '< 60';
}

/** The follow-up for this patient: once the diagnosis is met, not the one about confirming it. */
export function followUpOf(profile: ConditionProfile, findings: ClinicalFindings): string {
  if (profile.secondResultFollowUp && profile.awaitsSecondResult?.(findings)) return profile.secondResultFollowUp;
  return profile.metFollowUp && profile.criterionMet?.(findings) ? profile.metFollowUp : profile.followUp;
}

/** The treatments for this patient: the profile's own, or those chosen for the patient. */
export function treatmentsOf(profile: ConditionProfile, findings: ClinicalFindings): readonly string[] {
  if (findings.facts.pregnant && profile.treatmentsInPregnancy) return profile.treatmentsInPregnancy;
  return profile.treatmentsFor?.(findings) ?? profile.treatments;
}

/** Conditions worth evaluating, most likely first (ties keep table order, so output is stable). */
export function rankConditions(findings: ClinicalFindings): RankedCondition[] {
  const ranked: RankedCondition[] = [];
  for (const profile of CONDITION_PROFILES) {
    let score = 0;
    const reasons: string[] = [];
    const matchedSymptoms: string[] = [];
    for (const symptom of findings.facts.symptoms) {
      const weight = profile.symptomWeights[symptom];
      if (weight) {
        score += weight;
        matchedSymptoms.push(symptomLabel(symptom));
      }
    }
    if (matchedSymptoms.length > 0) reasons.push(matchedSymptoms.join(', '));
    const evidence = [...profile.findings.flatMap((finding) => finding(findings) ?? []), ...labEvidence(profile.id, findings.facts)];
    for (const e of evidence) {
      score += e.score;
      reasons.push(e.reason);
    }
    if (score >= MIN_SCORE) ranked.push({ profile, score, reasons });
  }
  return ranked
    .map((r, order) => ({ r, order }))
    .sort((a, b) => b.r.score - a.r.score || a.order - b.order)
    .map(({ r }) => r);
}

/** BMI from stated height and weight, for when no metrics tool result is available. */
export function estimateBmi(facts: PatientFacts): number | undefined {
  if (!facts.height || !facts.weight) return undefined;
  const metres = heightInCm(facts.height) / 100;
  const bmi = weightInKg(facts.weight) / (metres * metres);
  return Number.isFinite(bmi) && bmi > 0 ? round(bmi, 1) : undefined;
}

export function bmiCategoryLabel(bmi: number): string {
  if (bmi < 18.5) return 'Underweight';
  if (bmi < 25) return 'Normal weight';
  if (bmi < 30) return 'Overweight';
  if (bmi < 35) return 'Obesity class I';
  if (bmi < 40) return 'Obesity class II';
  return 'Obesity class III';
}

/** Tests for the top conditions, each once, in priority order. */
export function testsFor(conditions: readonly RankedCondition[], facts: PatientFacts, limit = 8): string[] {
  const tests: string[] = [];
  for (const c of conditions) for (const t of testsToOrder(c.profile, facts)) if (!tests.includes(t)) tests.push(t);
  return tests.slice(0, limit);
}

/** A condition's tests less those whose results the clinician already gave ("TSH (free T4 if abnormal)" once both are in). */
export function testsToOrder(profile: ConditionProfile, facts: PatientFacts): string[] {
  return [...profile.tests, ...(profile.testsFor?.(facts) ?? [])].filter((test) => {
    const named = labsNamedIn(test);
    return named.length === 0 || !named.every((id) => facts.labs.some((r) => r.test === id));
  });
}

export type BloodPressureCategory = 'Normal' | 'Elevated' | 'Stage 1 hypertension' | 'Stage 2 hypertension' | 'Hypertensive crisis';

/** ACC/AHA 2017 bands, used when no metrics tool classified the reading. */
export function bloodPressureCategory(bp: { systolic: number; diastolic: number }): BloodPressureCategory {
  if (bp.systolic >= 180 || bp.diastolic >= 120) return 'Hypertensive crisis';
  if (bp.systolic >= 140 || bp.diastolic >= 90) return 'Stage 2 hypertension';
  if (bp.systolic >= 130 || bp.diastolic >= 80) return 'Stage 1 hypertension';
  if (bp.systolic >= 120) return 'Elevated';
  return 'Normal';
}

/** The findings to reason with: measured values win over estimates from the text. */
export function clinicalFindings(facts: PatientFacts, measured: { bmi?: number | undefined; egfr?: number | undefined }): ClinicalFindings {
  const findings: ClinicalFindings = { facts };
  const bmi = measured.bmi ?? estimateBmi(facts);
  if (bmi !== undefined) findings.bmi = bmi;
  const egfr = measured.egfr ?? egfrForThresholds(facts);
  if (egfr !== undefined) findings.egfr = egfr;
  if (measured.egfr === undefined && facts.egfrComparator) findings.egfrStated = statedEgfr(facts);
  if (egfr === undefined) {
    // The model's own estimate from a stated creatinine: what it passes to the medication checker too.
    const estimated = estimateEgfr(facts);
    if (estimated !== undefined) {
      findings.egfr = estimated;
      findings.egfrEstimated = true;
    }
  }
  return findings;
}

/** Profiles the latest turn made more likely (by at least one point), biggest change first. */
export function raisedBy(before: ClinicalFindings, after: ClinicalFindings): ConditionProfile[] {
  const scoreBefore = new Map(rankConditions(before).map((r) => [r.profile.id, r.score]));
  return rankConditions(after)
    .map((r) => ({ profile: r.profile, gain: r.score - (scoreBefore.get(r.profile.id) ?? 0) }))
    .filter((r) => r.gain >= 1)
    .sort((a, b) => b.gain - a.gain)
    .map((r) => r.profile);
}
