// Pure clinical formulas behind `calculate_clinical_metrics`: no I/O, no validation, no rounding
// unless the function says so. Every function takes SI-ish units (cm, kg, mg/dL, mmHg) and the
// tool converts and validates before calling them. Each carries a one-line reference.

export type Sex = 'female' | 'male';
export type HeightUnit = 'in' | 'cm';
export type WeightUnit = 'lb' | 'kg';
export type CreatinineUnit = 'mg/dL' | 'umol/L';

// ---------------------------------------------------------------- units

/** Centimetres per inch (exact, international yard and pound agreement of 1959). */
export const CM_PER_INCH = 2.54;
/** Kilograms per avoirdupois pound (exact, international yard and pound agreement of 1959). */
export const KG_PER_POUND = 0.45359237;
/** µmol/L per mg/dL of creatinine (molar mass 113.12 g/mol; KDIGO 2012 uses 88.4). */
export const UMOL_PER_MG_DL_CREATININE = 88.4;

/** Height in cm from a value in `unit` (1 in = 2.54 cm exactly). */
export function heightToCm(value: number, unit: HeightUnit): number {
  return unit === 'in' ? value * CM_PER_INCH : value;
}

/** Height in inches from cm (1 in = 2.54 cm exactly). */
export function cmToInches(cm: number): number {
  return cm / CM_PER_INCH;
}

/** Weight in kg from a value in `unit` (1 lb = 0.45359237 kg exactly). */
export function weightToKg(value: number, unit: WeightUnit): number {
  return unit === 'lb' ? value * KG_PER_POUND : value;
}

/** Weight in lb from kg (1 lb = 0.45359237 kg exactly). */
export function kgToPounds(kg: number): number {
  return kg / KG_PER_POUND;
}

/** Serum creatinine in mg/dL from a value in `unit` (KDIGO 2012: 1 mg/dL = 88.4 µmol/L). */
export function creatinineToMgDl(value: number, unit: CreatinineUnit): number {
  return unit === 'umol/L' ? value / UMOL_PER_MG_DL_CREATININE : value;
}

/** Rounds half away from zero to `decimals` places (avoids -0 and most binary-fraction surprises). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.sign(value) * Math.round(Math.abs(value) * factor * (1 + Number.EPSILON)) / factor;
  return rounded === 0 ? 0 : rounded;
}

// ---------------------------------------------------------------- BMI

export type BmiCategory = 'underweight' | 'normal' | 'overweight' | 'obese_class_1' | 'obese_class_2' | 'obese_class_3';

export const BMI_LABELS: Record<BmiCategory, string> = {
  underweight: 'Underweight',
  normal: 'Normal weight',
  overweight: 'Overweight',
  obese_class_1: 'Obesity class I',
  obese_class_2: 'Obesity class II',
  obese_class_3: 'Obesity class III',
};

/** Body mass index in kg/m² (Quetelet; WHO Technical Report Series 894, 2000). */
export function bmi(heightCm: number, weightKg: number): number {
  const m = heightCm / 100;
  return weightKg / (m * m);
}

/**
 * WHO adult BMI class (WHO TRS 894, 2000): <18.5, 18.5–24.9, 25–29.9, 30–34.9, 35–39.9, ≥40.
 * Pass the value you report (rounded to 1 decimal) so the category always matches the number shown.
 */
export function bmiCategory(value: number): BmiCategory {
  if (value < 18.5) return 'underweight';
  if (value < 25) return 'normal';
  if (value < 30) return 'overweight';
  if (value < 35) return 'obese_class_1';
  if (value < 40) return 'obese_class_2';
  return 'obese_class_3';
}

/** Online `health_risk` component for a BMI class (seed "Online Scoring": 0.5 / 1.0 / 0.7 / 0.3). */
export function bmiRiskScore(category: BmiCategory): number {
  switch (category) {
    case 'underweight': return 0.5;
    case 'normal': return 1.0;
    case 'overweight': return 0.7;
    case 'obese_class_1':
    case 'obese_class_2':
    case 'obese_class_3': return 0.3;
  }
}

// ---------------------------------------------------------------- body size

/** Body surface area in m², Mosteller: √(cm × kg / 3600) (N Engl J Med 1987;317:1098). */
export function bsaMosteller(heightCm: number, weightKg: number): number {
  return Math.sqrt((heightCm * weightKg) / 3600);
}

/** Shortest height (in) for which the tool reports Devine IBW; below it the line gives implausible weights. */
export const DEVINE_MIN_HEIGHT_IN = 48;

/**
 * Ideal body weight in kg, Devine: 50 kg (male) / 45.5 kg (female) + 2.3 kg per inch over 60 in
 * (Drug Intell Clin Pharm 1974;8:650). Below 60 in the same line is extended, i.e. 2.3 kg is
 * subtracted per inch under 60 in (no clamping); callers decide the lowest height they report.
 */
export function idealBodyWeightDevine(heightCm: number, sex: Sex): number {
  const base = sex === 'male' ? 50 : 45.5;
  return base + 2.3 * (cmToInches(heightCm) - 60);
}

/** Adjusted body weight in kg: IBW + 0.4 × (actual − IBW) (obesity drug-dosing convention, e.g. aminoglycosides). */
export function adjustedBodyWeight(idealKg: number, actualKg: number): number {
  return idealKg + 0.4 * (actualKg - idealKg);
}

/** Whether adjusted body weight is the dosing weight: actual > 120% of IBW (common pharmacy convention). */
export function adjustedBodyWeightApplies(idealKg: number, actualKg: number): boolean {
  return actualKg > 1.2 * idealKg;
}

// ---------------------------------------------------------------- blood pressure

/** Mean arterial pressure in mmHg: DBP + (SBP − DBP) / 3 (standard one-third pulse-pressure estimate). */
export function meanArterialPressure(systolic: number, diastolic: number): number {
  return diastolic + (systolic - diastolic) / 3;
}

export type BpCategory = 'normal' | 'elevated' | 'stage_1_hypertension' | 'stage_2_hypertension' | 'hypertensive_crisis';

/** Categories from least to most severe: the higher of the systolic and diastolic class wins. */
export const BP_CATEGORIES: readonly BpCategory[] = [
  'normal', 'elevated', 'stage_1_hypertension', 'stage_2_hypertension', 'hypertensive_crisis',
];

export const BP_LABELS: Record<BpCategory, string> = {
  normal: 'Normal',
  elevated: 'Elevated',
  stage_1_hypertension: 'Stage 1 hypertension',
  stage_2_hypertension: 'Stage 2 hypertension',
  hypertensive_crisis: 'Hypertensive crisis',
};

/**
 * ACC/AHA 2017 adult BP category (Whelton et al., Hypertension 2018;71:e13): normal <120 and <80,
 * elevated 120–129 and <80, stage 1 130–139 or 80–89, stage 2 ≥140 or ≥90, crisis >180 and/or >120.
 */
export function bpCategory(systolic: number, diastolic: number): BpCategory {
  const bySystolic: BpCategory =
    systolic > 180 ? 'hypertensive_crisis'
      : systolic >= 140 ? 'stage_2_hypertension'
        : systolic >= 130 ? 'stage_1_hypertension'
          : systolic >= 120 ? 'elevated'
            : 'normal';
  const byDiastolic: BpCategory =
    diastolic > 120 ? 'hypertensive_crisis'
      : diastolic >= 90 ? 'stage_2_hypertension'
        : diastolic >= 80 ? 'stage_1_hypertension'
          : 'normal';
  return BP_CATEGORIES[Math.max(BP_CATEGORIES.indexOf(bySystolic), BP_CATEGORIES.indexOf(byDiastolic))]!;
}

/** Online `health_risk` component for a BP category (tracemesh convention: 1.0 / 0.8 / 0.6 / 0.4 / 0.1). */
export function bpRiskScore(category: BpCategory): number {
  switch (category) {
    case 'normal': return 1.0;
    case 'elevated': return 0.8;
    case 'stage_1_hypertension': return 0.6;
    case 'stage_2_hypertension': return 0.4;
    case 'hypertensive_crisis': return 0.1;
  }
}

// ---------------------------------------------------------------- kidney function

/**
 * eGFR in mL/min/1.73 m², CKD-EPI 2021 race-free creatinine equation (Inker et al., N Engl J Med
 * 2021;385:1737): 142 × min(Scr/κ,1)^α × max(Scr/κ,1)^−1.200 × 0.9938^age × 1.012 [female],
 * κ 0.7 F / 0.9 M, α −0.241 F / −0.302 M. Scr in mg/dL, age in years (adults).
 */
export function egfrCkdEpi2021(creatinineMgDl: number, age: number, sex: Sex): number {
  const female = sex === 'female';
  const kappa = female ? 0.7 : 0.9;
  const alpha = female ? -0.241 : -0.302;
  const ratio = creatinineMgDl / kappa;
  return 142
    * Math.min(ratio, 1) ** alpha
    * Math.max(ratio, 1) ** -1.2
    * 0.9938 ** age
    * (female ? 1.012 : 1);
}

export type CkdStage = 'G1' | 'G2' | 'G3a' | 'G3b' | 'G4' | 'G5';

export const CKD_STAGE_LABELS: Record<CkdStage, string> = {
  G1: 'Normal or high',
  G2: 'Mildly decreased',
  G3a: 'Mildly to moderately decreased',
  G3b: 'Moderately to severely decreased',
  G4: 'Severely decreased',
  G5: 'Kidney failure',
};

/** KDIGO 2012 GFR category: G1 ≥90, G2 60–89, G3a 45–59, G3b 30–44, G4 15–29, G5 <15 (pass the reported integer). */
export function ckdStage(egfr: number): CkdStage {
  if (egfr >= 90) return 'G1';
  if (egfr >= 60) return 'G2';
  if (egfr >= 45) return 'G3a';
  if (egfr >= 30) return 'G3b';
  if (egfr >= 15) return 'G4';
  return 'G5';
}

/** Online `health_risk` component for a KDIGO GFR category (tracemesh convention: 1.0 / 0.8 / 0.6 / 0.4 / 0.2 / 0.1). */
export function egfrRiskScore(stage: CkdStage): number {
  switch (stage) {
    case 'G1': return 1.0;
    case 'G2': return 0.8;
    case 'G3a': return 0.6;
    case 'G3b': return 0.4;
    case 'G4': return 0.2;
    case 'G5': return 0.1;
  }
}
