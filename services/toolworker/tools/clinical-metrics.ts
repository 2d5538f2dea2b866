// `calculate_clinical_metrics`: BMI, BSA, ideal/adjusted body weight, blood pressure category and
// eGFR for one patient, plus the online `health_risk` score logged on the tool's span.
//
// The registry checks arguments against `inputSchema` (types, enums, required, dependencies)
// before `execute` runs; `execute` then rejects values that are well-typed but impossible
// (ToolArgumentError, naming the field) and computes. The formulas live in clinical-formulas.ts.
import type { JsonObject } from '../../../lib/json.js';
import { ToolArgumentError, type Tool, type ToolInputSchema, type ToolOutcome } from '../tool.js';
import {
  BMI_LABELS, BP_LABELS, CKD_STAGE_LABELS, DEVINE_MIN_HEIGHT_IN,
  adjustedBodyWeight, adjustedBodyWeightApplies, bmi, bmiCategory, bmiRiskScore, bpCategory, bpRiskScore,
  bsaMosteller, ckdStage, cmToInches, creatinineToMgDl, egfrCkdEpi2021, egfrRiskScore, heightToCm,
  idealBodyWeightDevine, meanArterialPressure, roundTo, weightToKg,
  type BmiCategory, type BpCategory, type CkdStage, type CreatinineUnit, type HeightUnit, type Sex, type WeightUnit,
} from './clinical-formulas.js';

export const CLINICAL_METRICS_TOOL_NAME = 'calculate_clinical_metrics';

/** Arguments as the model sends them (after schema validation; units may be absent). */
export interface ClinicalMetricsArgs {
  height: number;
  height_unit?: HeightUnit;
  weight: number;
  weight_unit?: WeightUnit;
  age?: number;
  sex?: Sex;
  systolic_bp?: number;
  diastolic_bp?: number;
  serum_creatinine?: number;
  creatinine_unit?: CreatinineUnit;
}

/** Plausibility limits for schema-valid but impossible values (inclusive). */
export const LIMITS = {
  heightCm: { min: 40, max: 272 },
  weightKg: { min: 1, max: 650 },
  systolic: { min: 50, max: 300 },
  diastolic: { min: 20, max: 200 },
  creatinineMgDl: { min: 0.1, max: 25 },
  /** CKD-EPI is validated for adults only. */
  egfrMinAge: 18,
  /** Adult BMI categories and Devine IBW apply from this age. */
  adultAge: 18,
  /** AAP 2017 classifies adolescents from this age with the adult thresholds. */
  adultBpThresholdsAge: 13,
} as const;

// ---------------------------------------------------------------- output sections

export type BmiSection = { value: number; category: BmiCategory; label: string } | { value: number };
export type BodySurfaceAreaSection = { value_m2: number; formula: 'Mosteller' };
export type IdealBodyWeightSection = { value_kg: number; formula: 'Devine' };
export type AdjustedBodyWeightSection = { value_kg: number; formula: string; applies: boolean };
export type BloodPressureSection =
  | { systolic: number; diastolic: number; mean_arterial_pressure: number; category: BpCategory; label: string }
  | { systolic: number; diastolic: number; mean_arterial_pressure: number };
export type EgfrSection = { value: number; unit: string; equation: 'CKD-EPI 2021'; ckd_stage: CkdStage; label: string };

export const ADJUSTED_BODY_WEIGHT_FORMULA = 'IBW + 0.4 × (actual − IBW)';
export const EGFR_UNIT = 'mL/min/1.73m²';

// ---------------------------------------------------------------- schema

export const clinicalMetricsInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['height', 'weight'],
  properties: {
    height: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Patient height in height_unit. Convert feet and inches to inches first (5\'4" = 64).',
    },
    height_unit: {
      type: 'string',
      enum: ['in', 'cm'],
      default: 'in',
      description: 'Unit of height: "in" (inches, default) or "cm".',
    },
    weight: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Patient body weight in weight_unit.',
    },
    weight_unit: {
      type: 'string',
      enum: ['lb', 'kg'],
      default: 'lb',
      description: 'Unit of weight: "lb" (pounds, default) or "kg".',
    },
    age: {
      type: 'integer',
      minimum: 0,
      maximum: 130,
      description: 'Age in whole years. Required (with sex) when serum_creatinine is given; eGFR needs age 18 or over.',
    },
    sex: {
      type: 'string',
      enum: ['female', 'male'],
      description: 'Sex used by the equations (Devine ideal body weight, CKD-EPI eGFR). Required when serum_creatinine is given.',
    },
    systolic_bp: {
      type: 'integer',
      description: 'Systolic blood pressure in mmHg. Give together with diastolic_bp.',
    },
    diastolic_bp: {
      type: 'integer',
      description: 'Diastolic blood pressure in mmHg. Give together with systolic_bp.',
    },
    serum_creatinine: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Serum creatinine in creatinine_unit, for eGFR (CKD-EPI 2021). Needs age and sex.',
    },
    creatinine_unit: {
      type: 'string',
      enum: ['mg/dL', 'umol/L'],
      default: 'mg/dL',
      description: 'Unit of serum_creatinine: "mg/dL" (default) or "umol/L" (µmol/L).',
    },
  },
  // Draft-07 `dependencies` rather than 2019-09 `dependentRequired`: ajv's default (draft-07)
  // class rejects `dependentRequired` in strict mode, while Ajv2019/Ajv2020 still accept this.
  dependencies: {
    systolic_bp: ['diastolic_bp'],
    diastolic_bp: ['systolic_bp'],
  },
} satisfies ToolInputSchema;

const DESCRIPTION = [
  'Computes clinical body-size, blood-pressure and kidney metrics for one patient. Call it whenever the',
  'answer depends on a patient\'s BMI, body surface area, ideal/adjusted body weight (e.g. for drug dosing),',
  'blood pressure category or eGFR, instead of calculating them yourself.',
  'Always: BMI (kg/m², WHO adult category) and body surface area (m², Mosteller).',
  'With sex: ideal body weight (kg, Devine) and adjusted body weight (kg; applies when actual weight > 120% of ideal).',
  'With systolic_bp and diastolic_bp (mmHg, both): mean arterial pressure and ACC/AHA 2017 category.',
  'With serum_creatinine plus age (18+) and sex: eGFR (mL/min/1.73m², race-free CKD-EPI 2021) and KDIGO stage G1–G5.',
  'Units: height in inches by default (convert feet+inches to inches: 5\'4" = 64) or height_unit "cm";',
  'weight in lb by default or weight_unit "kg"; creatinine in mg/dL by default or creatinine_unit "umol/L".',
  'Returns JSON with one section per computed metric, health_risk in [0, 1] (the lowest component score;',
  '1 = lowest risk) and notes explaining anything omitted. Impossible values are rejected with the field named.',
].join(' ');

// ---------------------------------------------------------------- computation

const BMI_SCORE_KEY = 'bmi_risk';
const BP_SCORE_KEY = 'bp_risk';
const EGFR_SCORE_KEY = 'egfr_risk';

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkEnum<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ToolArgumentError(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
}

function checkNumber(field: string, value: unknown): number {
  if (!isFiniteNumber(value)) throw new ToolArgumentError(field, 'must be a finite number');
  return value;
}

function within(value: number, range: { min: number; max: number }): boolean {
  return value >= range.min && value <= range.max;
}

/** Formats for messages: at most 2 decimals, no trailing zeros. */
function fmt(value: number): string {
  return String(roundTo(value, 2));
}

/**
 * The whole tool as a pure function: validates semantics (throwing ToolArgumentError) and returns
 * the output, scores and metadata. `execute` only delegates here.
 */
export function calculateClinicalMetrics(args: ClinicalMetricsArgs): ToolOutcome {
  const notes: string[] = [];

  // ---- units and plausibility
  const heightUnit = checkEnum<HeightUnit>('height_unit', args.height_unit, ['in', 'cm'], 'in');
  const weightUnit = checkEnum<WeightUnit>('weight_unit', args.weight_unit, ['lb', 'kg'], 'lb');
  const heightCm = heightToCm(checkNumber('height', args.height), heightUnit);
  const weightKg = weightToKg(checkNumber('weight', args.weight), weightUnit);

  if (!within(heightCm, LIMITS.heightCm)) {
    let hint = '';
    if (heightUnit === 'in' && within(args.height, LIMITS.heightCm)) hint = '; if the value is in centimetres, set height_unit to "cm"';
    if (heightUnit === 'cm' && within(heightToCm(args.height, 'in'), LIMITS.heightCm)) hint = '; if the value is in inches, set height_unit to "in"';
    throw new ToolArgumentError('height',
      `${fmt(args.height)} ${heightUnit} (${fmt(heightCm)} cm) is outside the plausible human range `
      + `${LIMITS.heightCm.min}–${LIMITS.heightCm.max} cm${hint}`);
  }
  if (!within(weightKg, LIMITS.weightKg)) {
    throw new ToolArgumentError('weight',
      `${fmt(args.weight)} ${weightUnit} (${fmt(weightKg)} kg) is outside the plausible human range `
      + `${LIMITS.weightKg.min}–${LIMITS.weightKg.max} kg`);
  }

  const age = args.age === undefined ? undefined : checkNumber('age', args.age);
  const sex = args.sex === undefined ? undefined : checkEnum<Sex>('sex', args.sex, ['female', 'male'], 'female');

  let systolic: number | undefined;
  let diastolic: number | undefined;
  if (args.systolic_bp !== undefined || args.diastolic_bp !== undefined) {
    // The schema's `dependencies` makes these come in pairs; keep the check for direct callers.
    if (args.systolic_bp === undefined) throw new ToolArgumentError('systolic_bp', 'is required when diastolic_bp is given');
    if (args.diastolic_bp === undefined) throw new ToolArgumentError('diastolic_bp', 'is required when systolic_bp is given');
    systolic = checkNumber('systolic_bp', args.systolic_bp);
    diastolic = checkNumber('diastolic_bp', args.diastolic_bp);
    if (!within(systolic, LIMITS.systolic)) {
      throw new ToolArgumentError('systolic_bp',
        `${fmt(systolic)} mmHg is outside the plausible range ${LIMITS.systolic.min}–${LIMITS.systolic.max} mmHg`);
    }
    if (!within(diastolic, LIMITS.diastolic)) {
      throw new ToolArgumentError('diastolic_bp',
        `${fmt(diastolic)} mmHg is outside the plausible range ${LIMITS.diastolic.min}–${LIMITS.diastolic.max} mmHg`);
    }
    if (diastolic >= systolic) {
      throw new ToolArgumentError('diastolic_bp',
        `${fmt(diastolic)} mmHg must be lower than systolic_bp (${fmt(systolic)} mmHg); check that the values are not swapped`);
    }
  }

  let creatinineMgDl: number | undefined;
  let creatinineUnit: CreatinineUnit | undefined;
  if (args.serum_creatinine !== undefined) {
    creatinineUnit = checkEnum<CreatinineUnit>('creatinine_unit', args.creatinine_unit, ['mg/dL', 'umol/L'], 'mg/dL');
    const raw = checkNumber('serum_creatinine', args.serum_creatinine);
    creatinineMgDl = creatinineToMgDl(raw, creatinineUnit);
    if (!within(creatinineMgDl, LIMITS.creatinineMgDl)) {
      let hint = '';
      if (creatinineUnit === 'mg/dL' && within(creatinineToMgDl(raw, 'umol/L'), LIMITS.creatinineMgDl)) {
        hint = '; if the value is in µmol/L, set creatinine_unit to "umol/L"';
      }
      throw new ToolArgumentError('serum_creatinine',
        `${fmt(raw)} ${creatinineUnit} (${fmt(creatinineMgDl)} mg/dL) is outside the plausible range `
        + `${LIMITS.creatinineMgDl.min}–${LIMITS.creatinineMgDl.max} mg/dL${hint}`);
    }
    if (age === undefined) throw new ToolArgumentError('age', 'is required to compute eGFR from serum_creatinine (CKD-EPI 2021 uses age)');
    if (sex === undefined) throw new ToolArgumentError('sex', 'is required to compute eGFR from serum_creatinine (CKD-EPI 2021 uses sex)');
    if (age < LIMITS.egfrMinAge) {
      throw new ToolArgumentError('age',
        `${fmt(age)} years: eGFR by CKD-EPI 2021 is only valid for adults (${LIMITS.egfrMinAge}+); use a pediatric equation such as bedside Schwartz`);
    }
  }

  const adult = age === undefined || age >= LIMITS.adultAge;
  if (age === undefined) notes.push('Age not given: adult reference ranges were assumed.');

  // ---- inputs echo
  const inputs: JsonObject = { height_cm: roundTo(heightCm, 1), weight_kg: roundTo(weightKg, 1) };
  if (age !== undefined) inputs.age = age;
  if (sex !== undefined) inputs.sex = sex;

  const output: JsonObject = { inputs };
  const scores: Record<string, number> = {};

  // ---- BMI (category from the reported, rounded value so they always agree)
  const bmiRaw = bmi(heightCm, weightKg);
  const bmiValue = roundTo(bmiRaw, 1);
  let bmiSection: BmiSection;
  if (adult) {
    const category = bmiCategory(bmiValue);
    bmiSection = { value: bmiValue, category, label: BMI_LABELS[category] };
    scores[BMI_SCORE_KEY] = bmiRiskScore(category);
  } else {
    bmiSection = { value: bmiValue };
    notes.push('Age under 18: WHO adult BMI categories do not apply, so no BMI category or BMI risk is given; '
      + 'interpret BMI with BMI-for-age percentiles (CDC/WHO growth charts).');
  }
  output.bmi = bmiSection;

  // ---- BSA
  const bsa: BodySurfaceAreaSection = { value_m2: roundTo(bsaMosteller(heightCm, weightKg), 2), formula: 'Mosteller' };
  output.body_surface_area = bsa;

  // ---- IBW / adjusted body weight
  const heightIn = cmToInches(heightCm);
  let idealKg: number | undefined;
  if (!adult) {
    notes.push('Ideal and adjusted body weight were not computed: the Devine formula is for adults.');
  } else if (sex === undefined) {
    notes.push('Ideal and adjusted body weight were not computed: they need sex (female or male).');
  } else if (heightIn < DEVINE_MIN_HEIGHT_IN) {
    notes.push(`Ideal and adjusted body weight were not computed: the Devine formula is not used below `
      + `${DEVINE_MIN_HEIGHT_IN} in (${fmt(heightToCm(DEVINE_MIN_HEIGHT_IN, 'in'))} cm).`);
  } else {
    idealKg = idealBodyWeightDevine(heightCm, sex);
    if (heightIn < 60) {
      notes.push('Height under 60 in (152.4 cm): ideal body weight extends the Devine line below 60 in '
        + '(2.3 kg subtracted per inch under 60 in); interpret with caution.');
    }
    const ibw: IdealBodyWeightSection = { value_kg: roundTo(idealKg, 1), formula: 'Devine' };
    const applies = adjustedBodyWeightApplies(idealKg, weightKg);
    const abw: AdjustedBodyWeightSection = {
      value_kg: roundTo(adjustedBodyWeight(idealKg, weightKg), 1),
      formula: ADJUSTED_BODY_WEIGHT_FORMULA,
      applies,
    };
    output.ideal_body_weight = ibw;
    output.adjusted_body_weight = abw;
  }

  // ---- blood pressure
  let bpCat: BpCategory | undefined;
  if (systolic !== undefined && diastolic !== undefined) {
    const map = roundTo(meanArterialPressure(systolic, diastolic), 1);
    let bpSection: BloodPressureSection;
    if (age !== undefined && age < LIMITS.adultBpThresholdsAge) {
      bpSection = { systolic, diastolic, mean_arterial_pressure: map };
      notes.push(`Age under ${LIMITS.adultBpThresholdsAge}: ACC/AHA adult blood pressure categories do not apply; `
        + 'classify with the AAP 2017 percentile tables (age, sex and height).');
    } else {
      bpCat = bpCategory(systolic, diastolic);
      bpSection = { systolic, diastolic, mean_arterial_pressure: map, category: bpCat, label: BP_LABELS[bpCat] };
      scores[BP_SCORE_KEY] = bpRiskScore(bpCat);
      if (!adult) notes.push('Blood pressure classified with the adult thresholds, which the AAP 2017 guideline also uses from age 13.');
      notes.push('Blood pressure category is from a single reading; ACC/AHA 2017 bases diagnosis on the average of ≥2 readings on ≥2 occasions.');
      if (bpCat === 'hypertensive_crisis') notes.push('Hypertensive crisis range: assess promptly for acute target-organ damage.');
    }
    output.blood_pressure = bpSection;
  }

  // ---- eGFR
  let egfrRaw: number | undefined;
  if (creatinineMgDl !== undefined && age !== undefined && sex !== undefined) {
    egfrRaw = egfrCkdEpi2021(creatinineMgDl, age, sex);
    const value = Math.round(egfrRaw);
    const stage = ckdStage(value);
    const egfr: EgfrSection = { value, unit: EGFR_UNIT, equation: 'CKD-EPI 2021', ckd_stage: stage, label: CKD_STAGE_LABELS[stage] };
    output.egfr = egfr;
    scores[EGFR_SCORE_KEY] = egfrRiskScore(stage);
    notes.push('eGFR assumes stable serum creatinine (not valid during acute kidney injury)'
      + (stage === 'G1' || stage === 'G2' ? '; G1–G2 indicate CKD only with other markers of kidney damage such as albuminuria.' : '.'));
  }

  // ---- health_risk: the worst (lowest) component; absent when no component could be scored
  const components = Object.values(scores);
  if (components.length > 0) {
    const healthRisk = Math.min(...components);
    output.health_risk = healthRisk;
    scores.health_risk = healthRisk;
  } else {
    notes.push('health_risk was not computed: no adult category applies to the values given.');
  }
  output.notes = notes;

  const metadata: JsonObject = {
    height_unit: heightUnit,
    weight_unit: weightUnit,
    height_cm: heightCm,
    weight_kg: weightKg,
    bmi_unrounded: bmiRaw,
    adult_reference_ranges: adult,
    sections: Object.keys(output).filter((key) => key !== 'inputs' && key !== 'notes' && key !== 'health_risk'),
  };
  if (creatinineUnit !== undefined) metadata.creatinine_unit = creatinineUnit;
  if (creatinineMgDl !== undefined) metadata.serum_creatinine_mg_dl = creatinineMgDl;
  if (egfrRaw !== undefined) metadata.egfr_unrounded = egfrRaw;

  return { output, scores: orderScores(scores), metadata };
}

/** health_risk first, then the components, for stable span attributes. */
function orderScores(scores: Record<string, number>): Record<string, number> {
  const ordered: Record<string, number> = {};
  for (const key of ['health_risk', BMI_SCORE_KEY, BP_SCORE_KEY, EGFR_SCORE_KEY]) {
    if (scores[key] !== undefined) ordered[key] = scores[key];
  }
  return ordered;
}

export const clinicalMetricsTool: Tool<ClinicalMetricsArgs> = {
  name: CLINICAL_METRICS_TOOL_NAME,
  description: DESCRIPTION,
  inputSchema: clinicalMetricsInputSchema,
  execute(args, context) {
    if (context.signal.aborted) throw context.signal.reason ?? new Error('aborted');
    return calculateClinicalMetrics(args);
  },
};
