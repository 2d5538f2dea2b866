// length_score — is the answer comprehensive but concise? (seed: "100–500 words optimal")
//   words in [100, 500] → 1;  fewer → words / 100;  more → falls linearly to 0 at 1000 words;
//   an empty answer → 0.
import { countWords, responseText } from './response-text.js';
import type { ScorerArgs } from './scorer-types.js';
import { defineScorer, roundScore } from './scorer-types.js';

export const OPTIMAL_WORDS = { min: 100, max: 500 } as const;
const ZERO_AT_WORDS = 1000;

export function lengthScore(words: number): number {
  if (words <= 0) return 0;
  if (words < OPTIMAL_WORDS.min) return words / OPTIMAL_WORDS.min;
  if (words <= OPTIMAL_WORDS.max) return 1;
  return Math.max(0, 1 - (words - OPTIMAL_WORDS.max) / (ZERO_AT_WORDS - OPTIMAL_WORDS.max));
}

export const lengthScorer = defineScorer('length_score', async ({ output }: ScorerArgs) => {
  const words = countWords(responseText(output));
  return { score: roundScore(lengthScore(words)), metadata: { words, optimal_words: [OPTIMAL_WORDS.min, OPTIMAL_WORDS.max] } };
});
