// The sample patient query of the original system (the seed), used by the demo, tests and benchmark.
export const SEED_QUERY =
  'I have a 45-year-old female patient, 5\'4" tall, 180 lbs, presenting with fatigue and increased thirst. ' +
  'What conditions should I evaluate for, and what are the treatment options?';
