// The offline model's own eGFR estimate from a stated serum creatinine, so it can pass kidney
// function to the medication checker in the same response that asks the metrics tool for it (all
// calls go out at once). The same race-free CKD-EPI 2021 equation the metrics tool uses; the model
// lives in lib/ and must not import the worker's code, so it keeps this small copy (a unit test
// holds the two to the same numbers).
import type { CreatinineUnit, Measurement, PatientFacts } from './patient-facts.js';

const UMOL_PER_MG_DL = 88.4;
const ADULT_AGE = 18;

/** eGFR in mL/min/1.73m² (Inker et al., N Engl J Med 2021;385:1737), unrounded. */
export function ckdEpi2021(creatinineMgDl: number, age: number, sex: 'female' | 'male'): number {
  const female = sex === 'female';
  const ratio = creatinineMgDl / (female ? 0.7 : 0.9);
  return 142 * Math.min(ratio, 1) ** (female ? -0.241 : -0.302) * Math.max(ratio, 1) ** -1.2 * 0.9938 ** age * (female ? 1.012 : 1);
}

/** Rounded eGFR from the facts, when creatinine, adult age and sex are all known. */
export function estimateEgfr(facts: Pick<PatientFacts, 'serumCreatinine' | 'age' | 'sex'>): number | undefined {
  const { serumCreatinine, age, sex } = facts;
  if (!serumCreatinine || age === undefined || age < ADULT_AGE || !sex) return undefined;
  const egfr = ckdEpi2021(creatinineInMgDl(serumCreatinine), age, sex);
  return Number.isFinite(egfr) && egfr > 0 ? Math.round(egfr) : undefined;
}

/** A serum creatinine in mg/dL, whichever unit it was given in. */
export function creatinineInMgDl(creatinine: Measurement<CreatinineUnit>): number {
  return creatinine.unit === 'umol/L' ? creatinine.value / UMOL_PER_MG_DL : creatinine.value;
}
