// `check_medications`: for a list of drugs (generic or brand names, any case, small misspellings)
// and optional patient context, each drug's reference facts with patient-specific flags, every
// pairwise interaction, and the online scores `interaction_safety`, `medication_coverage` and
// (with patient context) `patient_safety` logged on the tool's span.
//
// The registry checks types against `inputSchema`; `execute` rejects values that are well-typed but
// impossible (ToolArgumentError naming the field). The checking itself lives in ../medications/.
import type { JsonObject } from '../../../lib/json.js';
import { loadMedicationReference } from '../medications/load-reference.js';
import { MedicationChecker, type CheckedMedication, type MedicationCheck, type MedicationResult, type UnknownMedication } from '../medications/medication-checker.js';
import type { FoundInteraction } from '../medications/interaction-finder.js';
import type { MedicationFlag, PatientContext } from '../medications/patient-flags.js';
import type { FlagLevel, Severity } from '../medications/reference-schema.js';
import { ToolArgumentError, type Tool, type ToolInputSchema, type ToolOutcome } from '../tool.js';

export const CHECK_MEDICATIONS_TOOL_NAME = 'check_medications';

export interface CheckMedicationsArgs {
  medications: string[];
  patient?: {
    age?: number;
    egfr?: number;
    pregnant?: boolean;
    allergies?: string[];
  };
}

/** Plausibility limits for schema-valid but impossible patient values (inclusive). */
export const PATIENT_LIMITS = {
  age: { min: 0, max: 130 },
  /** mL/min/1.73m²; 0 is anuric, above 200 is not a measurement. */
  egfr: { min: 0, max: 200 },
} as const;

export const MAX_MEDICATIONS = 20;
const MAX_NAME_LENGTH = 200;
const MAX_ALLERGIES = 20;

/** `interaction_safety` for the worst interaction found (1.0 when there is none). */
export const INTERACTION_SAFETY: Record<Severity, number> = { contraindicated: 0, major: 0.25, moderate: 0.6, minor: 0.85 };
/** `patient_safety` for the worst patient flag (renal, pregnancy, age, allergy; 1.0 when none). */
export const PATIENT_SAFETY: Record<FlagLevel, number> = { contraindicated: 0, avoid: 0.25, adjust_dose: 0.6, caution: 0.8, info: 1 };
const PATIENT_FLAG_TYPES: ReadonlySet<MedicationFlag['type']> = new Set(['renal', 'pregnancy', 'age', 'allergy']);

export const checkMedicationsInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['medications'],
  properties: {
    medications: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_MEDICATIONS,
      items: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
      description: 'Drugs to check, 1–20 names: generic or brand, any case ("metformin", "Lipitor"); a strength or form ("metformin 500 mg ER") is fine; a combination product ("Zestoretic") is checked as each of its components.',
    },
    patient: {
      type: 'object',
      additionalProperties: false,
      description: 'What is known about the patient; every field is optional and adds patient-specific flags.',
      properties: {
        age: { type: 'number', description: 'Age in years (0–130).' },
        egfr: { type: 'number', description: 'eGFR in mL/min/1.73m² (0–200), e.g. from calculate_clinical_metrics: drives renal dose adjustments.' },
        pregnant: { type: 'boolean', description: 'true if pregnant, false if not; omit when unknown.' },
        allergies: {
          type: 'array',
          maxItems: MAX_ALLERGIES,
          items: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
          description: 'Reported drug allergies as written: drug names or classes ("penicillin", "sulfa", "NSAIDs").',
        },
      },
    },
  },
} satisfies ToolInputSchema;

const DESCRIPTION = [
  'Checks a list of medications against a versioned drug reference (common primary-care drugs for diabetes,',
  'hypertension, lipids, anticoagulation, thyroid, pain, psychiatry and infections). Call it whenever the answer',
  'involves drugs the patient takes or that you are about to suggest, instead of relying on memory.',
  'For each drug: generic name, brand names, class, usual adult dose range, key contraindications, monitoring,',
  'renal dose adjustment by eGFR, pregnancy risk and source; with patient context (age, egfr, pregnant, allergies)',
  'flags such as "contraindicated at eGFR 25", pregnancy risks, age cautions and allergy or cross-allergy matches.',
  'Also every pairwise interaction (including class-level ones such as warfarin + NSAIDs) with severity',
  '(contraindicated, major, moderate, minor), mechanism, effect, management and source.',
  'Names are matched case-insensitively by generic or brand name, and small misspellings are corrected (and flagged);',
  'a combination product, by brand ("Zestoretic", "Janumet") or by its ingredients ("lisinopril/hydrochlorothiazide"), is checked as each component;',
  'a name that is not in the reference comes back with found: false and close-name suggestions, never as an error.',
].join(' ');

// ---------------------------------------------------------------- validation

function checkBlank(field: string, value: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new ToolArgumentError(field, `is blank: give ${what}`);
  return trimmed;
}

function checkRange(field: string, value: number, range: { min: number; max: number }, unit: string): number {
  if (!Number.isFinite(value)) throw new ToolArgumentError(field, 'must be a finite number');
  if (value < range.min || value > range.max) {
    throw new ToolArgumentError(field, `${value} ${unit} is outside the plausible range ${range.min}–${range.max} ${unit}`);
  }
  return value;
}

/** Throws ToolArgumentError for impossible values; returns the trimmed names and patient context. */
export function validateCheckMedicationsArgs(args: CheckMedicationsArgs): { medications: string[]; patient?: PatientContext } {
  if (!Array.isArray(args.medications) || args.medications.length === 0) throw new ToolArgumentError('medications', 'must list at least one drug');
  if (args.medications.length > MAX_MEDICATIONS) throw new ToolArgumentError('medications', `must list at most ${MAX_MEDICATIONS} drugs`);
  const medications = args.medications.map((name, i) => checkBlank(`medications.${i}`, name, 'a drug name'));
  if (args.patient === undefined) return { medications };

  const patient: PatientContext = {};
  const { age, egfr, pregnant, allergies } = args.patient;
  if (age !== undefined) patient.age = checkRange('patient.age', age, PATIENT_LIMITS.age, 'years');
  if (egfr !== undefined) patient.egfr = checkRange('patient.egfr', egfr, PATIENT_LIMITS.egfr, 'mL/min/1.73m²');
  if (pregnant !== undefined) patient.pregnant = pregnant;
  if (allergies !== undefined) patient.allergies = allergies.map((a, i) => checkBlank(`patient.allergies.${i}`, a, 'an allergy'));
  return { medications, patient };
}

// ---------------------------------------------------------------- output

function flagJson(flag: MedicationFlag): JsonObject {
  return { type: flag.type, level: flag.level, message: flag.message };
}

function foundJson(result: CheckedMedication): JsonObject {
  const { drug, renal } = result;
  const dose: JsonObject = { text: drug.dose.text };
  if (drug.dose.min !== undefined) dose.min = drug.dose.min;
  if (drug.dose.max !== undefined) dose.max = drug.dose.max;
  if (drug.dose.unit !== undefined) dose.unit = drug.dose.unit;
  if (drug.dose.frequency !== undefined) dose.frequency = drug.dose.frequency;
  const renalAdjustment: JsonObject = {
    basis: renal.basis,
    note: renal.note,
    thresholds: renal.thresholds.map((t) => ({ below: t.below, action: t.action, advice: t.advice })),
  };
  if (renal.atPatientEgfr) renalAdjustment.at_patient_egfr = { ...renal.atPatientEgfr };
  return {
    query: result.query,
    found: true,
    name: drug.name,
    matched: { by: result.matchedBy, name: result.matchedName },
    brand_names: [...drug.brand_names],
    class: drug.class,
    category: drug.category,
    dose,
    contraindications: [...drug.contraindications],
    monitoring: [...drug.monitoring],
    renal_adjustment: renalAdjustment,
    pregnancy: { risk: drug.pregnancy.risk, note: drug.pregnancy.note },
    flags: result.flags.map(flagJson),
    source: drug.source,
  };
}

function unknownJson(result: UnknownMedication): JsonObject {
  const note = result.notCovered
    ? `"${result.notCovered}" is a drug this reference does not cover: check it in a full drug reference.`
    : 'Not recognised as a drug name (generic, brand or close spelling) in this reference.';
  return { query: result.query, found: false, suggestions: [...result.suggestions], note };
}

function medicationJson(result: MedicationResult): JsonObject {
  return result.found ? foundJson(result) : unknownJson(result);
}

function interactionJson(interaction: FoundInteraction): JsonObject {
  return {
    drugs: [...interaction.drugs],
    severity: interaction.severity,
    mechanism: interaction.mechanism,
    effect: interaction.effect,
    management: interaction.management,
    source: interaction.source,
    rule: interaction.rule,
  };
}

// ---------------------------------------------------------------- scores

export function medicationScores(check: MedicationCheck, patientGiven: boolean): Record<string, number> {
  const worstInteraction = Math.min(1, ...check.interactions.map((i) => INTERACTION_SAFETY[i.severity]));
  const found = check.medications.filter((m) => m.found).length;
  const scores: Record<string, number> = {
    interaction_safety: worstInteraction,
    medication_coverage: roundScore(found / check.medications.length),
  };
  if (patientGiven) {
    const flags = check.medications.flatMap((m) => (m.found ? m.flags : [])).filter((f) => PATIENT_FLAG_TYPES.has(f.type));
    scores.patient_safety = Math.min(1, ...flags.map((f) => PATIENT_SAFETY[f.level]));
  }
  return scores;
}

function roundScore(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The whole tool as a function of a checker: validate, check, shape the output and scores. */
export function checkMedications(checker: MedicationChecker, args: CheckMedicationsArgs): ToolOutcome {
  const { medications, patient } = validateCheckMedicationsArgs(args);
  const check = checker.check(medications, patient);
  const output: JsonObject = {
    medications: check.medications.map(medicationJson),
    interactions: check.interactions.map(interactionJson),
    notes: [...check.notes],
    data_version: check.dataVersion,
  };
  const metadata: JsonObject = {
    data_version: check.dataVersion,
    data_updated: check.dataUpdated,
    asked: medications.length,
    found: check.medications.filter((m) => m.found).length,
    unknown: check.medications.flatMap((m) => (m.found ? [] : [m.query])),
    spelling_corrections: check.medications.flatMap((m) => (m.found && m.matchedBy === 'spelling' ? [`${m.query} → ${m.drug.name}`] : [])),
    interactions: check.interactions.length,
    worst_severity: check.interactions[0]?.severity ?? null,
  };
  return { output, scores: medicationScores(check, patient !== undefined), metadata };
}

export function createCheckMedicationsTool(checker: MedicationChecker): Tool<CheckMedicationsArgs> {
  return {
    name: CHECK_MEDICATIONS_TOOL_NAME,
    description: DESCRIPTION,
    inputSchema: checkMedicationsInputSchema,
    execute(args, context) {
      if (context.signal.aborted) throw context.signal.reason ?? new Error('aborted');
      return checkMedications(checker, args);
    },
  };
}

// Loaded when the worker starts: bad reference data stops the worker with the file's problems listed.
export const checkMedicationsTool = createCheckMedicationsTool(new MedicationChecker(loadMedicationReference()));
