// Interleaved rounds: every contestant of a comparison runs once per round, the order alternating
// (A B, B A, A B …) so that drift on a shared machine — another tenant, a GC-heavy neighbour,
// thermal changes — lands on both sides. Warm-up rounds run the same way and are discarded.
export interface RoundPlan {
  warmupRounds: number;
  rounds: number;
}

export type Contestant<T> = { name: string; run(round: number): Promise<T> };

export async function interleavedRounds<T>(contestants: Array<Contestant<T>>, plan: RoundPlan, onRound?: (round: number) => void): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contestants.map((c) => [c.name, []]));
  const total = plan.warmupRounds + plan.rounds;
  for (let round = 0; round < total; round++) {
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    for (const contestant of order) {
      const value = await contestant.run(round);
      if (round >= plan.warmupRounds) results.get(contestant.name)?.push(value);
    }
    onRound?.(round);
  }
  return results;
}
