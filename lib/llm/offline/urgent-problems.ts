// What leads an answer when something cannot wait, and what it orders then. An urgent problem is an
// action line that is urgent or an emergency (hyperkalemia from 6.0 mmol/L or with ECG changes,
// kidney function that may be acute kidney injury, level 2 hypoglycemia, a hypertensive crisis:
// lab-actions.ts), or a result past a critical limit or in an urgent band (a glucose over 500 mg/dL,
// profound hyponatremia: lab-summary.ts). While one leads, the answer orders that problem's own
// work-up (with a possible hypertensive emergency's and a red flag's), names the routine work-up for
// once it is under control, and the model looks up no routine drug on its own initiative
// (tool-planner.ts): the drugs the patient takes are still checked.
import type { ClinicalFindings, ConditionProfile, RankedCondition } from './clinical-reasoning.js';
import { testsFor } from './clinical-reasoning.js';
import type { ActionContext, LabAction } from './lab-actions.js';
import { labActions, leadsUrgently } from './lab-actions.js';
import type { LabResult } from './lab-summary.js';
import { criticalLimitsOf, urgentResults } from './lab-summary.js';
import type { PatientFacts } from './patient-facts.js';

export interface UrgentProblems {
  /** Every action the results call for, urgent or not, most urgent first. */
  actions: LabAction[];
  /** "**Urgent:** …" for each urgent result no action speaks for. */
  lines: string[];
  /** Something cannot wait: an urgent action or an urgent result. */
  urgent: boolean;
  /** The urgent problems' own tests, most urgent first, each once. */
  workUp: string[];
}

/** The actions and urgent results for what the clinician gave (and the lab tool judged, once it has). */
export function urgentProblems(findings: ClinicalFindings, labs: readonly LabResult[]): UrgentProblems {
  const { facts } = findings;
  const context: ActionContext = { criticalLimits: (test) => criticalLimitsOf(labs, test) };
  if (findings.egfr !== undefined) {
    context.egfr = findings.egfr;
    context.egfrEstimated = findings.egfrEstimated === true;
    if (findings.egfrStated) context.egfrStated = findings.egfrStated;
  }
  const actions = labActions(facts, context);
  const results = urgentResults(labs, facts, actions.flatMap((a) => a.covers));
  const leading = actions.filter(leadsUrgently);
  return {
    actions,
    lines: results.map((r) => r.text),
    urgent: leading.length > 0 || results.length > 0,
    workUp: unique([...leading.flatMap((a) => a.workUp ?? []), ...results.flatMap((r) => r.workUp)]),
  };
}

/** Work-up that cannot wait in an emergency: a possible hypertensive emergency's own and a red flag's (chest pain: ECG, troponin). */
export function isEmergencyWorkUp(profile: ConditionProfile): boolean {
  return profile.id === 'hypertensive_emergency' || profile.redFlag !== undefined;
}

/** A possible hypertensive emergency leads (lab-actions.ts acts on it). */
export const hypertensiveEmergency = (ranked: readonly RankedCondition[]): boolean => ranked.some((r) => r.profile.id === 'hypertensive_emergency');

/**
 * What the answer orders while an urgent problem leads: the urgent problems' own tests, then those of
 * a possible hypertensive emergency and a red flag among the conditions. The rest wait.
 */
export function urgentOrders(problems: UrgentProblems, conditions: readonly RankedCondition[], facts: PatientFacts): string[] {
  return unique([...problems.workUp, ...testsFor(conditions.filter((r) => isEmergencyWorkUp(r.profile)), facts)]);
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
