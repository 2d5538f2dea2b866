// One round of a latency comparison: `turns` turns one after another (concurrency 1), returning
// every latency; failures abort the benchmark, since a figure built on errors would mislead.
import type { TurnOutcome } from './closed-loop.js';

export async function sequentialRound(turns: number, turn: () => Promise<TurnOutcome | void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < turns; i++) {
    const started = performance.now();
    const outcome = await turn();
    if (outcome && !outcome.ok) throw new Error(`a turn failed: ${outcome.code}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}
