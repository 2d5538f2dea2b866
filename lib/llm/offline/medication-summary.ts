// Sentences for the answer from a check_medications result: the interactions it found, then one
// line per drug with the dose range, the kidney caution (at the patient's eGFR when it was known)
// and the most important patient flag, then any names the reference did not recognise. Every fact
// comes from the tool result; nothing here is the model's own drug knowledge. A drug the clinician
// named by a combination product's brand is named with it ("lisinopril (Zestoretic)").
import type { PatientFacts } from './patient-facts.js';
import { capitalise, joinAnd, medicationItems, productNameOf, sentence, withoutFinalStop, withProductName } from './phrasing.js';
import type { InteractionEntry, MedicationEntry, RenalEntry, ToolOutcome } from './tool-results.js';
import { clip } from './tool-results.js';

/** 1 = keep whatever the length; higher numbers are dropped first when the answer runs long. */
export interface SummaryLine {
  text: string;
  priority: 1 | 2 | 3;
}

type MedicationsOutcome = Extract<ToolOutcome, { kind: 'medications' }>;

const MAX_INTERACTIONS = 3;
const MAX_DRUG_LINES = 4;

const RENAL_ACTION_WORDS: Record<string, string> = {
  contraindicated: 'contraindicated',
  avoid: 'avoid',
  adjust_dose: 'dose adjustment',
  caution: 'caution',
};

const SERIOUS_LEVELS = ['contraindicated', 'avoid', 'adjust_dose', 'caution'];

export function summariseMedicationCheck(outcome: MedicationsOutcome, facts: PatientFacts): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const found = outcome.medications.filter((m) => m.found !== false);
  const version = outcome.dataVersion ? ` (drug reference v${outcome.dataVersion})` : '';
  outcome.interactions.slice(0, MAX_INTERACTIONS).forEach((x, i) => lines.push({ text: interactionText(x, facts), priority: i === 0 ? 1 : 2 }));
  const names = medicationItems(found.map((m) => m.name), facts);
  if (outcome.interactions.length === 0 && found.length > 1) {
    lines.push({ text: `**Medication check${version}:** no interactions between ${joinAnd(names)}.`, priority: 1 });
  } else if (found.length > 0) {
    lines.push({ text: `**Medication check${version}:** ${joinAnd(names)}.`, priority: 2 });
  }
  // A drug with a serious caution for this patient is kept whatever the length.
  found.slice(0, MAX_DRUG_LINES).forEach((m, i) => lines.push({ text: drugLine(m, facts), priority: i === 0 || hasSeriousCaution(m) ? 1 : 2 }));
  for (const m of outcome.medications.filter((x) => x.found === false)) {
    const named = facts.medications.includes(m.name.toLowerCase());
    const closest = m.suggestions.length > 0 ? ` (closest: ${joinAnd(m.suggestions)})` : '';
    lines.push({ text: `${m.name} was not found in the drug reference${closest}; review it manually.`, priority: named ? 2 : 3 });
  }
  return lines;
}

export function interactionText(x: InteractionEntry, facts: PatientFacts): string {
  const drugs = x.drugs.length > 0 ? x.drugs.map((d) => withProductName(d, facts)).join(' + ') : 'Two of the medications';
  const severity = x.severity ? ` (${x.severity})` : '';
  const mechanism = x.mechanism ? `: ${withoutFinalStop(clip(x.mechanism, 120))}` : '';
  const advice = x.recommendation ? `; ${lowerFirst(withoutFinalStop(clip(x.recommendation, 140)))}` : '';
  return sentence(`**Interaction:** ${drugs}${severity}${mechanism}${advice}`);
}

/** "**Metformin** (Biguanide): 500–2550 mg/day, …; contraindicated below eGFR 30 …; <flag>." */
function drugLine(m: MedicationEntry, facts: PatientFacts): string {
  const parts = [doseText(m), renalText(m.renal)].filter((p): p is string => p !== undefined);
  const flag = mostSeriousFlag(m) ?? unstatedPregnancyCaution(m, facts);
  if (flag) parts.push(flag);
  const product = productNameOf(m.name, facts);
  const drugClass = [product ? `in ${product}` : undefined, m.drugClass].filter(Boolean).join('; ');
  return sentence(`**${capitalise(m.name)}**${drugClass ? ` (${drugClass})` : ''}: ${parts.join('; ')}`);
}

function hasSeriousCaution(m: MedicationEntry): boolean {
  const renal = m.renal?.atPatient?.action;
  return (renal !== undefined && SERIOUS_LEVELS.slice(0, 3).includes(renal)) || m.flags.some((f) => f.level === 'contraindicated' || f.level === 'avoid');
}

function doseText(m: MedicationEntry): string | undefined {
  const dose = m.dose;
  if (!dose) return undefined;
  if (dose.min !== undefined && dose.max !== undefined && dose.unit) {
    const range = dose.min === dose.max ? `${dose.min} ${dose.unit}` : `${dose.min}–${dose.max} ${dose.unit}`;
    return `usual adult dose ${range}${dose.frequency ? `, ${dose.frequency}` : ''}`;
  }
  return dose.text ? clip(dose.text, 110) : undefined;
}

function renalText(renal: RenalEntry | undefined): string | undefined {
  if (!renal) return undefined;
  const at = renal.atPatient;
  if (at) {
    if (!at.action || at.action === 'none') return `no renal adjustment at eGFR ${at.egfr}`;
    return `at eGFR ${at.egfr}: ${lowerFirst(withoutFinalStop(clip(at.advice ?? at.action, 120)))}`;
  }
  // The two most serious actions, each at the highest threshold where it starts.
  const startsBelow = new Map<string, number>();
  for (const t of renal.thresholds) {
    const action = t.action ?? 'caution';
    startsBelow.set(action, Math.max(startsBelow.get(action) ?? 0, t.below));
  }
  const bands = [...startsBelow.entries()].sort((a, b) => severity(a[0]) - severity(b[0])).slice(0, 2);
  if (bands.length === 0) return 'no renal adjustment';
  const measure = renal.basis === 'CrCl' ? 'CrCl' : 'eGFR';
  const words = bands.map(([action, below]) => `${RENAL_ACTION_WORDS[action] ?? 'dose adjustment'} below ${measure} ${below}`);
  const serious = bands.some(([action]) => action === 'contraindicated' || action === 'avoid');
  return `${joinAnd(words)}${serious ? ', so check kidney function first' : ''}`;
}

function severity(action: string): number {
  const rank = SERIOUS_LEVELS.indexOf(action);
  return rank < 0 ? SERIOUS_LEVELS.length : rank;
}

/** The most serious non-renal flag (renal is already covered); info-level flags are left out. */
function mostSeriousFlag(m: MedicationEntry): string | undefined {
  let best: { rank: number; message: string } | undefined;
  for (const flag of m.flags) {
    if (flag.type === 'renal') continue;
    const rank = SERIOUS_LEVELS.indexOf(flag.level ?? 'caution');
    if (rank < 0) continue;
    if (!best || rank < best.rank) best = { rank, message: flag.message };
  }
  return best ? withoutFinalStop(clip(best.message, 130)) : undefined;
}

/** For a woman of childbearing age whose pregnancy status was not given: say what pregnancy would change. */
function unstatedPregnancyCaution(m: MedicationEntry, facts: PatientFacts): string | undefined {
  const childbearingAge = facts.sex === 'female' && (facts.age === undefined || (facts.age >= 12 && facts.age <= 55));
  const risk = m.pregnancy?.risk;
  if (!childbearingAge || facts.pregnant !== undefined || (risk !== 'contraindicated' && risk !== 'avoid')) return undefined;
  return `pregnancy: ${risk} (status not stated)`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
