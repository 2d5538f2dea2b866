// What the offline model itself makes of a lab result: the guideline band it falls in, and how much
// that band counts for or against each condition it reasons about. Decision thresholds only (ADA for
// fasting and random glucose, ACC/AHA 2018 and NCEP ATP III for lipids, WHO for hemoglobin, AGA for
// ferritin, EULAR/ACR for urate), deliberately conservative; a laboratory's reference range is the
// lab tool's to give, never this table's.
import type { Evidence, ProfileId } from './clinical-reasoning.js';
import type { Comparator, LabId, LabLevel, LabReading } from './lab-values.js';
import { inReferenceUnit } from './lab-values.js';
import type { PatientFacts } from './patient-facts.js';
import { formatLab } from './phrasing.js';

interface LabBand {
  test: LabId;
  /**
   * Bounds in the test's reference unit, as in the lab data: min ≥, max ≤, above >, below <. A band
   * written with one bound means "this far or further" (the more extreme bands come first), which is
   * how a result past a bound ("TSH < 0.01") is matched.
   */
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  /** Or a result given in words ("a low free T4"). */
  level?: LabLevel;
  /** Whom the bounds are for, where that matters (hemoglobin, HDL). */
  appliesTo?: (facts: PatientFacts) => boolean;
  /** The threshold as the reader sees it: "≥ 6.5 %" (none for a result in words). */
  threshold?: string;
  meaning: string;
  /** Evidence for (positive) or against (negative) each condition. */
  effects: Partial<Record<ProfileId, number>>;
  /** Needs same-day attention. */
  urgent?: boolean;
  /**
   * With `urgent`, the tests it needs now: while it leads the answer these are what it orders, and
   * routine work-up waits until it is under control (answer-writer.ts).
   */
  workUp?: readonly string[];
  /** Not urgent, but must be acted on and never trimmed from the answer (level 1 hypoglycemia). */
  alert?: boolean;
  /** Meets a diagnostic criterion on its own (a random glucose ≥ 200 mg/dL with classic symptoms). */
  diagnostic?: boolean;
}

const pregnant = (f: PatientFacts) => f.pregnant === true;
const woman = (f: PatientFacts) => f.sex === 'female' && f.pregnant !== true;
const man = (f: PatientFacts) => f.sex === 'male';
const sexUnknown = (f: PatientFacts) => f.sex === undefined && f.pregnant !== true;
const notAWoman = (f: PatientFacts) => f.sex !== 'female';
const onLevothyroxine = (f: PatientFacts) => f.medications.includes('levothyroxine') && !f.proposedMedications.includes('levothyroxine');
// ADA: a random glucose ≥ 200 mg/dL diagnoses diabetes only with classic symptoms of hyperglycemia.
const HYPERGLYCEMIA_SYMPTOMS = ['polyuria', 'polydipsia', 'weight_loss', 'blurred_vision'] as const;
const hyperglycemiaSymptoms = (f: PatientFacts) => HYPERGLYCEMIA_SYMPTOMS.some((s) => f.symptoms.includes(s));

// The urgent work-up of an urgent band: the tests that tell what it is and how bad. A glucose over
// 500 mg/dL is a possible hyperglycemic crisis (the 2024 ADA/EASD consensus: ketones, acid-base,
// electrolytes, osmolality); profound hyponatremia needs serum and urine osmolality, urine sodium and
// a glucose (a high glucose lowers the measured sodium); severe hypokalemia an ECG and magnesium;
// severe anemia its cause (taken before any transfusion) and a group and screen. A test is worded as
// the other urgent work-ups word it ("creatinine and electrolytes": lab-actions.ts), so an answer
// orders it once. Hyperkalemia and hypoglycemia have theirs on their action lines.
const HYPERGLYCEMIC_CRISIS_WORK_UP = ['blood ketones (beta-hydroxybutyrate)', 'venous blood gas (pH, bicarbonate)', 'creatinine and electrolytes', 'serum osmolality'];
const HYPONATREMIA_WORK_UP = ['creatinine and electrolytes', 'glucose', 'serum osmolality', 'urine osmolality', 'urine sodium'];
const HYPERNATREMIA_WORK_UP = ['creatinine and electrolytes', 'glucose', 'serum osmolality', 'urine osmolality'];
const HYPOKALEMIA_WORK_UP = ['ECG', 'creatinine and electrolytes', 'magnesium'];
const SEVERE_ANEMIA_WORK_UP = ['CBC', 'ferritin', 'vitamin B12 and folate', 'blood group and antibody screen'];

/**
 * A glucose taken at any time of day, random or of unstated timing (ADA): ≥ 200 mg/dL diagnoses
 * diabetes with classic symptoms; below 70 mg/dL (3.9 mmol/L) is hypoglycemia, below 54 (3.0) level 2.
 */
function anyTimeGlucoseBands(test: 'random_glucose' | 'glucose'): LabBand[] {
  const asRandom = test === 'glucose' ? ', timing not given so read as random' : '';
  return [
    { test, above: 500, threshold: '> 500 mg/dL', meaning: 'past the critical limit; check ketones and osmolality', effects: { type_2_diabetes: 4 }, urgent: true, workUp: HYPERGLYCEMIC_CRISIS_WORK_UP },
    { test, appliesTo: hyperglycemiaSymptoms, min: 200, threshold: `≥ 200 mg/dL with classic symptoms${asRandom}`, meaning: 'diabetes (ADA diagnostic criterion)', effects: { type_2_diabetes: 4 }, diagnostic: true },
    { test, min: 200, threshold: `≥ 200 mg/dL${asRandom}`, meaning: 'diabetes range if classic symptoms are present; otherwise confirm with HbA1c or fasting glucose', effects: { type_2_diabetes: 2 } },
    { test, min: 140, below: 200, threshold: `140–199 mg/dL${asRandom}`, meaning: 'raised but not diagnostic; check HbA1c', effects: {} },
    { test, min: 70, below: 140, threshold: '70–139 mg/dL', meaning: 'not raised (does not rule out diabetes)', effects: {} },
    { test, below: 54, threshold: '< 54 mg/dL, 3.0 mmol/L', meaning: 'level 2 hypoglycemia', effects: {}, urgent: true },
    { test, below: 70, threshold: '< 70 mg/dL, 3.9 mmol/L', meaning: 'level 1 hypoglycemia', effects: {}, alert: true },
  ];
}

/** WHO anemia thresholds: one band below and one at or above, for each group. */
function hemoglobinBands(appliesTo: (f: PatientFacts) => boolean, anemicBelow: number, normalFrom: number, whom: string): LabBand[] {
  return [
    { test: 'hemoglobin', appliesTo, below: anemicBelow, threshold: `< ${anemicBelow.toFixed(1)} g/dL${whom}`, meaning: 'anemia', effects: { anemia: 3 } },
    { test: 'hemoglobin', appliesTo, min: normalFrom, threshold: `≥ ${normalFrom.toFixed(1)} g/dL${whom}`, meaning: 'normal, against anemia', effects: { anemia: -3 } },
  ];
}

// First matching band wins, so the more specific (or more urgent) band of a test comes first.
const LAB_BANDS: readonly LabBand[] = [
  // ADA: one result in the diabetes range is enough with classic symptoms of hyperglycemia; without them a second abnormal result is needed.
  { test: 'hba1c', appliesTo: hyperglycemiaSymptoms, min: 6.5, threshold: '≥ 6.5 % with classic symptoms', meaning: 'diabetes (ADA diagnostic criterion)', effects: { type_2_diabetes: 4 }, diagnostic: true },
  { test: 'hba1c', min: 6.5, threshold: '≥ 6.5 %', meaning: 'diabetes range', effects: { type_2_diabetes: 4 } },
  { test: 'hba1c', min: 5.7, below: 6.5, threshold: '5.7–6.4 %', meaning: 'prediabetes range', effects: { type_2_diabetes: 2 } },
  { test: 'hba1c', below: 5.7, threshold: '< 5.7 %', meaning: 'normal, against diabetes', effects: { type_2_diabetes: -2 } },
  // Reached only by a result past a bound ("HbA1c below 7"): the bands above cover every value.
  { test: 'hba1c', below: 7, threshold: '< 7 %', meaning: 'at the usual treatment goal in diabetes (6.5–6.9 % is still the diabetes range)', effects: {} },

  // Above 500 mg/dL: the lab tool's own critical limit for glucose (data/lab-references/labs.json).
  { test: 'fasting_glucose', above: 500, threshold: '> 500 mg/dL', meaning: 'past the critical limit; check ketones and osmolality', effects: { type_2_diabetes: 4 }, urgent: true, workUp: HYPERGLYCEMIC_CRISIS_WORK_UP },
  { test: 'fasting_glucose', appliesTo: hyperglycemiaSymptoms, min: 126, threshold: '≥ 126 mg/dL with classic symptoms', meaning: 'diabetes (ADA diagnostic criterion)', effects: { type_2_diabetes: 4 }, diagnostic: true },
  { test: 'fasting_glucose', min: 126, threshold: '≥ 126 mg/dL', meaning: 'diabetes range', effects: { type_2_diabetes: 4 } },
  { test: 'fasting_glucose', min: 100, below: 126, threshold: '100–125 mg/dL', meaning: 'impaired fasting glucose (prediabetes)', effects: { type_2_diabetes: 2 } },
  { test: 'fasting_glucose', min: 70, below: 100, threshold: '70–99 mg/dL', meaning: 'normal', effects: { type_2_diabetes: -1 } },
  { test: 'fasting_glucose', below: 54, threshold: '< 54 mg/dL, 3.0 mmol/L', meaning: 'level 2 hypoglycemia', effects: {}, urgent: true },
  { test: 'fasting_glucose', below: 70, threshold: '< 70 mg/dL, 3.9 mmol/L', meaning: 'level 1 hypoglycemia', effects: {}, alert: true },
  // Reached only by a result past a bound ("fasting glucose under 7 mmol/L"): the bands above cover every value.
  // 7.0 mmol/L is 126.1 mg/dL by the lab tool's factor: the same threshold in either unit.
  { test: 'fasting_glucose', below: 126.2, threshold: '< 126 mg/dL, 7.0 mmol/L', meaning: 'below the diabetes threshold (100–125 mg/dL would be prediabetes)', effects: {} },

  ...anyTimeGlucoseBands('random_glucose'),
  ...anyTimeGlucoseBands('glucose'),

  // Thyroid: the model's own usual adult limits (TSH 0.4–4.5 mIU/L, free T4 0.8–1.8 ng/dL).
  { test: 'tsh', min: 10, threshold: '≥ 10 mIU/L', meaning: 'hypothyroidism, treated even when free T4 is normal', effects: { hypothyroidism: 3, hyperthyroidism: -2 } },
  { test: 'tsh', above: 4.5, threshold: '> 4.5 mIU/L', meaning: 'raised; subclinical hypothyroidism if free T4 is normal, overt if low', effects: { hypothyroidism: 2, hyperthyroidism: -2 } },
  { test: 'tsh', min: 0.4, max: 4.5, threshold: '0.4–4.5 mIU/L', meaning: 'normal, against primary thyroid disease', effects: { hypothyroidism: -3, hyperthyroidism: -3 } },
  { test: 'tsh', appliesTo: onLevothyroxine, below: 0.4, threshold: '< 0.4 mIU/L', meaning: 'low on levothyroxine; likely over-replacement', effects: {} },
  { test: 'tsh', below: 0.1, threshold: '< 0.1 mIU/L', meaning: 'suppressed; hyperthyroidism likely', effects: { hyperthyroidism: 3, hypothyroidism: -2 } },
  { test: 'tsh', below: 0.4, threshold: '< 0.4 mIU/L', meaning: 'low; subclinical hyperthyroidism if free T4 and T3 are normal', effects: { hyperthyroidism: 2, hypothyroidism: -2 } },
  { test: 'tsh', level: 'high', meaning: 'points to hypothyroidism', effects: { hypothyroidism: 2 } },
  { test: 'tsh', level: 'low', meaning: 'points to hyperthyroidism', effects: { hyperthyroidism: 2 } },
  { test: 'free_t4', below: 0.8, threshold: '< 0.8 ng/dL', meaning: 'low; overt hypothyroidism when TSH is raised', effects: { hypothyroidism: 2 } },
  { test: 'free_t4', above: 1.8, threshold: '> 1.8 ng/dL', meaning: 'high; overt hyperthyroidism when TSH is low', effects: { hyperthyroidism: 2 } },
  { test: 'free_t4', min: 0.8, max: 1.8, threshold: '0.8–1.8 ng/dL', meaning: 'normal', effects: {} },
  { test: 'free_t4', level: 'low', meaning: 'overt hypothyroidism when TSH is raised', effects: { hypothyroidism: 2 } },
  { test: 'free_t4', level: 'high', meaning: 'overt hyperthyroidism when TSH is low', effects: { hyperthyroidism: 2 } },

  { test: 'hemoglobin', below: 7, threshold: '< 7.0 g/dL', meaning: 'severe anemia', effects: { anemia: 3 }, urgent: true, workUp: SEVERE_ANEMIA_WORK_UP },
  ...hemoglobinBands(pregnant, 11, 11, ' in pregnancy'),
  ...hemoglobinBands(woman, 12, 12, ' for a non-pregnant woman'),
  ...hemoglobinBands(man, 13, 13, ' for a man'),
  // Sex not given: anemic below the lower of the two limits, normal above the higher.
  ...hemoglobinBands(sexUnknown, 12, 13, ', whatever the sex'),
  { test: 'hemoglobin', level: 'low', meaning: 'anemia', effects: { anemia: 3 } },
  { test: 'ferritin', below: 30, threshold: '< 30 ng/mL', meaning: 'iron deficiency', effects: { anemia: 2 } },
  { test: 'ferritin', level: 'low', meaning: 'iron deficiency', effects: { anemia: 2 } },

  { test: 'ldl', min: 190, threshold: '≥ 190 mg/dL', meaning: 'severe hypercholesterolemia', effects: { hyperlipidemia: 4 } },
  { test: 'ldl', min: 160, below: 190, threshold: '160–189 mg/dL', meaning: 'high', effects: { hyperlipidemia: 2 } },
  { test: 'ldl', min: 130, below: 160, threshold: '130–159 mg/dL', meaning: 'borderline high', effects: { hyperlipidemia: 1 } },
  { test: 'ldl', min: 100, below: 130, threshold: '100–129 mg/dL', meaning: 'near optimal', effects: {} },
  { test: 'ldl', below: 100, threshold: '< 100 mg/dL', meaning: 'optimal', effects: {} },
  { test: 'total_cholesterol', min: 240, threshold: '≥ 240 mg/dL', meaning: 'high', effects: { hyperlipidemia: 2 } },
  { test: 'total_cholesterol', min: 200, below: 240, threshold: '200–239 mg/dL', meaning: 'borderline high', effects: { hyperlipidemia: 0.5 } },
  { test: 'total_cholesterol', below: 200, threshold: '< 200 mg/dL', meaning: 'desirable', effects: {} },
  { test: 'triglycerides', min: 500, threshold: '≥ 500 mg/dL', meaning: 'very high, a risk of pancreatitis', effects: { hyperlipidemia: 3 } },
  { test: 'triglycerides', min: 200, below: 500, threshold: '200–499 mg/dL', meaning: 'high', effects: { hyperlipidemia: 1 } },
  { test: 'triglycerides', min: 150, below: 200, threshold: '150–199 mg/dL', meaning: 'borderline high', effects: { hyperlipidemia: 0.5 } },
  { test: 'triglycerides', below: 150, threshold: '< 150 mg/dL', meaning: 'normal', effects: {} },
  { test: 'hdl', appliesTo: woman, below: 50, threshold: '< 50 mg/dL for a woman', meaning: 'low', effects: { hyperlipidemia: 1 } },
  { test: 'hdl', appliesTo: notAWoman, below: 40, threshold: '< 40 mg/dL', meaning: 'low', effects: { hyperlipidemia: 1 } },
  { test: 'hdl', min: 60, threshold: '≥ 60 mg/dL', meaning: 'high (protective)', effects: {} },
  { test: 'hdl', threshold: '≥ 40 mg/dL (≥ 50 for a woman)', meaning: 'not low', effects: {} },

  { test: 'potassium', min: 6.5, threshold: '≥ 6.5 mmol/L', meaning: 'severe hyperkalemia', effects: {}, urgent: true },
  { test: 'potassium', min: 6.0, below: 6.5, threshold: '6.0–6.4 mmol/L', meaning: 'moderate hyperkalemia', effects: {}, urgent: true },
  { test: 'potassium', min: 5.5, below: 6.0, threshold: '5.5–5.9 mmol/L', meaning: 'mild hyperkalemia', effects: {} },
  { test: 'potassium', above: 5.0, below: 5.5, threshold: '5.1–5.4 mmol/L', meaning: 'slightly raised', effects: {} },
  // Reached only by a result past a bound ("potassium > 6.0"): the bands above cover every value.
  { test: 'potassium', min: 6.0, threshold: '≥ 6.0 mmol/L', meaning: 'at least moderate hyperkalemia', effects: {}, urgent: true },
  { test: 'potassium', min: 5.5, threshold: '≥ 5.5 mmol/L', meaning: 'hyperkalemia', effects: {} },
  { test: 'potassium', below: 2.5, threshold: '< 2.5 mmol/L', meaning: 'severe hypokalemia', effects: {}, urgent: true, workUp: HYPOKALEMIA_WORK_UP },
  { test: 'potassium', below: 3.5, threshold: '< 3.5 mmol/L', meaning: 'hypokalemia', effects: {} },
  { test: 'potassium', min: 3.5, max: 5.0, threshold: '3.5–5.0 mmol/L', meaning: 'normal', effects: {} },
  { test: 'sodium', below: 125, threshold: '< 125 mmol/L', meaning: 'profound hyponatremia', effects: {}, urgent: true, workUp: HYPONATREMIA_WORK_UP },
  { test: 'sodium', below: 135, threshold: '< 135 mmol/L', meaning: 'hyponatremia', effects: {} },
  { test: 'sodium', min: 160, threshold: '≥ 160 mmol/L', meaning: 'severe hypernatremia', effects: {}, urgent: true, workUp: HYPERNATREMIA_WORK_UP },
  { test: 'sodium', above: 145, threshold: '> 145 mmol/L', meaning: 'hypernatremia', effects: {} },
  { test: 'sodium', threshold: '135–145 mmol/L', meaning: 'normal', effects: {} },

  // Far past any laboratory's upper limit (about 8 mmol/L urea, 23 mg/dL BUN): worth naming without one.
  { test: 'urea', min: 20, threshold: '≥ 20 mmol/L', meaning: 'markedly raised: kidney failure, dehydration or gastrointestinal bleeding; read it with creatinine', effects: { chronic_kidney_disease: 1 } },
  { test: 'bun', min: 56, threshold: '≥ 56 mg/dL', meaning: 'markedly raised: kidney failure, dehydration or gastrointestinal bleeding; read it with creatinine', effects: { chronic_kidney_disease: 1 } },

  { test: 'uric_acid', above: 6.8, threshold: '> 6.8 mg/dL', meaning: 'above urate saturation; supports gout only with a typical flare', effects: { gout: 1.5 } },
  { test: 'vitamin_d', below: 20, threshold: '< 20 ng/mL', meaning: 'low, inadequate for bone health', effects: {} },
  { test: 'vitamin_d', threshold: '≥ 20 ng/mL', meaning: 'adequate for bone health', effects: {} },
];

export interface LabJudgement {
  /** "HbA1c 7.2 %", "HbA1c 53 mmol/mol (≈ 7 %)", "low free T4". */
  value: string;
  /** Absent when no band covers the result (ALT, BUN: the laboratory's range decides). */
  meaning?: string;
  /** "≥ 6.5 %"; absent for a result in words. */
  threshold?: string;
  /** The band counts for or against some condition. */
  matters: boolean;
  urgent: boolean;
  /** To act on, though not urgent (level 1 hypoglycemia). */
  alert: boolean;
  /** When urgent, the tests it needs now (none when another line speaks for it: hyperkalemia, hypoglycemia). */
  workUp?: readonly string[];
}

/** The evidence a patient's lab results give for or against one condition, each with its reason. */
export function labEvidence(profile: ProfileId, facts: PatientFacts): Evidence[] {
  return facts.labs.flatMap((reading) => {
    const band = bandFor(reading, facts);
    const score = band?.effects[profile];
    return band && score ? [{ score, reason: reasonText(reading, band) }] : [];
  });
}

/** The results that meet a diagnostic criterion for the condition on their own, each with its reason. */
export function diagnosticEvidence(profile: ProfileId, facts: PatientFacts): string[] {
  return facts.labs.flatMap((reading) => {
    const band = bandFor(reading, facts);
    return band?.diagnostic && (band.effects[profile] ?? 0) > 0 ? [reasonText(reading, band)] : [];
  });
}

/** The model's own reading of a result, for when no lab tool interpreted it. */
export function judgeLab(reading: LabReading, facts: PatientFacts): LabJudgement {
  const band = bandFor(reading, facts);
  const judgement: LabJudgement = { value: valueText(reading), matters: Object.keys(band?.effects ?? {}).length > 0, urgent: band?.urgent === true, alert: band?.alert === true };
  if (band) judgement.meaning = band.meaning;
  if (band?.threshold) judgement.threshold = band.threshold;
  if (band?.workUp) judgement.workUp = band.workUp;
  return judgement;
}

/**
 * Which side of normal a result in an urgent band is: low for a band with only an upper bound
 * ("< 125 mmol/L"), else high; undefined when its band is not urgent.
 */
export function urgentSide(reading: LabReading, facts: PatientFacts): LabLevel | undefined {
  const band = bandFor(reading, facts);
  if (!band?.urgent) return undefined;
  return band.level ?? (band.below !== undefined && band.min === undefined && band.above === undefined ? 'low' : 'high');
}

/** The band a result falls in (or is at least as far as, for "TSH < 0.01"). */
function bandFor(reading: LabReading, facts: PatientFacts): LabBand | undefined {
  const x = inReferenceUnit(reading)?.value;
  return LAB_BANDS.find((band) => {
    if (band.test !== reading.test || (band.appliesTo && !band.appliesTo(facts))) return false;
    if (reading.value === undefined) return band.level !== undefined && band.level === reading.level;
    if (band.level !== undefined || x === undefined) return false;
    return reading.comparator ? reachesPast(x, reading.comparator, band) : within(x, band);
  });
}

/**
 * "< x" (or "> x") is in a band open on that side which the bound already reaches: TSH < 0.01 is
 * below 0.1, suppressed; potassium > 6.0 is at least moderate hyperkalemia. A band closed on that
 * side, or with no bounds at all (a "normal" that relies on the order), says nothing about it.
 */
function reachesPast(x: number, comparator: Comparator, band: LabBand): boolean {
  const lower = band.min !== undefined || band.above !== undefined;
  const upper = band.max !== undefined || band.below !== undefined;
  if (comparator === '<' || comparator === '≤') {
    if (lower || !upper) return false;
    const strict = comparator === '<';
    return (band.max === undefined || x <= band.max) && (band.below === undefined || (strict ? x <= band.below : x < band.below));
  }
  if (upper || !lower) return false;
  const strict = comparator === '>';
  return (band.min === undefined || x >= band.min) && (band.above === undefined || (strict ? x >= band.above : x > band.above));
}

function within(x: number, band: LabBand): boolean {
  return (
    (band.min === undefined || x >= band.min) &&
    (band.max === undefined || x <= band.max) &&
    (band.above === undefined || x > band.above) &&
    (band.below === undefined || x < band.below)
  );
}

/** "HbA1c 7.2 % (≥ 6.5 %: diabetes range)", "glucose 7.8 mmol/L (≈ 141 mg/dL; ≥ 126 mg/dL: …)", "low free T4 (…)". */
function reasonText(reading: LabReading, band: LabBand): string {
  const converted = convertedValue(reading);
  return `${formatLab(reading)} (${converted ? `${converted}; ` : ''}${bandText(band)})`;
}

function bandText(band: LabBand): string {
  return band.threshold ? `${band.threshold}: ${band.meaning}` : band.meaning;
}

/** "HbA1c 53 mmol/mol (≈ 7 %)": the result as written, and in the unit of the thresholds when that differs. */
function valueText(reading: LabReading): string {
  const converted = convertedValue(reading);
  return converted ? `${formatLab(reading)} (${converted})` : formatLab(reading);
}

function convertedValue(reading: LabReading): string | undefined {
  const reference = inReferenceUnit(reading);
  if (!reference || reading.value === undefined || reference.value === reading.value) return undefined;
  return `${reading.comparator ?? '≈'} ${Number(reference.value.toPrecision(3))} ${reference.unit}`;
}
