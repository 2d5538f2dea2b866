// How a service process ends: on SIGTERM/SIGINT, or when the `tracemesh up` that started it goes
// away (its IPC channel closes), it stops gracefully once and exits.
import type { Logger } from '../logging.js';

export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  if (typeof process.send === 'function') process.once('disconnect', () => onSignal('parent exited'));
}
