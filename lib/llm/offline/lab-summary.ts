// Sentences for the answer about lab results, one a test: from the lab tool's result when there is
// one (its verdict, its reference range, its guideline category or what the result suggests: every
// fact from the tool), else the model's own guideline band for the value. Results past the tool's
// critical limits, or in a band the model's own thresholds call urgent (potassium ≥ 6.0 mmol/L is
// urgent before the tool's usual critical limit of 6.5), also lead the recommendations.
import type { LabJudgement } from './lab-reasoning.js';
import { judgeLab, urgentSide } from './lab-reasoning.js';
import type { LabId, LabLevel, LabReading } from './lab-values.js';
import { labIdOf, labLabel, toolTestOf } from './lab-values.js';
import type { SummaryLine } from './medication-summary.js';
import type { PatientFacts } from './patient-facts.js';
import { capitalise, sentence, withoutFinalStop } from './phrasing.js';
import type { LabEntry } from './tool-results.js';
import { clip } from './tool-results.js';

const GIST_LENGTH = 150;

/** A patient's result with the tool's verdict on it, if the tool judged that very value. */
export interface LabResult {
  reading?: LabReading;
  entry?: LabEntry;
}

/**
 * The results to report, in the order the clinician gave them: each with the newest tool entry for
 * the same test and value. Then tool entries for tests the text did not name (a scripted call, a
 * creatinine); an entry for a value the clinician has since replaced is stale and left out.
 */
export function labResults(facts: PatientFacts, entriesNewestFirst: readonly LabEntry[]): LabResult[] {
  const results: LabResult[] = facts.labs.map((reading) => {
    const tool = toolTestOf(reading.test);
    const entry = entriesNewestFirst.find((e) => tool !== undefined && labIdOf(e.test) === tool && (reading.value === undefined || e.value === reading.value));
    return entry ? { reading, entry } : { reading };
  });
  for (const entry of entriesNewestFirst) {
    const id = labIdOf(entry.test);
    const named = id !== undefined && facts.labs.some((r) => toolTestOf(r.test) === id);
    const seen = results.some((r) => r.entry?.test === entry.test);
    if (!named && !seen) results.push({ entry });
  }
  return results;
}

export function labLines(results: readonly LabResult[], facts: PatientFacts): SummaryLine[] {
  return results.flatMap((r) => {
    if (r.entry) return [{ text: toolLine(r.entry, r.reading), priority: toolPriority(r.entry, r.reading, facts) }];
    return r.reading ? [ownLine(r.reading, facts)] : [];
  });
}

/** A result that cannot wait: its "**Urgent:** …" line, and the tests it needs now. */
export interface UrgentResult {
  text: string;
  workUp: readonly string[];
  /** The test, when it is one of ours. */
  test?: LabId;
  /** As the answer names the test: "sodium", or the tool's name for one of its own. */
  named: string;
  /** Which side of normal it is on, when known: its band's, else the tool's flag (LL or HH). */
  side?: LabLevel;
}

/**
 * Each result past a critical limit (the tool's), else in an urgent band of the model's own
 * thresholds, whether or not the tool judged it: its "**Urgent:** …" line, and its urgent work-up
 * (its band's: a glucose over 500 mg/dL, ketones, blood gas, electrolytes, osmolality; else the result
 * repeated). Not for a test an action line already speaks for (lab-actions.ts): one urgent line a problem.
 */
export function urgentResults(results: readonly LabResult[], facts: PatientFacts, covered: readonly LabId[] = []): UrgentResult[] {
  return results.flatMap((r) => {
    const test = r.reading?.test ?? (r.entry ? labIdOf(r.entry.test) : undefined);
    if (test !== undefined && covered.includes(test)) return [];
    const judged = r.reading ? judgeLab(r.reading, facts) : undefined;
    const named = test !== undefined ? labLabel(test) : (r.entry?.test ?? 'the result').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
    const workUp = judged?.workUp ?? [`repeat ${named}`];
    const flag = r.entry?.flag;
    const side = (r.reading ? urgentSide(r.reading, facts) : undefined) ?? (flag?.startsWith('L') ? 'low' : flag?.startsWith('H') ? 'high' : undefined);
    const about = { workUp, named, ...(test !== undefined ? { test } : {}), ...(side !== undefined ? { side } : {}) };
    if (r.entry && isCritical(r.entry, r.reading)) return [{ text: criticalText(r.entry, r.reading), ...about }];
    return judged?.urgent ? [{ text: ownUrgentText(judged), ...about }] : [];
  });
}

function ownUrgentText(judged: LabJudgement): string {
  return `**Urgent:** ${judged.value}, ${judged.meaning}${judged.threshold ? ` (${judged.threshold})` : ''}, needs assessment and treatment today.`;
}

/**
 * The tool judged the number it was given: for "TSH < 0.01" that is the bound, and its verdict holds
 * for the result only when every value past the bound shares it (low below a low bound, high above a
 * high one). A normal bound says nothing: "ferritin < 300" may be low.
 */
function verdictHolds(e: LabEntry, reading: LabReading | undefined): boolean {
  const comparator = reading?.comparator;
  if (!comparator) return true;
  const side = e.flag?.startsWith('L') || e.interpretation === 'low' ? 'low' : e.flag?.startsWith('H') || e.interpretation === 'high' ? 'high' : undefined;
  return side === (comparator === '<' || comparator === '≤' ? 'low' : 'high');
}

function isCritical(e: LabEntry, reading: LabReading | undefined): boolean {
  return e.interpretation === 'critical' && verdictHolds(e, reading);
}

/** The lab tool's critical limits for a test, when it called the patient's result critical. */
export function criticalLimitsOf(results: readonly LabResult[], test: LabId): string | undefined {
  const r = results.find((x) => x.entry && isCritical(x.entry, x.reading) && (x.reading?.test ?? labIdOf(x.entry.test)) === test);
  return r?.entry?.criticalLimits;
}

/** True when some result was judged by the model's own bands rather than by the lab tool. */
export function hasOwnJudgements(results: readonly LabResult[]): boolean {
  return results.some((r) => !r.entry && r.reading);
}

/**
 * "**Potassium** 6.8 mmol/L: critical (reference 3.6–5.2 mmol/L; critical limits …) — hyperkalemia: …",
 * with the comparator the clinician wrote ("**TSH** < 0.01 mIU/L: low …").
 */
function toolLine(e: LabEntry, reading: LabReading | undefined): string {
  const range = e.referenceRange ? rangeFor(e.referenceRange, e.rangeAppliesTo) : undefined;
  const name = nameOf(e, reading);
  if (e.value === undefined) return `**${name}**: reference ${range ?? 'range not given'}.`;
  const comparator = reading?.comparator ? `${reading.comparator} ` : '';
  const converted = e.valueInReferenceUnit !== undefined && e.referenceUnit ? ` (${comparator}${e.valueInReferenceUnit} ${e.referenceUnit})` : '';
  const value = `**${name}** ${comparator}${e.value}${e.unit ? ` ${e.unit}` : ''}${converted}`;
  if (!verdictHolds(e, reading)) {
    const side = comparator.startsWith('<') || comparator.startsWith('≤') ? 'below' : 'above';
    return sentence(`${value}: reference ${range ?? 'range not given'}; a result known only to be ${side} ${e.value} may fall on either side of it`);
  }
  const limits = e.interpretation === 'critical' && e.criticalLimits ? `; critical limits ${e.criticalLimits}` : '';
  const reference = range ? ` (reference ${range}${limits})` : '';
  const verdict = e.interpretation ? `: ${e.interpretation.replace(/_/g, ' ')}${reference}` : reference;
  const gist = gistOf(e);
  return sentence(`${value}${verdict}${gist ? ` — ${short(gist)}` : ''}`);
}

/** The tool's name for the test, after the clinician's when the tool answered for another test: "Urea (Blood urea nitrogen (BUN))". */
function nameOf(e: LabEntry, reading: LabReading | undefined): string {
  return reading && toolTestOf(reading.test) !== reading.test ? `${capitalise(labLabel(reading.test))} (${e.test})` : e.test;
}

/** A long sentence cut at its first clause rather than mid-word: "primary hypothyroidism (…) or under-replacement; mild rises …". */
function short(text: string): string {
  const clause = text.length > GIST_LENGTH ? (text.split(/;\s/)[0] ?? text) : text;
  return withoutFinalStop(clip(clause, GIST_LENGTH));
}

/** What the result means: the guideline category, else what a value on its side suggests, else the tool's own sentence. */
function gistOf(e: LabEntry): string | undefined {
  if (e.category) return e.category;
  const side = e.flag?.startsWith('L') || e.interpretation === 'low' ? e.lowSuggests : e.flag?.startsWith('H') || e.interpretation === 'high' ? e.highSuggests : undefined;
  if (side) return side;
  return e.interpretation === 'depends_on_sex' ? e.detail : undefined;
}

/** "female 11.6–15.0 g/dL; male 13.2–16.6 g/dL" → "11.6–15.0 g/dL" for a woman, when the tool chose her range. */
function rangeFor(range: string, sex: string | undefined): string {
  const part = sex ? range.split(/;\s*/).find((p) => p.startsWith(`${sex} `)) : undefined;
  return part ? part.slice(sex?.length ?? 0).trim() : range;
}

function toolPriority(e: LabEntry, reading: LabReading | undefined, facts: PatientFacts): SummaryLine['priority'] {
  const judged = reading ? judgeLab(reading, facts) : undefined;
  if (isCritical(e, reading) || judged?.urgent || judged?.alert) return 1;
  return e.interpretation === 'normal' || e.value === undefined ? 3 : 2;
}

/** "**Urgent:** Potassium 6.8 mmol/L is above the critical limit (> 6.5 mmol/L): act on it today. <the tool's first note>" */
function criticalText(e: LabEntry, reading: LabReading | undefined): string {
  const clause = e.detail?.split(';')[0]?.trim();
  const limits = e.criticalLimits ? ` (${e.criticalLimits})` : '';
  // The tool's sentence is about the number it was given; a result past a bound is said as written.
  const what = reading?.comparator
    ? `${e.test} ${reading.comparator} ${e.value ?? ''} ${e.unit ?? ''} is past a critical limit${limits}`
    : clause
      ? `${e.test} ${clause}`
      : `${e.test} ${e.value ?? ''} ${e.unit ?? ''} is past a critical limit`;
  const note = e.notes[0] ? ` ${clip(e.notes[0], 160)}` : '';
  return `**Urgent:** ${withoutFinalStop(what.replace(/\s+/g, ' '))}: act on it today.${note}`;
}

/** "**HbA1c 7.2 %**: diabetes range (≥ 6.5 %)." — the model's own band, or the bare value. */
function ownLine(reading: LabReading, facts: PatientFacts): SummaryLine {
  const judged = judgeLab(reading, facts);
  const value = capitalise(judged.value);
  if (!judged.meaning) return { text: `**${value}**: compare it with the reporting laboratory's reference range.`, priority: 3 };
  const text = judged.threshold ? `**${value}**: ${judged.meaning} (${judged.threshold}).` : `**${value}** (as reported): ${judged.meaning}.`;
  return { text, priority: judged.urgent || judged.alert ? 1 : judged.matters ? 2 : 3 };
}
