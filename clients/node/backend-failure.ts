// A failure to reach the trace backend, said as `tracemesh eval` says it: which address was tried
// and which setting names it — not just "fetch failed". One helper for query, trace, dataset and eval.
import { tracingConfig, type TracingConfig } from '../../lib/config.js';

export function describeBackendFailure(error: unknown, config: TracingConfig = tracingConfig()): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isUnreachable(error)) return message;
  // The cause says why (connect ECONNREFUSED …); an AggregateError (several addresses tried) has only a code.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message || (error.cause as NodeJS.ErrnoException).code : undefined;
  const setting =
    config.backend === 'local'
      ? 'is the trace store running (tracemesh up)? Its address is TRACESTORE_URL (or TRACESTORE_PORT)'
      : 'check BRAINTRUST_APP_URL / BRAINTRUST_API_URL';
  return `could not reach the trace backend at ${config.appUrl}: ${message}${cause ? ` (${cause})` : ''}; ${setting}`;
}

/** fetch() rejects with a bare TypeError("fetch failed") when no HTTP answer came at all (refused, DNS, reset). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'fetch failed';
}
