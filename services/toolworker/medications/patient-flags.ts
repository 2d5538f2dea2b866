// Patient-specific flags for one drug: kidney function against the drug's renal thresholds,
// pregnancy against its pregnancy risk, age against its age cautions, and reported allergies.
// Pure functions of the reference entry and the patient; the order of flags is fixed (renal,
// pregnancy, age, allergy) so the same input always reads the same way.
import type { AllergyMatcher, ReportedAllergy } from './allergy-matching.js';
import type { DrugRecord, FlagLevel, PregnancyRisk, RenalAction, RenalThreshold } from './reference-schema.js';
import { FLAG_LEVELS } from './reference-schema.js';

export interface PatientContext {
  age?: number;
  /** mL/min/1.73m². */
  egfr?: number;
  pregnant?: boolean;
  allergies?: readonly string[];
}

export type FlagType = 'renal' | 'pregnancy' | 'age' | 'allergy' | 'duplicate' | 'name';

export interface MedicationFlag {
  type: FlagType;
  level: FlagLevel;
  message: string;
}

/** Below this age adult dosing does not apply as such. */
export const ADULT_AGE = 18;

const RENAL_WORDING: Record<RenalAction, string> = {
  contraindicated: 'contraindicated',
  avoid: 'avoid',
  adjust_dose: 'dose adjustment',
  caution: 'caution',
};

const PREGNANCY_LEVEL: Record<PregnancyRisk, FlagLevel> = {
  contraindicated: 'contraindicated',
  avoid: 'avoid',
  caution: 'caution',
  compatible: 'info',
};

/** The threshold band an eGFR falls in: the lowest `below` the value is under. */
export function applicableRenalThreshold(drug: DrugRecord, egfr: number): RenalThreshold | undefined {
  return [...drug.renal.thresholds].sort((a, b) => a.below - b.below).find((t) => egfr < t.below);
}

export function renalFlag(drug: DrugRecord, egfr: number): MedicationFlag | undefined {
  const threshold = applicableRenalThreshold(drug, egfr);
  if (!threshold) return undefined;
  // Labels that use creatinine clearance are applied to eGFR as an estimate, and the flag says so.
  const basis = drug.renal.basis === 'CrCl' ? `CrCl below ${threshold.below} in the label; eGFR used as the estimate` : `below ${threshold.below}`;
  return { type: 'renal', level: threshold.action, message: `${RENAL_WORDING[threshold.action]} at eGFR ${egfr} (${basis}): ${threshold.advice}` };
}

export function pregnancyFlag(drug: DrugRecord): MedicationFlag {
  const { risk, note } = drug.pregnancy;
  return { type: 'pregnancy', level: PREGNANCY_LEVEL[risk], message: `pregnancy: ${risk === 'compatible' ? 'generally compatible' : risk} — ${note}` };
}

export function ageFlags(drug: DrugRecord, age: number): MedicationFlag[] {
  const flags: MedicationFlag[] = [];
  if (age < ADULT_AGE) {
    flags.push({ type: 'age', level: 'caution', message: `age ${age}: the doses shown are for adults; use pediatric dosing.` });
  }
  for (const caution of drug.age_cautions ?? []) {
    const fromMin = caution.min_age === undefined || age >= caution.min_age;
    const toMax = caution.max_age === undefined || age <= caution.max_age;
    if (fromMin && toMax) flags.push({ type: 'age', level: caution.level, message: `age ${age}: ${caution.note}` });
  }
  return flags;
}

export function allergyFlags(drug: DrugRecord, allergies: readonly ReportedAllergy[], matcher: AllergyMatcher): MedicationFlag[] {
  return allergies.flatMap((allergy) => {
    const finding = matcher.findingFor(drug, allergy);
    return finding ? [{ type: 'allergy' as const, ...finding }] : [];
  });
}

/** Every patient-specific flag for one drug. */
export function patientFlags(drug: DrugRecord, patient: PatientContext, allergies: readonly ReportedAllergy[], matcher: AllergyMatcher): MedicationFlag[] {
  const flags: MedicationFlag[] = [];
  if (patient.egfr !== undefined) {
    const renal = renalFlag(drug, patient.egfr);
    if (renal) flags.push(renal);
  }
  if (patient.pregnant === true) flags.push(pregnancyFlag(drug));
  if (patient.age !== undefined) flags.push(...ageFlags(drug, patient.age));
  flags.push(...allergyFlags(drug, allergies, matcher));
  return flags;
}

/** 0 for the most serious level, rising: for sorting and for "the worst flag". */
export function flagRank(level: FlagLevel): number {
  return FLAG_LEVELS.indexOf(level);
}
