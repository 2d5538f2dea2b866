// Reads tool results defensively. Tools live in other services and evolve on their own, so every
// field may be missing or oddly typed; the model uses what is there and never throws on a result.
import type { JsonObject, JsonValue } from '../../json.js';
import { isJsonObject } from '../../json.js';
import type { PatientFacts } from './patient-facts.js';
import type { ToolResultBlock } from './wire-types.js';

export const LAB_TOOL = 'lookup_lab_reference';

export interface MetricsSummary {
  heightCm?: number;
  weightKg?: number;
  bmi?: { value: number; label?: string };
  bodySurfaceArea?: { valueM2: number; formula?: string };
  idealBodyWeight?: { valueKg: number; formula?: string };
  adjustedBodyWeight?: { valueKg: number };
  bloodPressure?: { systolic: number; diastolic: number; meanArterialPressure?: number; label?: string };
  egfr?: { value: number; unit?: string; equation?: string; stage?: string; label?: string };
  healthRisk?: number;
  notes: string[];
}

export interface KnowledgeEntry {
  id?: string;
  title: string;
  condition?: string;
  category?: string;
  content?: string;
  relevance?: number;
}

export interface MedicationFlagEntry {
  type?: string;
  level?: string;
  message: string;
}

export interface RenalEntry {
  basis?: string;
  note?: string;
  thresholds: Array<{ below: number; action?: string; advice?: string }>;
  /** What applies at the eGFR the model passed, when it passed one. */
  atPatient?: { egfr: number; action?: string; advice?: string };
}

export interface MedicationEntry {
  /** The generic name when the drug was found, otherwise what was asked. */
  name: string;
  /** What was asked, as sent. */
  query?: string;
  found?: boolean;
  drugClass?: string;
  dose?: { text?: string; min?: number; max?: number; unit?: string; frequency?: string };
  renal?: RenalEntry;
  pregnancy?: { risk?: string; note?: string };
  contraindications: string[];
  flags: MedicationFlagEntry[];
  /** Close names offered for an unknown drug. */
  suggestions: string[];
}

export interface InteractionEntry {
  drugs: string[];
  severity?: string;
  mechanism?: string;
  effect?: string;
  recommendation?: string;
  source?: string;
}

/** A lookup_lab_reference result: one test, and the patient's value when one was given. */
export interface LabEntry {
  /** The test as the tool names it ("Hemoglobin A1c (HbA1c)"). */
  test: string;
  value?: number;
  unit?: string;
  /** The value in the reference range's unit, when it was given in another. */
  valueInReferenceUnit?: number;
  referenceUnit?: string;
  /** low, normal, high, critical or depends_on_sex. */
  interpretation?: string;
  /** L, N, H, LL, HH. */
  flag?: string;
  detail?: string;
  /** The guideline category ("prediabetes (5.7–6.4 %)"). */
  category?: string;
  /** In the unit the value was given in when the tool converted it; by sex where ranges differ. */
  referenceRange?: string;
  /** The sex the range was chosen for. */
  rangeAppliesTo?: string;
  criticalLimits?: string;
  lowSuggests?: string;
  highSuggests?: string;
  notes: string[];
}

export type ToolOutcome =
  | { kind: 'metrics'; toolName: string; metrics: MetricsSummary }
  | { kind: 'knowledge'; toolName: string; entries: KnowledgeEntry[] }
  | { kind: 'medications'; toolName: string; medications: MedicationEntry[]; interactions: InteractionEntry[]; warnings: string[]; dataVersion?: string }
  | { kind: 'lab'; toolName: string; lab: LabEntry }
  | { kind: 'error'; toolName: string; message: string }
  | { kind: 'other'; toolName: string; summary: string };

/** `toolName` is the name of the tool_use the result answers (undefined if it can't be found). */
export function readToolOutcome(toolName: string | undefined, result: ToolResultBlock): ToolOutcome {
  const name = toolName ?? 'unknown';
  const json = parseJson(result.text);
  if (result.is_error) return { kind: 'error', toolName: name, message: errorMessage(json, result.text) };
  if (isJsonObject(json) && typeof json.error === 'string') return { kind: 'error', toolName: name, message: clip(json.error, 160) };
  if (isJsonObject(json) && isJsonObject(json.error)) return { kind: 'error', toolName: name, message: errorMessage(json, result.text) };

  if (isJsonObject(json) && (name === 'calculate_clinical_metrics' || isJsonObject(json.bmi))) {
    return { kind: 'metrics', toolName: name, metrics: readMetrics(json) };
  }
  if (name === 'search_medical_knowledge' || (isJsonObject(json) && Array.isArray(json.results))) {
    return { kind: 'knowledge', toolName: name, entries: readKnowledge(json) };
  }
  if (isJsonObject(json) && (name === 'check_medications' || Array.isArray(json.medications))) {
    return { kind: 'medications', toolName: name, ...readMedications(json) };
  }
  // Another lab service may answer in the same shape under another name: a test and its verdict.
  if (isJsonObject(json) && typeof json.test === 'string' && (name === LAB_TOOL || typeof json.interpretation === 'string')) {
    return { kind: 'lab', toolName: name, lab: readLab(json) };
  }
  return { kind: 'other', toolName: name, summary: summarise(json, result.text) };
}

export function latestMetrics(outcomes: readonly ToolOutcome[]): MetricsSummary | undefined {
  for (let i = outcomes.length - 1; i >= 0; i--) {
    const outcome = outcomes[i];
    if (outcome?.kind === 'metrics') return outcome.metrics;
  }
  return undefined;
}

/** Measured values still valid for these facts: a new height or weight makes an old BMI stale. */
export function measuredFrom(metrics: MetricsSummary | undefined, latest: Partial<PatientFacts>): { bmi?: number; egfr?: number } {
  const measured: { bmi?: number; egfr?: number } = {};
  if (metrics?.bmi && !latest.height && !latest.weight) measured.bmi = metrics.bmi.value;
  if (metrics?.egfr && !latest.serumCreatinine) measured.egfr = metrics.egfr.value;
  return measured;
}

/** How the answer names a tool to a reader. */
export function toolDisplayName(name: string): string {
  switch (name) {
    case 'calculate_clinical_metrics':
      return 'clinical metrics tool';
    case 'search_medical_knowledge':
      return 'medical knowledge search';
    case 'check_medications':
      return 'medication checker';
    case LAB_TOOL:
      return 'lab reference lookup';
    default:
      return `\`${name}\` tool`;
  }
}

function readMetrics(json: JsonObject): MetricsSummary {
  const inputs = obj(json.inputs);
  const bmi = obj(json.bmi);
  const bsa = obj(json.body_surface_area);
  const ibw = obj(json.ideal_body_weight);
  const adjbw = obj(json.adjusted_body_weight);
  const bp = obj(json.blood_pressure);
  const egfr = obj(json.egfr);
  const summary: MetricsSummary = { notes: [] };
  const heightCm = num(inputs?.height_cm);
  if (heightCm !== undefined) summary.heightCm = heightCm;
  const weightKg = num(inputs?.weight_kg);
  if (weightKg !== undefined) summary.weightKg = weightKg;
  // Some versions return a bare number for bmi.
  const bmiValue = num(bmi?.value) ?? num(json.bmi);
  if (bmiValue !== undefined) summary.bmi = withOptional<NonNullable<MetricsSummary['bmi']>, 'label'>({ value: bmiValue }, 'label', label(bmi));
  const bsaValue = num(bsa?.value_m2) ?? num(bsa?.value);
  if (bsaValue !== undefined) {
    summary.bodySurfaceArea = withOptional<NonNullable<MetricsSummary['bodySurfaceArea']>, 'formula'>({ valueM2: bsaValue }, 'formula', str(bsa?.formula));
  }
  const ibwValue = num(ibw?.value_kg) ?? num(ibw?.value);
  if (ibwValue !== undefined) {
    summary.idealBodyWeight = withOptional<NonNullable<MetricsSummary['idealBodyWeight']>, 'formula'>({ valueKg: ibwValue }, 'formula', str(ibw?.formula));
  }
  const adjValue = num(adjbw?.value_kg) ?? num(adjbw?.value);
  if (adjValue !== undefined) summary.adjustedBodyWeight = { valueKg: adjValue };
  const systolic = num(bp?.systolic);
  const diastolic = num(bp?.diastolic);
  if (systolic !== undefined && diastolic !== undefined) {
    let reading: NonNullable<MetricsSummary['bloodPressure']> = { systolic, diastolic };
    reading = withOptional(reading, 'meanArterialPressure', num(bp?.mean_arterial_pressure));
    summary.bloodPressure = withOptional(reading, 'label', label(bp));
  }
  const egfrValue = num(egfr?.value);
  if (egfrValue !== undefined) {
    let reading: NonNullable<MetricsSummary['egfr']> = { value: egfrValue };
    reading = withOptional(reading, 'unit', str(egfr?.unit));
    reading = withOptional(reading, 'equation', str(egfr?.equation));
    reading = withOptional(reading, 'stage', str(egfr?.ckd_stage) ?? str(egfr?.stage));
    summary.egfr = withOptional(reading, 'label', str(egfr?.label));
  }
  const risk = num(json.health_risk);
  if (risk !== undefined) summary.healthRisk = risk;
  if (Array.isArray(json.notes)) summary.notes = json.notes.flatMap((n) => (typeof n === 'string' && n.trim() ? [n.trim()] : []));
  return summary;
}

function readKnowledge(json: JsonValue | undefined): KnowledgeEntry[] {
  const list = Array.isArray(json) ? json : isJsonObject(json) ? firstArray(json, ['results', 'passages', 'documents']) : [];
  return list.flatMap((item) => {
    const entry = obj(item);
    if (!entry) return [];
    const title = str(entry.title) ?? str(entry.condition) ?? str(entry.id);
    if (!title) return [];
    let out: KnowledgeEntry = { title };
    out = withOptional(out, 'id', str(entry.id));
    out = withOptional(out, 'condition', str(entry.condition));
    out = withOptional(out, 'category', str(entry.category));
    out = withOptional(out, 'content', str(entry.content) ?? str(entry.text) ?? str(entry.document) ?? str(entry.snippet));
    return [withOptional(out, 'relevance', num(entry.relevance) ?? num(entry.relevance_score) ?? num(entry.score))];
  });
}

function firstArray(json: JsonObject, keys: readonly string[]): JsonValue[] {
  for (const key of keys) {
    const value = json[key];
    if (Array.isArray(value)) return value;
  }
  return [];
}

function readMedications(json: JsonObject): { medications: MedicationEntry[]; interactions: InteractionEntry[]; warnings: string[]; dataVersion?: string } {
  const medications = (Array.isArray(json.medications) ? json.medications : []).flatMap((item): MedicationEntry[] => {
    if (typeof item === 'string') return [{ name: item, contraindications: [], flags: [], suggestions: [] }];
    const med = obj(item);
    const name = str(med?.name) ?? str(med?.query);
    if (!med || !name) return [];
    const out: MedicationEntry = {
      name,
      contraindications: strings(med.contraindications),
      flags: readFlags(med.flags),
      suggestions: strings(med.suggestions),
    };
    const query = str(med.query);
    if (query) out.query = query;
    if (typeof med.found === 'boolean') out.found = med.found;
    const drugClass = str(med.class) ?? str(med.drug_class);
    if (drugClass) out.drugClass = drugClass;
    const dose = readDose(med.dose);
    if (dose) out.dose = dose;
    const renal = readRenal(med.renal_adjustment);
    if (renal) out.renal = renal;
    const pregnancy = obj(med.pregnancy);
    if (pregnancy) out.pregnancy = { risk: str(pregnancy.risk), note: str(pregnancy.note) };
    return [out];
  });
  const interactions = (Array.isArray(json.interactions) ? json.interactions : []).flatMap((item): InteractionEntry[] => {
    const interaction = obj(item);
    if (!interaction) return [];
    const drugs = Array.isArray(interaction.drugs) ? interaction.drugs.flatMap((d) => (typeof d === 'string' ? [d] : [])) : [];
    let out: InteractionEntry = { drugs };
    out = withOptional(out, 'severity', str(interaction.severity));
    out = withOptional(out, 'mechanism', str(interaction.mechanism) ?? str(interaction.description));
    out = withOptional(out, 'effect', str(interaction.effect));
    out = withOptional(out, 'recommendation', str(interaction.recommendation) ?? str(interaction.management));
    out = withOptional(out, 'source', str(interaction.source));
    return [out];
  });
  const warnings = (Array.isArray(json.warnings) ? json.warnings : []).flatMap((w) => (typeof w === 'string' ? [w] : []));
  const dataVersion = str(json.data_version);
  return dataVersion ? { medications, interactions, warnings, dataVersion } : { medications, interactions, warnings };
}

function readLab(json: JsonObject): LabEntry {
  const reference = obj(json.reference_range);
  let lab: LabEntry = { test: str(json.test) ?? 'lab test', notes: strings(json.notes) };
  lab = withOptional(lab, 'value', num(json.value));
  lab = withOptional(lab, 'unit', str(json.unit));
  lab = withOptional(lab, 'valueInReferenceUnit', num(json.value_in_reference_unit));
  lab = withOptional(lab, 'referenceUnit', str(reference?.unit));
  lab = withOptional(lab, 'interpretation', str(json.interpretation));
  lab = withOptional(lab, 'flag', str(json.flag));
  lab = withOptional(lab, 'detail', str(json.interpretation_detail));
  lab = withOptional(lab, 'category', str(json.category));
  lab = withOptional(lab, 'referenceRange', str(json.reference_range_in_given_unit) ?? str(reference?.text) ?? str(json.reference_range));
  lab = withOptional(lab, 'rangeAppliesTo', str(reference?.applies_to));
  lab = withOptional(lab, 'criticalLimits', str(obj(json.critical_limits)?.text));
  lab = withOptional(lab, 'lowSuggests', str(json.low_suggests));
  return withOptional(lab, 'highSuggests', str(json.high_suggests));
}

function readDose(value: JsonValue | undefined): MedicationEntry['dose'] {
  if (typeof value === 'string' && value.trim()) return { text: value.trim() };
  const dose = obj(value);
  if (!dose) return undefined;
  const out: NonNullable<MedicationEntry['dose']> = {};
  const text = str(dose.text);
  if (text) out.text = text;
  const min = num(dose.min);
  if (min !== undefined) out.min = min;
  const max = num(dose.max);
  if (max !== undefined) out.max = max;
  const unit = str(dose.unit);
  if (unit) out.unit = unit;
  const frequency = str(dose.frequency);
  if (frequency) out.frequency = frequency;
  return Object.keys(out).length > 0 ? out : undefined;
}

function readRenal(value: JsonValue | undefined): RenalEntry | undefined {
  const renal = obj(value);
  if (!renal) return undefined;
  const thresholds = (Array.isArray(renal.thresholds) ? renal.thresholds : []).flatMap((item) => {
    const threshold = obj(item);
    const below = num(threshold?.below);
    if (!threshold || below === undefined) return [];
    return [{ below, action: str(threshold.action), advice: str(threshold.advice) }];
  });
  let out: RenalEntry = { thresholds };
  out = withOptional(out, 'basis', str(renal.basis));
  out = withOptional(out, 'note', str(renal.note));
  const at = obj(renal.at_patient_egfr);
  const egfr = num(at?.egfr);
  if (at && egfr !== undefined) out.atPatient = { egfr, action: str(at.action), advice: str(at.advice) };
  return out;
}

function readFlags(value: JsonValue | undefined): MedicationFlagEntry[] {
  return (Array.isArray(value) ? value : []).flatMap((item): MedicationFlagEntry[] => {
    if (typeof item === 'string' && item.trim()) return [{ message: item.trim() }];
    const flag = obj(item);
    const message = str(flag?.message);
    if (!flag || !message) return [];
    return [{ message, type: str(flag.type), level: str(flag.level) }];
  });
}

function strings(value: JsonValue | undefined): string[] {
  return (Array.isArray(value) ? value : []).flatMap((v) => (typeof v === 'string' && v.trim() ? [v.trim()] : []));
}

function errorMessage(json: JsonValue | undefined, raw: string): string {
  if (isJsonObject(json)) {
    const error = json.error;
    if (typeof error === 'string') return clip(error, 160);
    if (isJsonObject(error) && typeof error.message === 'string') return clip(error.message, 160);
    if (typeof json.message === 'string') return clip(json.message, 160);
  }
  return clip(raw.trim() || 'no details given', 160);
}

/**
 * A tool this model does not know: its result as "key: value" pairs, the top level's plain values
 * first (what a result is most likely to lead with — a name, a value, a verdict), then what nests,
 * so the gist survives the clip whatever order the object's keys arrived in (a Struct is a map).
 */
function summarise(json: JsonValue | undefined, raw: string): string {
  if (!isJsonObject(json)) return clip(json === undefined ? raw.trim() : JSON.stringify(json), 200);
  const entries = Object.entries(json);
  const plain = entries.filter(([, value]) => value === null || typeof value !== 'object');
  const nested = entries.filter(([, value]) => value !== null && typeof value === 'object');
  const text = [...plain, ...nested].map(([key, value]) => `${key.replace(/_/g, ' ')}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return clip(text.join('; '), 400);
}

function label(section: JsonObject | undefined): string | undefined {
  const explicit = str(section?.label);
  if (explicit) return explicit;
  const category = str(section?.category);
  return category ? category.replace(/_/g, ' ') : undefined;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function obj(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function num(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function withOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): T {
  return value === undefined ? target : { ...target, [key]: value };
}

// A full stop that ends a sentence: followed by a space, and not that of "e.g." or "vs.".
const SENTENCE_END = /(?<!\b(?:e\.g|i\.e|vs|approx|etc|incl|cf))[.!?](?= )/g;

/**
 * The text in at most `max` characters, never cut inside a word: whole sentences when a sentence
 * ends far enough in, else up to a clause ("; ") or, at worst, a word, with an ellipsis.
 */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = flat.slice(0, max - 1);
  // A boundary this far in keeps most of what was said; an earlier one would say too little.
  const enough = Math.floor(max * 0.5);
  let sentenceEnd = -1;
  for (const m of room.matchAll(SENTENCE_END)) sentenceEnd = m.index ?? sentenceEnd;
  if (sentenceEnd >= enough) return flat.slice(0, sentenceEnd + 1);
  const clauseEnd = Math.max(room.lastIndexOf('; '), room.lastIndexOf(': '), room.lastIndexOf(', '));
  if (clauseEnd >= enough) return `${flat.slice(0, clauseEnd)}…`;
  // The next character decides whether the room ends inside a word.
  const wordEnd = /\s/.test(flat.charAt(room.length)) ? room.length : room.lastIndexOf(' ');
  const cut = wordEnd > 0 ? flat.slice(0, wordEnd) : room;
  return `${cut.replace(/[\s,;:—–-]+$/, '')}…`;
}
