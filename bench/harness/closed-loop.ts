// Closed-loop load: `concurrency` callers, each starting its next turn as soon as its previous one
// ended — the way a pool of users or agents drives a service — for a fixed time or number of
// turns. Latency is measured per turn from the call to its end; failures are counted by code.
export type TurnOutcome = { ok: true } | { ok: false; code: string };

export interface ClosedLoopOptions {
  concurrency: number;
  /** Stop starting turns after this long (ms)… */
  durationMs?: number;
  /** …or after this many turns in total, whichever comes first. */
  turns?: number;
  /** Called about once a second with the turns finished so far (progress on stderr). */
  onProgress?: (done: number, elapsedMs: number, errors: number) => void;
}

export interface ClosedLoopResult {
  /** Latency of every successful turn, ms, in completion order. */
  latenciesMs: number[];
  errorsByCode: Record<string, number>;
  completed: number;
  failed: number;
  elapsedMs: number;
  /** Successful turns per second over the whole run. */
  throughput: number;
}

export async function runClosedLoop(turn: () => Promise<TurnOutcome>, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let started = 0;
  let failed = 0;
  const begin = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : begin + options.durationMs;
  const maxTurns = options.turns ?? Number.POSITIVE_INFINITY;
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(latenciesMs.length + failed, performance.now() - begin, failed), 1_000)
    : undefined;

  const caller = async (): Promise<void> => {
    while (started < maxTurns && performance.now() < deadline) {
      started++;
      const t0 = performance.now();
      const outcome = await turn();
      if (outcome.ok) latenciesMs.push(performance.now() - t0);
      else {
        failed++;
        errorsByCode[outcome.code] = (errorsByCode[outcome.code] ?? 0) + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, caller));
  } finally {
    clearInterval(progress);
  }
  const elapsedMs = performance.now() - begin;
  return { latenciesMs, errorsByCode, completed: latenciesMs.length, failed, elapsedMs, throughput: (latenciesMs.length * 1000) / elapsedMs };
}
