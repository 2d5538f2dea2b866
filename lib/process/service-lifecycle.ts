// How a service process ends: on SIGTERM/SIGINT, or when the `tracemesh up` that started it goes
// away (its IPC channel closes), it stops gracefully once — health NOT_SERVING, no new calls,
// in-flight calls finish within the grace period, spans flushed — and exits. A second signal
// while stopping forces an immediate exit.
import type { Logger } from '../logging.js';

export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (reason: string): void => {
    if (stopping) {
      log.warn({ reason }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
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
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  if (typeof process.send === 'function') process.once('disconnect', () => onSignal('parent exited'));
}
