// Action items a lab result calls for, placed near the top of the recommendations rather than left
// in the list of results: hyperkalemia, with what to do about the drugs on the list that raise
// potassium. The model's own rule of thumb (like its advice on NSAIDs and metformin), after the ESC
// 2021 heart-failure guidelines: above 5.5 mmol/L halve an ACE inhibitor, ARB or mineralocorticoid
// antagonist, above 6.0 stop it.
import type { LabReading } from './lab-values.js';
import { inReferenceUnit } from './lab-values.js';
import type { PatientFacts } from './patient-facts.js';
import { formatLab, joinAnd, withProductName } from './phrasing.js';

/** mmol/L. */
const HYPERKALEMIA_FROM = 5.5;
const STOP_FROM = 6.0;

/** Raise potassium and are reduced, then stopped: ACE inhibitors, ARBs, spironolactone. */
const RAAS_BLOCKERS: readonly string[] = ['lisinopril', 'enalapril', 'losartan', 'valsartan', 'spironolactone'];
/** Raise potassium and are stopped outright: NSAIDs, and trimethoprim (another antibiotic will do). */
const STOP_AT_ONCE: readonly string[] = ['ibuprofen', 'naproxen', 'trimethoprim-sulfamethoxazole'];

/** The action items, most urgent first; none when no result calls for one. */
export function labActionLines(facts: PatientFacts): string[] {
  const potassium = hyperkalemia(facts.labs);
  return potassium ? [hyperkalemiaAction(potassium.reading, potassium.mmol, facts)] : [];
}

/** The potassium reading at or past 5.5 mmol/L ("K > 6" counts, "K < 6" does not). */
function hyperkalemia(labs: readonly LabReading[]): { reading: LabReading; mmol: number } | undefined {
  const reading = labs.find((r) => r.test === 'potassium' && r.comparator !== '<' && r.comparator !== '≤');
  const mmol = reading ? inReferenceUnit(reading)?.value : undefined;
  return reading && mmol !== undefined && mmol >= HYPERKALEMIA_FROM ? { reading, mmol } : undefined;
}

function hyperkalemiaAction(reading: LabReading, mmol: number, facts: PatientFacts): string {
  const taken = facts.medications.filter((m) => !facts.proposedMedications.includes(m));
  const named = (list: readonly string[]) => taken.filter((m) => list.includes(m)).map((m) => withProductName(m, facts));
  const blockers = named(RAAS_BLOCKERS);
  const others = named(STOP_AT_ONCE);
  const raisers = [...blockers, ...others];
  const proposed = facts.proposedMedications.filter((m) => RAAS_BLOCKERS.includes(m) || STOP_AT_ONCE.includes(m));
  const severe = mmol >= STOP_FROM;
  const them = (drugs: readonly string[]) => (drugs.length > 1 ? 'them' : 'it');
  const steps: string[] = [];
  if (raisers.length === 0) steps.push('review every drug that raises potassium');
  else if (severe || blockers.length === 0) steps.push(`stop ${them(raisers)}`);
  else {
    const halve = others.length === 0 ? `halve ${blockers.length > 1 ? 'their doses' : 'its dose'}` : `halve the dose of ${joinAnd(blockers)}`;
    const stopOthers = others.length > 0 ? ` and stop ${joinAnd(others)}` : '';
    steps.push(`${halve} (stop ${them(blockers)} at ${STOP_FROM.toFixed(1)} mmol/L or more)${stopOthers}`);
  }
  if (proposed.length > 0) steps.push(`do not start ${joinAnd(proposed)}`);
  steps.push('stop potassium supplements and salt substitutes');
  steps.push(severe ? 'get an ECG now and recheck potassium and creatinine the same day' : 'get an ECG and repeat potassium and creatinine within a few days, on a non-hemolyzed sample');
  const why = raisers.length > 0 ? `, and ${joinAnd(raisers)} ${raisers.length > 1 ? 'raise' : 'raises'} it` : '';
  return `**Act on the potassium:** ${formatLab(reading)} is hyperkalemia (≥ ${HYPERKALEMIA_FROM} mmol/L)${why}: ${steps.join('; ')}.`;
}
