// mentions_medications — how deeply are medications and treatment discussed?
//   no drug or drug class named: 0.25 if medication/treatment is talked about generally, else 0
//   one drug or class named: 0.5;  two or more distinct: 0.75
//   + 0.25 when a dose or regimen detail is given (mg, mcg/kg, daily, first-line, titrate,
//     monitor, contraindicated, interaction…), capped at 1
import { medicationsIn } from './medication-lexicon.js';
import { responseText } from './response-text.js';
import type { ScorerArgs } from './scorer-types.js';
import { defineScorer, roundScore } from './scorer-types.js';

const GENERAL_MENTION = /\b(?:medications?|medicines?|drugs?|pharmacotherapy|prescri\w+|treatment)\b/i;
const DOSE = /\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|units?|iu)\b/i;
const REGIMEN = /\b(?:once|twice|three times) (?:a )?(?:daily|day|weekly|week)\b|\b(?:daily|weekly|nightly|bid|tid|qd|prn)\b|first[- ]line|titrat\w*|\bmonitor\w*|contraindicat\w*|interact\w*|\bavoid (?:if|in|with)\b|renal dos\w*/i;

export const medicationsScorer = defineScorer('mentions_medications', async ({ output }: ScorerArgs) => {
  const text = responseText(output);
  const named = medicationsIn(text);
  const detail = DOSE.test(text) ? 'dose' : REGIMEN.test(text) ? 'regimen' : 'none';
  let score: number;
  if (named.length === 0) score = GENERAL_MENTION.test(text) ? 0.25 : 0;
  else score = (named.length === 1 ? 0.5 : 0.75) + (detail === 'none' ? 0 : 0.25);
  return { score: roundScore(score), metadata: { medications: named, detail } };
});
