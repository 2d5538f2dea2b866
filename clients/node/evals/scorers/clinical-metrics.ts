// contains_clinical_metrics — does the answer give the clinical metrics? (seed: "BMI, blood
// pressure, risk factors"). Each of the three earns up to a third:
//   BMI:            1 with a value ("BMI 30.9"), ½ named without one, 0 absent
//   blood pressure: 1 with a reading ("150/95"), ½ named without one ("check her BP"), 0 absent
//   risk factors:   1 when risk is discussed ("risk factors", "cardiovascular risk", "risk of…")
import { responseText } from './response-text.js';
import type { ScorerArgs } from './scorer-types.js';
import { defineScorer, roundScore } from './scorer-types.js';

type Finding = 'value' | 'mentioned' | 'absent';

const BMI_NAME = /\bBMI\b|body[- ]mass[- ]index/i;
const BMI_VALUE = /(?:\bBMI\b|body[- ]mass[- ]index)[^\n\d]{0,30}\d{2}(?:\.\d)?/i;
const BP_NAME = /blood[- ]pressure|\bBP\b/i;
// Systolic 70–249 over diastolic 40–149: a reading, not a date or a fraction.
const BP_READING = /(?<![\d/])(?:[7-9]\d|1\d\d|2[0-4]\d)\s*\/\s*(?:[4-9]\d|1[0-4]\d)(?![\d/])/;
const RISK = /risk[- ]factors?|\b(?:cardiovascular|cardiometabolic|ascvd|metabolic|health|cardiac|stroke|fracture)[- ]risk\b|\brisk (?:of|for|score|assessment)\b|\b(?:high|increased|elevated|low|moderate)[- ]risk\b/i;

function credit(finding: Finding): number {
  return finding === 'value' ? 1 : finding === 'mentioned' ? 0.5 : 0;
}

export const clinicalMetricsScorer = defineScorer('contains_clinical_metrics', async ({ output }: ScorerArgs) => {
  const text = responseText(output);
  const bmi: Finding = BMI_VALUE.test(text) ? 'value' : BMI_NAME.test(text) ? 'mentioned' : 'absent';
  const bloodPressure: Finding = BP_READING.test(text) ? 'value' : BP_NAME.test(text) ? 'mentioned' : 'absent';
  const riskFactors = RISK.test(text);
  const score = (credit(bmi) + credit(bloodPressure) + (riskFactors ? 1 : 0)) / 3;
  return {
    score: roundScore(score),
    metadata: { bmi, blood_pressure: bloodPressure, risk_factors: riskFactors ? 'discussed' : 'absent' },
  };
});
