import assert from 'node:assert/strict';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import pino from 'pino';
import { ToolArgumentError, type ToolContext, type ToolOutcome } from '../../services/toolworker/tool.js';
import {
  bmi, bmiCategory, bpCategory, ckdStage, cmToInches, creatinineToMgDl, egfrCkdEpi2021, heightToCm,
  idealBodyWeightDevine, kgToPounds, roundTo, weightToKg,
  type BmiCategory, type BpCategory, type CkdStage,
} from '../../services/toolworker/tools/clinical-formulas.js';
import {
  calculateClinicalMetrics, clinicalMetricsTool, type ClinicalMetricsArgs,
} from '../../services/toolworker/tools/clinical-metrics.js';
import type { JsonObject, JsonValue } from '../../lib/json.js';
import { ToolRegistry } from '../../services/toolworker/tool-registry.js';

// ---------------------------------------------------------------- helpers

function context(signal = new AbortController().signal): ToolContext {
  return { signal, log: pino({ level: 'silent' }) };
}

function run(args: ClinicalMetricsArgs): ToolOutcome {
  return calculateClinicalMetrics(args);
}

function section(outcome: ToolOutcome, key: string): JsonObject {
  const value = outcome.output[key];
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `section ${key} present`);
  return value;
}

function notes(outcome: ToolOutcome): string[] {
  const value = outcome.output.notes;
  assert.ok(Array.isArray(value));
  return value as string[];
}

/** Asserts `fn` throws a ToolArgumentError naming `field`, and returns it. */
function expectArgumentError(fn: () => unknown, field: string, message?: RegExp): ToolArgumentError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ToolArgumentError, `expected ToolArgumentError, got ${String(caught)}`);
  assert.equal(caught.field, field);
  if (message) assert.match(caught.description, message);
  return caught;
}

function allNumbers(value: JsonValue, found: number[] = []): number[] {
  if (typeof value === 'number') found.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allNumbers(v, found));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => allNumbers(v, found));
  return found;
}

const SEED: ClinicalMetricsArgs = { height: 64, weight: 180, age: 45, sex: 'female' };

// ---------------------------------------------------------------- tool definition

describe('calculate_clinical_metrics: definition', () => {
  it('has the agreed name, a description and a closed schema with a description on every property', () => {
    assert.equal(clinicalMetricsTool.name, 'calculate_clinical_metrics');
    assert.ok(clinicalMetricsTool.description.length > 200);
    const schema = clinicalMetricsTool.inputSchema;
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['height', 'weight']);
    const properties = schema.properties as Record<string, JsonObject>;
    assert.deepEqual(Object.keys(properties).sort(), [
      'age', 'creatinine_unit', 'diastolic_bp', 'height', 'height_unit', 'serum_creatinine', 'sex',
      'systolic_bp', 'weight', 'weight_unit',
    ]);
    for (const [name, property] of Object.entries(properties)) {
      assert.equal(typeof property.description, 'string', `${name} has a description`);
      assert.ok((property.description as string).length > 10, `${name} description is meaningful`);
    }
    // The schema is plain JSON (it goes over the wire to the model).
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
  });
});

describe('calculate_clinical_metrics: input schema (ajv strict)', () => {
  const flavours = [
    ['draft-07 (Ajv)', () => new Ajv({ allErrors: true, strict: true })],
    ['2019-09 (Ajv2019)', () => new Ajv2019({ allErrors: true, strict: true })],
    ['2020-12 (Ajv2020)', () => new Ajv2020({ allErrors: true, strict: true })],
  ] as const;

  for (const [flavour, make] of flavours) {
    describe(flavour, () => {
      const validate = make().compile(clinicalMetricsTool.inputSchema);

      it('accepts valid arguments', () => {
        const valid: JsonObject[] = [
          { height: 64, weight: 180 },
          { height: 162.56, height_unit: 'cm', weight: 81.6, weight_unit: 'kg' },
          { ...SEED, systolic_bp: 150, diastolic_bp: 95, serum_creatinine: 1.0 },
          { height: 70, weight: 154, age: 60, sex: 'male', serum_creatinine: 106, creatinine_unit: 'umol/L' },
          { height: 70, weight: 154, age: 0 },
          { height: 70, weight: 154, age: 130 },
        ];
        for (const args of valid) assert.equal(validate(args), true, `${JSON.stringify(args)}: ${JSON.stringify(validate.errors)}`);
      });

      it('rejects invalid arguments', () => {
        const invalid: Array<[string, JsonObject]> = [
          ['missing height', { weight: 180 }],
          ['missing weight', { height: 64 }],
          ['unknown height unit', { height: 64, height_unit: 'furlongs', weight: 180 }],
          ['unknown weight unit', { height: 64, weight: 180, weight_unit: 'stone' }],
          ['systolic without diastolic', { height: 64, weight: 180, systolic_bp: 120 }],
          ['diastolic without systolic', { height: 64, weight: 180, diastolic_bp: 80 }],
          ['extra property', { height: 64, weight: 180, bmi: 30 }],
          ['fractional age', { height: 64, weight: 180, age: 3.5 }],
          ['age over 130', { height: 64, weight: 180, age: 131 }],
          ['negative age', { height: 64, weight: 180, age: -1 }],
          ['zero height', { height: 0, weight: 180 }],
          ['negative weight', { height: 64, weight: -1 }],
          ['height as a string', { height: '64', weight: 180 }],
          ['unknown sex', { height: 64, weight: 180, sex: 'other' }],
          ['fractional systolic', { height: 64, weight: 180, systolic_bp: 120.5, diastolic_bp: 80 }],
          ['zero creatinine', { ...SEED, height: 64, weight: 180, serum_creatinine: 0 }],
          ['unknown creatinine unit', { ...SEED, serum_creatinine: 1, creatinine_unit: 'mmol/L' }],
        ];
        for (const [name, args] of invalid) assert.equal(validate(args), false, name);
      });
    });
  }

  it('names the missing half of a blood pressure and what asked for it', () => {
    const registry = new ToolRegistry().register(clinicalMetricsTool);
    assert.deepEqual(registry.validate(clinicalMetricsTool.name, { height: 64, weight: 180, systolic_bp: 150 }), [
      { field: 'diastolic_bp', description: 'is required when systolic_bp is given' },
    ]);
  });
});

// ---------------------------------------------------------------- reference values

describe('calculate_clinical_metrics: reference values', () => {
  it('computes the seed case: 45-year-old woman, 5\'4", 180 lb, BP 150/95, Scr 1.0 mg/dL', () => {
    const outcome = run({ ...SEED, systolic_bp: 150, diastolic_bp: 95, serum_creatinine: 1.0 });
    // 64 in × 2.54 = 162.56 cm; 180 lb × 0.45359237 = 81.6466 kg.
    // BMI = 81.6466 / 1.6256² = 81.6466 / 2.64258 = 30.897 → 30.9 (imperial check: 703 × 180 / 64² = 30.89),
    //   30 ≤ 30.9 < 35 → obesity class I, seed score 0.3.
    // BSA = √(162.56 × 81.6466 / 3600) = √(13272.5 / 3600) = √3.68680 = 1.920 → 1.92.
    // IBW (female) = 45.5 + 2.3 × (64 − 60) = 54.7; ABW = 54.7 + 0.4 × (81.6466 − 54.7) = 65.479 → 65.5,
    //   applies: 81.65 > 1.2 × 54.7 = 65.64.
    // MAP = 95 + (150 − 95) / 3 = 113.33 → 113.3; 150 ≥ 140 → stage 2 (0.4).
    // eGFR: Scr/κ = 1.0/0.7 = 1.428571 > 1, so min term = 1 and max term = 1.428571^−1.2 =
    //   e^(−1.2 × 0.356675) = e^(−0.428010) = 0.651822; 0.9938^45 = e^(45 × −0.0062193) = e^(−0.279869) = 0.755849;
    //   142 × 0.651822 × 0.755849 × 1.012 = 70.80 → 71, G2 (0.8).
    // health_risk = min(0.3, 0.4, 0.8) = 0.3.
    assert.deepEqual(outcome.output.inputs, { height_cm: 162.6, weight_kg: 81.6, age: 45, sex: 'female' });
    assert.deepEqual(outcome.output.bmi, { value: 30.9, category: 'obese_class_1', label: 'Obesity class I' });
    assert.deepEqual(outcome.output.body_surface_area, { value_m2: 1.92, formula: 'Mosteller' });
    assert.deepEqual(outcome.output.ideal_body_weight, { value_kg: 54.7, formula: 'Devine' });
    assert.deepEqual(outcome.output.adjusted_body_weight, { value_kg: 65.5, formula: 'IBW + 0.4 × (actual − IBW)', applies: true });
    assert.deepEqual(outcome.output.blood_pressure, {
      systolic: 150, diastolic: 95, mean_arterial_pressure: 113.3, category: 'stage_2_hypertension', label: 'Stage 2 hypertension',
    });
    assert.deepEqual(outcome.output.egfr, {
      value: 71, unit: 'mL/min/1.73m²', equation: 'CKD-EPI 2021', ckd_stage: 'G2', label: 'Mildly decreased',
    });
    assert.equal(outcome.output.health_risk, 0.3);
    assert.deepEqual(outcome.scores, { health_risk: 0.3, bmi_risk: 0.3, bp_risk: 0.4, egfr_risk: 0.8 });
    assert.deepEqual(Object.keys(outcome.output), [
      'inputs', 'bmi', 'body_surface_area', 'ideal_body_weight', 'adjusted_body_weight', 'blood_pressure', 'egfr',
      'health_risk', 'notes',
    ]);
    assert.ok(notes(outcome).every((n) => typeof n === 'string' && n.length > 0));
    assert.equal(outcome.metadata?.serum_creatinine_mg_dl, 1);
  });

  it('computes the seed case with only height and weight (the README prompt): BMI 30.9, health_risk 0.3', () => {
    const outcome = run({ height: 64, weight: 180 });
    assert.deepEqual(outcome.output.bmi, { value: 30.9, category: 'obese_class_1', label: 'Obesity class I' });
    assert.deepEqual(outcome.scores, { health_risk: 0.3, bmi_risk: 0.3 });
    assert.equal(outcome.output.blood_pressure, undefined);
    assert.equal(outcome.output.egfr, undefined);
    assert.equal(outcome.output.ideal_body_weight, undefined);
  });

  it('matches hand-computed CKD-EPI 2021 values', () => {
    const cases: Array<[string, number, number, 'female' | 'male', number, number, CkdStage]> = [
      // 50 F, Scr 1.0: 142 × 0.651822 × 0.9938^50 (= e^(−0.310965) = 0.732768) × 1.012 = 68.64 → 69.
      //   (The brief's "≈ 68" is the truncated value; the equation rounds to 69.)
      ['50 F, Scr 1.0', 1.0, 50, 'female', 68.64, 69, 'G2'],
      // 60 M, Scr 1.2: 1.2/0.9 = 1.33333; 1.33333^−1.2 = e^(−1.2 × 0.287682) = 0.708066;
      //   0.9938^60 = e^(−0.373158) = 0.688528; 142 × 0.708066 × 0.688528 = 69.23 → 69.
      ['60 M, Scr 1.2', 1.2, 60, 'male', 69.23, 69, 'G2'],
      // 40 F, Scr 0.5 (< κ, so the α term applies): 0.5/0.7 = 0.714286; 0.714286^−0.241 = e^(0.241 × 0.336472)
      //   = 1.084469; 0.9938^40 = e^(−0.248772) = 0.779771; 142 × 1.084469 × 0.779771 × 1.012 = 121.52 → 122.
      ['40 F, Scr 0.5', 0.5, 40, 'female', 121.52, 122, 'G1'],
      // 40 M, Scr = κ = 0.9: both ratio terms are 1; 142 × 0.779771 = 110.73 → 111.
      ['40 M, Scr 0.9', 0.9, 40, 'male', 110.73, 111, 'G1'],
      // 70 M, Scr 2.0: 2/0.9 = 2.22222; 2.22222^−1.2 = e^(−1.2 × 0.798508) = 0.383582;
      //   0.9938^70 = e^(−0.435351) = 0.647056; 142 × 0.383582 × 0.647056 = 35.24 → 35, G3b.
      ['70 M, Scr 2.0', 2.0, 70, 'male', 35.24, 35, 'G3b'],
    ];
    for (const [name, scr, age, sex, raw, rounded, stage] of cases) {
      assert.ok(Math.abs(egfrCkdEpi2021(scr, age, sex) - raw) < 0.01, `${name}: ${egfrCkdEpi2021(scr, age, sex)}`);
      const egfr = section(run({ height: 66, weight: 160, age, sex, serum_creatinine: scr }), 'egfr');
      assert.equal(egfr.value, rounded, name);
      assert.equal(egfr.ckd_stage, stage, name);
    }
  });

  it('converts creatinine from µmol/L (÷ 88.4)', () => {
    const mg = section(run({ ...SEED, age: 50, serum_creatinine: 1.0 }), 'egfr');
    const umol = section(run({ ...SEED, age: 50, serum_creatinine: 88.4, creatinine_unit: 'umol/L' }), 'egfr');
    assert.deepEqual(umol, mg);
    assert.equal(umol.value, 69);
  });

  it('maps each KDIGO stage to its label and score', () => {
    const expected: Array<[number, CkdStage, number]> = [
      [120, 'G1', 1.0], [90, 'G1', 1.0], [89, 'G2', 0.8], [60, 'G2', 0.8], [59, 'G3a', 0.6], [45, 'G3a', 0.6],
      [44, 'G3b', 0.4], [30, 'G3b', 0.4], [29, 'G4', 0.2], [15, 'G4', 0.2], [14, 'G5', 0.1], [5, 'G5', 0.1],
    ];
    for (const [value, stage] of expected) assert.equal(ckdStage(value), stage, String(value));
    // Through the tool: 80 M with Scr 5.0 → 142 × (5/0.9)^−1.2 × 0.9938^80 ≈ 142 × 0.1277 × 0.6084 ≈ 11 → G5, 0.1.
    const outcome = run({ height: 70, weight: 160, age: 80, sex: 'male', serum_creatinine: 5.0 });
    assert.equal(section(outcome, 'egfr').ckd_stage, 'G5');
    assert.equal(section(outcome, 'egfr').label, 'Kidney failure');
    assert.equal(outcome.scores?.egfr_risk, 0.1);
    assert.equal(outcome.scores?.health_risk, 0.1);
  });

  it('gives the same result for metric and imperial inputs', () => {
    const imperial = run({ ...SEED, systolic_bp: 128, diastolic_bp: 82 });
    const metric = run({ ...SEED, height: 162.56, height_unit: 'cm', weight: 81.6466266, weight_unit: 'kg', systolic_bp: 128, diastolic_bp: 82 });
    assert.deepEqual(metric.output, imperial.output);
    assert.deepEqual(metric.scores, imperial.scores);
    // Missing units mean the defaults (in, lb, mg/dL).
    const explicit = run({ ...SEED, height_unit: 'in', weight_unit: 'lb', serum_creatinine: 0.8, creatinine_unit: 'mg/dL' });
    assert.deepEqual(run({ ...SEED, serum_creatinine: 0.8 }), explicit);
  });

  it('reports BMI categories at the WHO boundaries of the reported value', () => {
    // Height 100 cm makes BMI = kg exactly.
    const cases: Array<[number, BmiCategory, number]> = [
      [18.4, 'underweight', 0.5], [18.5, 'normal', 1.0], [24.9, 'normal', 1.0], [25.0, 'overweight', 0.7],
      [29.9, 'overweight', 0.7], [30.0, 'obese_class_1', 0.3], [34.9, 'obese_class_1', 0.3], [35.0, 'obese_class_2', 0.3],
      [39.9, 'obese_class_2', 0.3], [40.0, 'obese_class_3', 0.3], [60.0, 'obese_class_3', 0.3],
      // 24.96 rounds to 25.0: the category follows the number shown.
      [24.96, 'overweight', 0.7],
    ];
    for (const [kg, category, score] of cases) {
      const outcome = run({ height: 100, height_unit: 'cm', weight: kg, weight_unit: 'kg' });
      assert.equal(section(outcome, 'bmi').category, category, String(kg));
      assert.equal(outcome.scores?.bmi_risk, score, String(kg));
    }
  });
});

// ---------------------------------------------------------------- blood pressure

describe('calculate_clinical_metrics: blood pressure', () => {
  const cases: Array<[number, number, BpCategory, number]> = [
    [119, 79, 'normal', 1.0],
    [120, 79, 'elevated', 0.8],
    [129, 79, 'elevated', 0.8],
    [130, 79, 'stage_1_hypertension', 0.6],
    [139, 79, 'stage_1_hypertension', 0.6],
    [119, 80, 'stage_1_hypertension', 0.6],
    [119, 89, 'stage_1_hypertension', 0.6],
    [125, 85, 'stage_1_hypertension', 0.6], // elevated systolic, stage 1 diastolic: the higher wins
    [139, 89, 'stage_1_hypertension', 0.6],
    [140, 79, 'stage_2_hypertension', 0.4],
    [119, 90, 'stage_2_hypertension', 0.4],
    [135, 95, 'stage_2_hypertension', 0.4],
    [180, 120, 'stage_2_hypertension', 0.4], // crisis needs > 180 or > 120
    [181, 100, 'hypertensive_crisis', 0.1],
    [150, 121, 'hypertensive_crisis', 0.1],
    [210, 130, 'hypertensive_crisis', 0.1],
  ];
  for (const [sbp, dbp, category, score] of cases) {
    it(`${sbp}/${dbp} → ${category}`, () => {
      assert.equal(bpCategory(sbp, dbp), category);
      const outcome = run({ ...SEED, height: 68, weight: 150, systolic_bp: sbp, diastolic_bp: dbp });
      const bp = section(outcome, 'blood_pressure');
      assert.equal(bp.category, category);
      assert.equal(outcome.scores?.bp_risk, score);
      // BMI here is 22.8 (normal, 1.0), so health_risk is the BP score.
      assert.equal(outcome.scores?.health_risk, score);
    });
  }

  it('computes MAP to one decimal with a human label', () => {
    // 120/80: 80 + 40/3 = 93.33 → 93.3.
    assert.deepEqual(section(run({ ...SEED, systolic_bp: 120, diastolic_bp: 80 }), 'blood_pressure'), {
      systolic: 120, diastolic: 80, mean_arterial_pressure: 93.3, category: 'stage_1_hypertension', label: 'Stage 1 hypertension',
    });
    // 100/70: 70 + 30/3 = 80.0.
    assert.equal(section(run({ ...SEED, systolic_bp: 100, diastolic_bp: 70 }), 'blood_pressure').mean_arterial_pressure, 80);
  });

  it('adds an urgent note for a hypertensive crisis', () => {
    assert.ok(notes(run({ ...SEED, systolic_bp: 200, diastolic_bp: 110 })).some((n) => /crisis/i.test(n)));
  });
});

// ---------------------------------------------------------------- body weights

describe('calculate_clinical_metrics: ideal and adjusted body weight', () => {
  it('applies adjusted body weight only when actual > 1.2 × IBW', () => {
    // Female 64 in: IBW 54.7 kg, threshold 65.64 kg.
    const below = run({ ...SEED, weight: 65.6, weight_unit: 'kg' });
    const above = run({ ...SEED, weight: 65.7, weight_unit: 'kg' });
    assert.equal(section(below, 'adjusted_body_weight').applies, false);
    assert.equal(section(above, 'adjusted_body_weight').applies, true);
    // 54.7 + 0.4 × (65.7 − 54.7) = 59.1.
    assert.equal(section(above, 'adjusted_body_weight').value_kg, 59.1);
  });

  it('uses the male base of 50 kg and reports ABW below IBW as not applying', () => {
    // Male 70 in: IBW = 50 + 2.3 × 10 = 73.0; 70 kg actual → ABW = 73 + 0.4 × (70 − 73) = 71.8, applies false.
    const outcome = run({ height: 70, weight: 70, weight_unit: 'kg', sex: 'male' });
    assert.deepEqual(outcome.output.ideal_body_weight, { value_kg: 73, formula: 'Devine' });
    assert.deepEqual(outcome.output.adjusted_body_weight, { value_kg: 71.8, formula: 'IBW + 0.4 × (actual − IBW)', applies: false });
  });

  it('omits ideal and adjusted body weight without sex, and says why', () => {
    const outcome = run({ height: 64, weight: 180, age: 45 });
    assert.equal(outcome.output.ideal_body_weight, undefined);
    assert.equal(outcome.output.adjusted_body_weight, undefined);
    assert.ok(notes(outcome).some((n) => /ideal and adjusted body weight/i.test(n) && /sex/.test(n)));
    assert.equal(section(outcome, 'bmi').value, 30.9);
    assert.equal(section(outcome, 'body_surface_area').value_m2, 1.92);
  });

  it('extends the Devine line below 60 in (subtracting 2.3 kg per inch) with a note', () => {
    // Female 58 in: 45.5 − 2.3 × 2 = 40.9. Male 55 in: 50 − 2.3 × 5 = 38.5.
    const female = run({ height: 58, weight: 110, sex: 'female', age: 70 });
    assert.equal(section(female, 'ideal_body_weight').value_kg, 40.9);
    assert.ok(notes(female).some((n) => /under 60 in/.test(n)));
    assert.equal(section(run({ height: 55, weight: 110, sex: 'male' }), 'ideal_body_weight').value_kg, 38.5);
  });

  it('does not report Devine IBW below 48 in', () => {
    const outcome = run({ height: 47, weight: 70, sex: 'female', age: 40 });
    assert.equal(outcome.output.ideal_body_weight, undefined);
    assert.ok(notes(outcome).some((n) => /48 in/.test(n)));
    assert.equal(section(run({ height: 48, weight: 70, sex: 'female' }), 'ideal_body_weight').value_kg, 17.9);
  });
});

// ---------------------------------------------------------------- children

describe('calculate_clinical_metrics: patients under 18', () => {
  it('gives BMI without an adult category, no Devine weights and no health_risk', () => {
    const outcome = run({ height: 120, height_unit: 'cm', weight: 25, weight_unit: 'kg', age: 8, sex: 'male' });
    assert.deepEqual(outcome.output.bmi, { value: 17.4 });
    assert.equal(outcome.output.ideal_body_weight, undefined);
    assert.equal(outcome.output.health_risk, undefined);
    assert.deepEqual(outcome.scores, {});
    assert.ok(notes(outcome).some((n) => /BMI-for-age/.test(n)));
  });

  it('classifies BP with adult thresholds from 13 but not below', () => {
    const teen = run({ height: 65, weight: 120, age: 15, systolic_bp: 132, diastolic_bp: 70 });
    assert.equal(section(teen, 'blood_pressure').category, 'stage_1_hypertension');
    assert.deepEqual(teen.scores, { health_risk: 0.6, bp_risk: 0.6 });
    const child = run({ height: 50, weight: 60, age: 9, systolic_bp: 110, diastolic_bp: 70 });
    assert.equal(section(child, 'blood_pressure').category, undefined);
    assert.equal(section(child, 'blood_pressure').mean_arterial_pressure, 83.3);
    assert.ok(notes(child).some((n) => /AAP 2017/.test(n)));
  });
});

// ---------------------------------------------------------------- impossible values

describe('calculate_clinical_metrics: impossible values', () => {
  const cases: Array<[string, ClinicalMetricsArgs, string, RegExp?]> = [
    ['height over 272 cm', { height: 300, height_unit: 'cm', weight: 80, weight_unit: 'kg' }, 'height', /40–272 cm/],
    ['height under 40 cm', { height: 30, height_unit: 'cm', weight: 3, weight_unit: 'kg' }, 'height'],
    ['height in cm sent as inches', { height: 170, weight: 150 }, 'height', /height_unit to "cm"/],
    ['weight under 1 kg', { height: 50, height_unit: 'cm', weight: 0.5, weight_unit: 'kg' }, 'weight', /1–650 kg/],
    ['weight over 650 kg', { height: 70, weight: 1500 }, 'weight'],
    ['systolic under 50', { ...SEED, systolic_bp: 40, diastolic_bp: 30 }, 'systolic_bp', /50–300/],
    ['systolic over 300', { ...SEED, systolic_bp: 310, diastolic_bp: 100 }, 'systolic_bp'],
    ['diastolic under 20', { ...SEED, systolic_bp: 90, diastolic_bp: 10 }, 'diastolic_bp', /20–200/],
    ['diastolic over 200', { ...SEED, systolic_bp: 290, diastolic_bp: 210 }, 'diastolic_bp'],
    ['diastolic equal to systolic', { ...SEED, systolic_bp: 120, diastolic_bp: 120 }, 'diastolic_bp', /lower than systolic/],
    ['diastolic above systolic (swapped)', { ...SEED, systolic_bp: 80, diastolic_bp: 120 }, 'diastolic_bp', /swapped/],
    ['creatinine under 0.1 mg/dL', { ...SEED, serum_creatinine: 0.05 }, 'serum_creatinine', /0\.1–25 mg\/dL/],
    ['creatinine over 25 mg/dL', { ...SEED, serum_creatinine: 30 }, 'serum_creatinine'],
    ['creatinine in µmol/L sent as mg/dL', { ...SEED, serum_creatinine: 97 }, 'serum_creatinine', /umol\/L/],
    ['creatinine over 25 mg/dL in µmol/L', { ...SEED, serum_creatinine: 3000, creatinine_unit: 'umol/L' }, 'serum_creatinine'],
    ['creatinine without age', { height: 64, weight: 180, sex: 'female', serum_creatinine: 1 }, 'age', /required to compute eGFR/],
    ['creatinine without sex', { height: 64, weight: 180, age: 45, serum_creatinine: 1 }, 'sex', /required to compute eGFR/],
    ['creatinine under 18', { height: 60, weight: 100, age: 17, sex: 'male', serum_creatinine: 0.7 }, 'age', /adults/],
    ['systolic without diastolic (direct caller)', { ...SEED, systolic_bp: 120 }, 'diastolic_bp'],
    ['diastolic without systolic (direct caller)', { ...SEED, diastolic_bp: 80 }, 'systolic_bp'],
    ['unknown unit (direct caller)', { ...SEED, height_unit: 'ft' as 'in' }, 'height_unit'],
    ['NaN weight (direct caller)', { ...SEED, weight: Number.NaN }, 'weight'],
  ];
  for (const [name, args, field, message] of cases) {
    it(`${name} → ToolArgumentError on ${field}`, () => {
      expectArgumentError(() => run(args), field, message);
    });
  }

  it('accepts the plausibility limits themselves', () => {
    assert.doesNotThrow(() => run({ height: 40, height_unit: 'cm', weight: 1, weight_unit: 'kg' }));
    assert.doesNotThrow(() => run({ height: 272, height_unit: 'cm', weight: 650, weight_unit: 'kg' }));
    assert.doesNotThrow(() => run({ ...SEED, systolic_bp: 300, diastolic_bp: 200, serum_creatinine: 25 }));
    assert.doesNotThrow(() => run({ ...SEED, systolic_bp: 50, diastolic_bp: 20, age: 18, serum_creatinine: 0.1 }));
  });

  it('rejects through execute too', async () => {
    await assert.rejects(
      async () => clinicalMetricsTool.execute({ ...SEED, systolic_bp: 80, diastolic_bp: 120 }, context()),
      (error: unknown) => error instanceof ToolArgumentError && error.field === 'diastolic_bp',
    );
  });
});

// ---------------------------------------------------------------- execute

describe('calculate_clinical_metrics: execute', () => {
  it('returns the same outcome as the pure function', async () => {
    const args: ClinicalMetricsArgs = { ...SEED, systolic_bp: 118, diastolic_bp: 76, serum_creatinine: 0.8 };
    assert.deepEqual(await clinicalMetricsTool.execute(args, context()), run(args));
  });

  it('stops when the call is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await assert.rejects(async () => clinicalMetricsTool.execute(SEED, context(controller.signal)), /deadline/);
  });

  it('scores health_risk as the lowest component', () => {
    // 5'8", 150 lb (BMI 22.8, 1.0), 116/76 (1.0), 40 F Scr 0.7 (eGFR 112, G1, 1.0) → 1.0.
    const healthy = run({ height: 68, weight: 150, age: 40, sex: 'female', systolic_bp: 116, diastolic_bp: 76, serum_creatinine: 0.7 });
    assert.deepEqual(healthy.scores, { health_risk: 1, bmi_risk: 1, bp_risk: 1, egfr_risk: 1 });
    assert.equal(healthy.output.health_risk, 1);
    // Underweight (0.5) with elevated BP (0.8) → 0.5.
    const thin = run({ height: 70, weight: 115, systolic_bp: 124, diastolic_bp: 70 });
    assert.deepEqual(thin.scores, { health_risk: 0.5, bmi_risk: 0.5, bp_risk: 0.8 });
  });
});

// ---------------------------------------------------------------- properties

describe('calculate_clinical_metrics: properties', () => {
  const plausibleHeightCm = fc.double({ min: 40, max: 272, noNaN: true });
  const plausibleWeightKg = fc.double({ min: 1, max: 650, noNaN: true });
  const bloodPressure = fc.integer({ min: 51, max: 300 })
    .chain((sbp) => fc.tuple(fc.constant(sbp), fc.integer({ min: 20, max: Math.min(200, sbp - 1) })));
  const fullArgs: fc.Arbitrary<ClinicalMetricsArgs> = fc.record({
    heightCm: plausibleHeightCm,
    weightKg: plausibleWeightKg,
    imperial: fc.boolean(),
    age: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
    sex: fc.option(fc.constantFrom('female' as const, 'male' as const), { nil: undefined }),
    bp: fc.option(bloodPressure, { nil: undefined }),
    creatinine: fc.option(fc.double({ min: 0.1, max: 25, noNaN: true }), { nil: undefined }),
  }).map(({ heightCm, weightKg, imperial, age, sex, bp, creatinine }) => {
    const args: ClinicalMetricsArgs = imperial
      ? { height: cmToInches(heightCm), weight: kgToPounds(weightKg) }
      : { height: heightCm, height_unit: 'cm', weight: weightKg, weight_unit: 'kg' };
    if (age !== undefined) args.age = age;
    if (sex !== undefined) args.sex = sex;
    if (bp) [args.systolic_bp, args.diastolic_bp] = bp;
    if (creatinine !== undefined && age !== undefined && age >= 18 && sex !== undefined) args.serum_creatinine = creatinine;
    return args;
  });

  /** Args whose converted values may fall just outside the limits after a round trip are allowed to throw. */
  function runOrArgumentError(args: ClinicalMetricsArgs): ToolOutcome | undefined {
    try {
      return run(args);
    } catch (error) {
      assert.ok(error instanceof ToolArgumentError, String(error));
      return undefined;
    }
  }

  it('BMI is monotonic in weight', () => {
    fc.assert(fc.property(plausibleHeightCm, plausibleWeightKg, plausibleWeightKg, (cm, w1, w2) => {
      const [lo, hi] = w1 <= w2 ? [w1, w2] : [w2, w1];
      assert.ok(bmi(cm, lo) <= bmi(cm, hi));
      const a = section(run({ height: cm, height_unit: 'cm', weight: lo, weight_unit: 'kg' }), 'bmi').value as number;
      const b = section(run({ height: cm, height_unit: 'cm', weight: hi, weight_unit: 'kg' }), 'bmi').value as number;
      assert.ok(a <= b, `${a} > ${b}`);
    }));
  });

  it('produces finite numbers, scores in [0, 1] and health_risk = the lowest component', () => {
    fc.assert(fc.property(fullArgs, (args) => {
      const outcome = runOrArgumentError(args);
      if (!outcome) return;
      for (const n of allNumbers(outcome.output)) assert.ok(Number.isFinite(n), `non-finite ${n}`);
      for (const n of allNumbers(outcome.metadata ?? {})) assert.ok(Number.isFinite(n), `non-finite metadata ${n}`);
      const scores = outcome.scores ?? {};
      for (const [key, value] of Object.entries(scores)) assert.ok(value >= 0 && value <= 1, `${key}=${value}`);
      const components = Object.entries(scores).filter(([key]) => key !== 'health_risk').map(([, v]) => v);
      if (components.length > 0) {
        assert.equal(scores.health_risk, Math.min(...components));
        assert.equal(outcome.output.health_risk, scores.health_risk);
      } else {
        assert.equal(scores.health_risk, undefined);
      }
      assert.ok(notes(outcome).every((n) => typeof n === 'string'));
    }), { numRuns: 500 });
  });

  it('reports categories consistent with the reported values', () => {
    fc.assert(fc.property(fullArgs, (args) => {
      const outcome = runOrArgumentError(args);
      if (!outcome) return;
      const b = section(outcome, 'bmi');
      if (b.category !== undefined) assert.equal(b.category, bmiCategory(b.value as number));
      const v = b.value as number;
      if (b.category === 'normal') assert.ok(v >= 18.5 && v < 25);
      if (b.category === 'underweight') assert.ok(v < 18.5);
      if (b.category === 'obese_class_3') assert.ok(v >= 40);
      if (outcome.output.egfr !== undefined) {
        const e = section(outcome, 'egfr');
        assert.equal(e.ckd_stage, ckdStage(e.value as number));
        assert.ok(Number.isInteger(e.value));
      }
      if (outcome.output.blood_pressure !== undefined) {
        const p = section(outcome, 'blood_pressure');
        if (p.category !== undefined) assert.equal(p.category, bpCategory(p.systolic as number, p.diastolic as number));
        const map = p.mean_arterial_pressure as number;
        assert.ok(map > (p.diastolic as number) && map < (p.systolic as number));
      }
      if (outcome.output.adjusted_body_weight !== undefined) {
        const ibw = section(outcome, 'ideal_body_weight').value_kg as number;
        const abw = section(outcome, 'adjusted_body_weight');
        // ABW lies between IBW and actual weight.
        const actual = (metadataNumber(outcome, 'weight_kg'));
        const [lo, hi] = ibw <= actual ? [ibw, actual] : [actual, ibw];
        assert.ok((abw.value_kg as number) >= roundTo(lo, 1) - 0.1 && (abw.value_kg as number) <= roundTo(hi, 1) + 0.1);
      }
    }), { numRuns: 500 });
  });

  it('gives the same output for metric and imperial forms of the same patient', () => {
    fc.assert(fc.property(fc.double({ min: 20, max: 100, noNaN: true }), fc.double({ min: 5, max: 1000, noNaN: true }), (inches, pounds) => {
      const imperial = run({ height: inches, weight: pounds, sex: 'male', age: 50 });
      const metric = run({ height: heightToCm(inches, 'in'), height_unit: 'cm', weight: weightToKg(pounds, 'lb'), weight_unit: 'kg', sex: 'male', age: 50 });
      assert.deepEqual(metric.output, imperial.output);
    }));
  });

  it('round-trips unit conversions', () => {
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (x) => {
      assert.ok(close(cmToInches(heightToCm(x, 'in')), x));
      assert.ok(close(heightToCm(cmToInches(x), 'in'), x));
      assert.ok(close(kgToPounds(weightToKg(x, 'lb')), x));
      assert.ok(close(weightToKg(kgToPounds(x), 'lb'), x));
      assert.equal(heightToCm(x, 'cm'), x);
      assert.equal(weightToKg(x, 'kg'), x);
      assert.ok(close(creatinineToMgDl(x * 88.4, 'umol/L'), x));
      assert.equal(creatinineToMgDl(x, 'mg/dL'), x);
    }));
  });

  it('either computes or throws ToolArgumentError for any schema-valid arguments', () => {
    const schemaValid: fc.Arbitrary<ClinicalMetricsArgs> = fc.record({
      height: fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }),
      height_unit: fc.constantFrom('in' as const, 'cm' as const),
      weight: fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }),
      weight_unit: fc.constantFrom('lb' as const, 'kg' as const),
      age: fc.integer({ min: 0, max: 130 }),
      sex: fc.constantFrom('female' as const, 'male' as const),
      systolic_bp: fc.integer({ min: -1000, max: 1000 }),
      diastolic_bp: fc.integer({ min: -1000, max: 1000 }),
      serum_creatinine: fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }),
      creatinine_unit: fc.constantFrom('mg/dL' as const, 'umol/L' as const),
    }, { requiredKeys: ['height', 'weight'] });
    const validate = new Ajv({ allErrors: true, strict: true }).compile(clinicalMetricsTool.inputSchema);
    fc.assert(fc.property(schemaValid, (args) => {
      if (!validate(args)) return; // e.g. systolic without diastolic: the registry never calls execute
      const outcome = runOrArgumentError(args);
      if (outcome) for (const n of allNumbers(outcome.output)) assert.ok(Number.isFinite(n));
    }), { numRuns: 1000 });
  });

  it('Devine IBW rises 2.3 kg per inch', () => {
    fc.assert(fc.property(fc.double({ min: 48, max: 100, noNaN: true }), fc.constantFrom('female' as const, 'male' as const), (inches, sex) => {
      const a = idealBodyWeightDevine(heightToCm(inches, 'in'), sex);
      const b = idealBodyWeightDevine(heightToCm(inches + 1, 'in'), sex);
      assert.ok(Math.abs(b - a - 2.3) < 1e-9);
    }));
  });
});

function metadataNumber(outcome: ToolOutcome, key: string): number {
  const value = outcome.metadata?.[key];
  assert.equal(typeof value, 'number');
  return value as number;
}
