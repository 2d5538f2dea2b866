// Sentences for the answer from a check_medications result: the interactions it found, then one
// line per drug with the dose range, the kidney caution (at the patient's eGFR when it was known)
// and the most important patient flag, then any names the reference did not recognise. Every fact
// comes from the tool result; nothing here is the model's own drug knowledge. A drug the clinician
// named by a combination product's brand is named with it ("lisinopril (Zestoretic)").
import { couldBePregnant, takenMedications } from './clinical-reasoning.js';
import type { PatientFacts } from './patient-facts.js';
import { egfrForThresholds, statedEgfr, uncoveredDrug, uncoveredLabel } from './patient-facts.js';
import { capitalise, joinAnd, medicationItems, productNameOf, sentence, withoutFinalStop, withProductName } from './phrasing.js';
import type { InteractionEntry, MedicationEntry, RenalEntry, ToolOutcome } from './tool-results.js';
import { clip } from './tool-results.js';

/** 1 = keep whatever the length; higher numbers are dropped first when the answer runs long. */
export interface SummaryLine {
  text: string;
  priority: 1 | 2 | 3;
  /** Dropped only once every other line that may go has gone (a drug an urgent problem acts on). */
  lastToGo?: true;
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

/**
 * `crowded`: action lines lead the answer (hyperkalemia, kidney function, hypoglycemia), so routine
 * drug detail gives way first when the answer runs long; serious cautions, major interactions and
 * what could not be checked never do. The line of a drug in `matters` (generic names: drugs taken
 * that an urgent problem's line acts on, such as the furosemide held for acute kidney injury) goes
 * only after every routine line has, and such drugs come first when there are more drugs than lines.
 */
export function summariseMedicationCheck(outcome: MedicationsOutcome, facts: PatientFacts, crowded = false, matters: readonly string[] = []): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const found = outcome.medications.filter((m) => m.found !== false);
  const missing = outcome.medications.filter((m) => m.found === false);
  const version = outcome.dataVersion ? ` (drug reference v${outcome.dataVersion})` : '';
  const verdict = verdictText(found.map((m) => m.name), outcome.interactions.length, missing.map((m) => missingLabel(m.name, facts)), facts);
  if (verdict) lines.push({ text: `**Medication check${version}:** ${verdict}`, priority: outcome.interactions.length === 0 || missing.length > 0 ? 1 : 2 });
  const serious = (x: InteractionEntry) => x.severity === 'major' || x.severity === 'contraindicated';
  outcome.interactions.slice(0, MAX_INTERACTIONS).forEach((x, i) => lines.push({ text: interactionText(x, facts), priority: i === 0 && (!crowded || serious(x)) ? 1 : 2 }));
  // A drug with a serious caution for this patient is kept whatever the length; one the urgent problem
  // acts on outlasts every routine line.
  const matter = (m: MedicationEntry) => matters.includes(m.name.toLowerCase());
  const shown = [...found.filter(matter), ...found.filter((m) => !matter(m))].slice(0, MAX_DRUG_LINES);
  // In the order checked, whichever are shown.
  found
    .filter((m) => shown.includes(m))
    .forEach((m, i) => {
      const priority = (i === 0 && !crowded) || hasSeriousCaution(m, crowded ? 2 : 3) ? 1 : 2;
      lines.push({ text: drugLine(m, facts), priority, ...(priority > 1 && matter(m) ? { lastToGo: true as const } : {}) });
    });
  for (const m of missing) {
    // A drug the clinician named is never trimmed: the answer must say it was not checked.
    const named = facts.medications.includes(m.name.toLowerCase()) || facts.uncoveredMedications.some((d) => d.generic === m.name.toLowerCase());
    const closest = m.suggestions.length > 0 ? ` (closest: ${joinAnd(m.suggestions)})` : '';
    const never = neverWithText(m.name, facts);
    // The verdict names it too, so with actions leading only a warning keeps this line whatever the length.
    const keep = named && (!crowded || never !== '' || !verdict);
    lines.push({ text: `**Not checked:** ${missingLabel(m.name, facts)} was not found in the drug reference${closest}, so its doses and interactions were not checked; review it manually${never}.`, priority: keep ? 1 : named ? 2 : 3 });
  }
  return lines;
}

/** Without a medication check: what the model knows must never be combined, for drugs the reference does not cover. */
export function uncoveredCautions(facts: PatientFacts): string[] {
  return facts.uncoveredMedications.flatMap((d) => {
    const never = neverWithText(d.generic, facts);
    return never ? [`**Caution:** ${uncoveredLabel(d)} is not in the drug reference${never}.`] : [];
  });
}

/** "; it must never be taken with ramipril (angioedema; …)": what the tool could not say about the drug. */
function neverWithText(name: string, facts: PatientFacts): string {
  const rule = uncoveredDrug(name)?.neverWith;
  const clash = rule ? facts.medications.filter((m) => rule.drugs.includes(m)) : [];
  const others = rule ? facts.uncoveredMedications.filter((d) => rule.drugs.includes(d.generic)).map(uncoveredLabel) : [];
  const all = [...clash, ...others];
  return rule && all.length > 0 ? `; it must never be taken with ${joinAnd(all)} (${rule.why})` : '';
}

/** "Entresto (sacubitril/valsartan)" for a name the model sent for a brand the clinician wrote. */
function missingLabel(name: string, facts: PatientFacts): string {
  const drug = facts.uncoveredMedications.find((d) => d.generic === name.toLowerCase());
  return drug ? uncoveredLabel(drug) : name;
}

/**
 * Always a verdict: "no interactions between metformin and lisinopril", "Zestoretic (lisinopril and
 * hydrochlorothiazide): no interactions between its components", "2 interactions among …, below",
 * and which names could not be checked.
 */
function verdictText(foundNames: readonly string[], interactions: number, missing: readonly string[], facts: PatientFacts): string | undefined {
  if (foundNames.length === 0) return undefined;
  const items = medicationItems(foundNames, facts);
  const unchecked = missing.length > 0 ? `; ${joinAnd(missing)} could not be checked (not in the drug reference)` : '';
  const product = items.length === 1 ? facts.combinationProducts.find((p) => p.components.length > 1 && p.components.every((c) => foundNames.includes(c))) : undefined;
  if (interactions > 0) {
    const shown = interactions > MAX_INTERACTIONS ? `, the ${MAX_INTERACTIONS} most serious below` : ', below';
    const among = product ? `between the components of ${items[0]}` : `between ${joinAnd(items)}`;
    return `${interactions} interaction${interactions > 1 ? 's' : ''} found ${among}${shown}${unchecked}.`;
  }
  if (product) return `${items[0]}: no interactions between its components${unchecked}.`;
  if (items.length === 1) return `${items[0]}: ${missing.length > 0 ? 'no interaction with another drug the reference covers' : 'the only drug on the list, so no interaction to find'}${unchecked}.`;
  return `no interactions between ${joinAnd(items)}${unchecked}.`;
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
  const parts = [doseText(m), renalText(m.renal, facts)].filter((p): p is string => p !== undefined);
  const flag = mostSeriousFlag(m) ?? unstatedPregnancyCaution(m, facts);
  if (flag) parts.push(flag);
  const product = productNameOf(m.name, facts);
  const drugClass = [product ? `in ${product}` : undefined, m.drugClass].filter(Boolean).join('; ');
  return sentence(`**${capitalise(m.name)}**${drugClass ? ` (${drugClass})` : ''}: ${parts.join('; ')}`);
}

/** Contraindicated or avoid, for the kidneys or otherwise; a dose adjustment too unless `levels` is 2. */
function hasSeriousCaution(m: MedicationEntry, levels = 3): boolean {
  const renal = m.renal?.atPatient?.action;
  return (renal !== undefined && SERIOUS_LEVELS.slice(0, levels).includes(renal)) || m.flags.some((f) => f.level === 'contraindicated' || f.level === 'avoid');
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

function renalText(renal: RenalEntry | undefined, facts: PatientFacts): string | undefined {
  if (!renal) return undefined;
  const at = renal.atPatient;
  if (at) {
    // The tool was sent an eGFR just past the bound the clinician gave ("below 30"): name the bound.
    const egfr = facts.egfrComparator && at.egfr === egfrForThresholds(facts) ? statedEgfr(facts) : at.egfr;
    if (!at.action || at.action === 'none') return `no renal adjustment at eGFR ${egfr}`;
    return `at eGFR ${egfr}: ${lowerFirst(withoutFinalStop(clip(at.advice ?? at.action, 120)))}`;
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

/**
 * For a woman who could be pregnant and has not said: the tool's pregnancy risk, with what to do
 * about it (confirm before starting; for a drug already taken, ask and stop it if she is pregnant).
 */
function unstatedPregnancyCaution(m: MedicationEntry, facts: PatientFacts): string | undefined {
  const risk = m.pregnancy?.risk;
  if (!couldBePregnant(facts) || (risk !== 'contraindicated' && risk !== 'avoid')) return undefined;
  const taken = takenMedications(facts).includes(m.name.toLowerCase());
  const action = taken ? 'ask whether she could be pregnant, and stop it if she is' : 'confirm pregnancy status before starting it';
  return `pregnancy: ${risk} (status not stated): ${action}`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
