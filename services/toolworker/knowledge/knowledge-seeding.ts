// Seeding at worker start: one attempt first (so a worker that reports ready has a searchable
// knowledge base), then, if Chroma was unreachable, retries in the background with capped
// exponential backoff while the worker serves its other tools. Searches before that succeed fail
// with UNAVAILABLE (and try to seed themselves too).
import type { Logger } from '../../../lib/logging.js';
import type { SeedReport } from './knowledge-store.js';

export interface Seedable {
  ensureSeeded(): Promise<SeedReport>;
}

export interface StartupSeeding {
  /** The first attempt's report, or undefined when it failed and retries continue in the background. */
  initial: SeedReport | undefined;
  /** Stops the background retries (on shutdown). */
  stop(): void;
}

export interface StartupSeedingOptions {
  log: Logger;
  /** How long start-up waits for the first attempt (a hung Chroma must not stall the worker). */
  firstAttemptTimeoutMs?: number;
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called once the knowledge base is seeded by a background retry. */
  onSeeded?(report: SeedReport): void;
}

export async function seedAtStartup(store: Seedable, options: StartupSeedingOptions): Promise<StartupSeeding> {
  const { log } = options;
  const waitMs = options.firstAttemptTimeoutMs ?? 10_000;
  try {
    const first = store.ensureSeeded();
    const initial = await Promise.race([
      first,
      new Promise<never>((_, reject) => {
        setTimeout(() => reject(new Error(`first seeding attempt still running after ${waitMs} ms`)), waitMs).unref();
      }),
    ]);
    return { initial, stop: () => {} };
  } catch (error) {
    log.warn({ err: error }, 'knowledge base not seeded at start (search_medical_knowledge is unavailable until it is); retrying in the background');
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delayMs = options.firstRetryDelayMs ?? 1_000;
  const maxDelayMs = options.maxRetryDelayMs ?? 30_000;
  const attempt = (): void => {
    timer = undefined;
    store.ensureSeeded().then(
      (report) => {
        if (stopped) return;
        log.info({ action: report.action, collection: report.collection }, 'knowledge base seeded after retrying');
        options.onSeeded?.(report);
      },
      (error: unknown) => {
        if (stopped) return;
        log.warn({ err: error, retry_in_ms: delayMs }, 'knowledge base seeding failed; retrying');
        timer = setTimeout(attempt, delayMs);
        timer.unref();
        delayMs = Math.min(delayMs * 2, maxDelayMs);
      },
    );
  };
  timer = setTimeout(attempt, delayMs);
  timer.unref();
  delayMs = Math.min(delayMs * 2, maxDelayMs);
  return {
    initial: undefined,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
