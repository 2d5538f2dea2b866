// The shape of data/medications/drug-reference.json and the checks that make it safe to use:
// zod for the structure, then cross-references (every interaction names a real drug or class,
// no two drugs answer to the same name, thresholds are distinct…). Every problem is collected so
// one run shows all of them, and the message names the drug or entry at fault.
import { z } from 'zod';
import { normaliseDrugName } from './drug-name-normalisation.js';

export const SEVERITIES = ['contraindicated', 'major', 'moderate', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RENAL_ACTIONS = ['contraindicated', 'avoid', 'adjust_dose', 'caution'] as const;
export type RenalAction = (typeof RENAL_ACTIONS)[number];

export const PREGNANCY_RISKS = ['contraindicated', 'avoid', 'caution', 'compatible'] as const;
export type PregnancyRisk = (typeof PREGNANCY_RISKS)[number];

/** How serious a patient-specific flag is, most serious first. */
export const FLAG_LEVELS = ['contraindicated', 'avoid', 'adjust_dose', 'caution', 'info'] as const;
export type FlagLevel = (typeof FLAG_LEVELS)[number];

export const DRUG_CATEGORIES = [
  'diabetes', 'hypertension', 'cardiovascular', 'lipids', 'anticoagulation', 'thyroid', 'pain', 'psychiatry',
  'antibiotics', 'gastrointestinal', 'respiratory', 'supplements', 'imaging',
] as const;
export type DrugCategory = (typeof DRUG_CATEGORIES)[number];

/** An interaction side that names a class rather than a drug: `class:nsaid`. */
export const CLASS_PREFIX = 'class:';

const text = z.string().trim().min(1);
const classId = z.string().regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits and underscores');

const classSchema = z.strictObject({
  id: classId,
  label: text,
  allergy_terms: z.array(text).min(1).optional(),
});

const doseSchema = z.strictObject({
  text,
  min: z.number().positive().optional(),
  max: z.number().positive().optional(),
  unit: text.optional(),
  frequency: text.optional(),
});

const renalThresholdSchema = z.strictObject({
  below: z.number().positive().max(200),
  action: z.enum(RENAL_ACTIONS),
  advice: text,
});

const renalSchema = z.strictObject({
  /** The label's measure: eGFR, or Cockcroft–Gault creatinine clearance. */
  basis: z.enum(['eGFR', 'CrCl']),
  note: text,
  thresholds: z.array(renalThresholdSchema),
});

const ageCautionSchema = z.strictObject({
  min_age: z.number().int().min(0).max(130).optional(),
  max_age: z.number().int().min(0).max(130).optional(),
  level: z.enum(FLAG_LEVELS),
  note: text,
});

const crossSensitivitySchema = z.strictObject({
  class: classId,
  level: z.enum(FLAG_LEVELS),
  note: text,
});

const drugSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9 -]*[a-z0-9]$/, 'must be the lower-case generic name'),
  brand_names: z.array(text),
  aliases: z.array(text),
  class: text,
  category: z.enum(DRUG_CATEGORIES),
  class_tags: z.array(classId),
  dose: doseSchema,
  contraindications: z.array(text).min(1),
  monitoring: z.array(text).min(1),
  renal: renalSchema,
  pregnancy: z.strictObject({ risk: z.enum(PREGNANCY_RISKS), note: text }),
  age_cautions: z.array(ageCautionSchema).optional(),
  cross_sensitivity: z.array(crossSensitivitySchema).optional(),
  source: text,
});

const interactionSchema = z.strictObject({
  drugs: z.tuple([text, text]),
  /** What goes wrong; per pair of drugs the most specific entry for each concern wins. */
  concern: classId,
  severity: z.enum(SEVERITIES),
  mechanism: text,
  effect: text,
  management: text,
  source: text,
});

/** A combination product by brand ("Zestoretic"): checked as each of its components, all drugs of this file. */
const combinationSchema = z.strictObject({
  brand_names: z.array(text).min(1),
  components: z.array(text).min(2),
  source: text,
});

const referenceSchema = z.strictObject({
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.2.0'),
  updated: z.iso.date(),
  description: text,
  classes: z.array(classSchema).min(1),
  drugs: z.array(drugSchema).min(1),
  interactions: z.array(interactionSchema),
  combinations: z.array(combinationSchema),
  other_drug_names: z.array(text),
});

export type MedicationReference = z.infer<typeof referenceSchema>;
export type DrugRecord = MedicationReference['drugs'][number];
export type DrugClass = MedicationReference['classes'][number];
export type InteractionRecord = MedicationReference['interactions'][number];
export type CombinationRecord = MedicationReference['combinations'][number];
export type RenalThreshold = DrugRecord['renal']['thresholds'][number];
export type AgeCaution = NonNullable<DrugRecord['age_cautions']>[number];

export class MedicationDataError extends Error {
  constructor(readonly origin: string, readonly problems: readonly string[]) {
    super(`medication reference ${origin} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MedicationDataError';
  }
}

/** Validates parsed JSON; throws MedicationDataError listing every problem. */
export function parseMedicationReference(raw: unknown, origin: string): MedicationReference {
  const parsed = referenceSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MedicationDataError(origin, parsed.error.issues.map((issue) => `${describePath(raw, issue.path)}: ${issue.message}`));
  }
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new MedicationDataError(origin, problems);
  return parsed.data;
}

/** "drugs[3].dose.max" plus the drug's name when it has one, so the entry is easy to find. */
function describePath(raw: unknown, path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(file)';
  let out = '';
  let node: unknown = raw;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
    node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number' && typeof node === 'object' && node !== null) {
      const name = (node as { name?: unknown; id?: unknown }).name ?? (node as { id?: unknown }).id;
      if (typeof name === 'string') out += ` (${name})`;
    }
  }
  return out;
}

function crossReferenceProblems(reference: MedicationReference): string[] {
  const problems: string[] = [];
  const classes = new Map<string, DrugClass>();
  const allergyTerms = new Map<string, string>();
  for (const drugClass of reference.classes) {
    if (classes.has(drugClass.id)) problems.push(`class "${drugClass.id}" is declared twice`);
    classes.set(drugClass.id, drugClass);
    for (const term of drugClass.allergy_terms ?? []) {
      const key = normaliseDrugName(term);
      const owner = allergyTerms.get(key);
      if (owner) problems.push(`allergy term "${term}" belongs to both class "${owner}" and class "${drugClass.id}"`);
      allergyTerms.set(key, drugClass.id);
    }
  }

  const drugsByName = new Map<string, DrugRecord>();
  const nameOwners = new Map<string, string>();
  const classMembers = new Map<string, number>();
  for (const drug of reference.drugs) {
    if (drugsByName.has(drug.name)) problems.push(`drug "${drug.name}" is listed twice`);
    drugsByName.set(drug.name, drug);
    for (const name of [drug.name, ...drug.brand_names, ...drug.aliases]) {
      const key = normaliseDrugName(name);
      const owner = nameOwners.get(key);
      if (owner !== undefined) problems.push(`name "${name}" of drug "${drug.name}" is already a name of drug "${owner}"`);
      nameOwners.set(key, drug.name);
    }
    for (const tag of drug.class_tags) {
      if (!classes.has(tag)) problems.push(`drug "${drug.name}": class tag "${tag}" is not declared in classes`);
      classMembers.set(tag, (classMembers.get(tag) ?? 0) + 1);
    }
    const { min, max, unit } = drug.dose;
    if (min !== undefined && max !== undefined && min > max) problems.push(`drug "${drug.name}": dose.min ${min} is above dose.max ${max}`);
    if ((min !== undefined || max !== undefined) && unit === undefined) problems.push(`drug "${drug.name}": dose.unit is required with dose.min or dose.max`);
    const belows = drug.renal.thresholds.map((t) => t.below);
    if (new Set(belows).size !== belows.length) problems.push(`drug "${drug.name}": renal thresholds repeat a "below" value`);
    for (const caution of drug.age_cautions ?? []) {
      if (caution.min_age === undefined && caution.max_age === undefined) problems.push(`drug "${drug.name}": an age caution needs min_age or max_age`);
      if (caution.min_age !== undefined && caution.max_age !== undefined && caution.min_age > caution.max_age) {
        problems.push(`drug "${drug.name}": age caution min_age ${caution.min_age} is above max_age ${caution.max_age}`);
      }
    }
    for (const cross of drug.cross_sensitivity ?? []) {
      const target = classes.get(cross.class);
      if (!target) problems.push(`drug "${drug.name}": cross_sensitivity class "${cross.class}" is not declared`);
      else if (!target.allergy_terms) problems.push(`drug "${drug.name}": cross_sensitivity class "${cross.class}" has no allergy_terms, so no allergy can match it`);
    }
  }
  for (const drugClass of reference.classes) {
    if (!classMembers.has(drugClass.id)) problems.push(`class "${drugClass.id}" has no drugs`);
  }

  const otherNames = new Set<string>();
  for (const name of reference.other_drug_names) {
    const key = normaliseDrugName(name);
    const owner = nameOwners.get(key);
    if (owner !== undefined) problems.push(`other_drug_names "${name}" is a name of covered drug "${owner}"`);
    if (otherNames.has(key)) problems.push(`other_drug_names "${name}" is listed twice`);
    otherNames.add(key);
  }

  const combinationBrands = new Map<string, string>();
  for (const combination of reference.combinations) {
    const where = `combination "${combination.brand_names[0] ?? '?'}"`;
    for (const component of combination.components) {
      if (!drugsByName.has(component)) problems.push(`${where}: component "${component}" is not a drug in this file (use the generic name)`);
    }
    if (new Set(combination.components).size !== combination.components.length) problems.push(`${where}: a component is listed twice`);
    for (const brand of combination.brand_names) {
      const key = normaliseDrugName(brand);
      const drug = nameOwners.get(key);
      const other = combinationBrands.get(key);
      if (drug !== undefined) problems.push(`${where}: brand name "${brand}" is already a name of drug "${drug}"`);
      if (other !== undefined) problems.push(`${where}: brand name "${brand}" is already a name of ${other}`);
      if (otherNames.has(key)) problems.push(`${where}: brand name "${brand}" is in other_drug_names`);
      combinationBrands.set(key, where);
    }
  }

  const seenRules = new Set<string>();
  reference.interactions.forEach((interaction, index) => {
    const where = `interactions[${index}] (${interaction.drugs.join(' + ')})`;
    for (const side of interaction.drugs) {
      if (side.startsWith(CLASS_PREFIX)) {
        const id = side.slice(CLASS_PREFIX.length);
        if (!classes.has(id)) problems.push(`${where}: class "${id}" is not declared`);
        else if (!classMembers.has(id)) problems.push(`${where}: class "${id}" has no drugs`);
      } else if (!drugsByName.has(side)) {
        problems.push(`${where}: "${side}" is not a drug in this file (use the generic name, or class:<id>)`);
      }
    }
    const [a, b] = interaction.drugs;
    if (a === b && !a.startsWith(CLASS_PREFIX)) problems.push(`${where}: a drug cannot interact with itself`);
    const rule = `${[...interaction.drugs].sort().join(' + ')} / ${interaction.concern}`;
    if (seenRules.has(rule)) problems.push(`${where}: the same pair and concern (${interaction.concern}) is listed twice`);
    seenRules.add(rule);
  });
  return problems;
}
