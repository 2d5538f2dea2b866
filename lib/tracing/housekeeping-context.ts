// Calls the mesh makes for itself — the periodic tool-list refresh, the start-up wait for workers —
// are nobody's request. Made in a context whose span is not sampled, they carry `traceparent` with
// the sampled flag off, and the servers they reach record nothing (OTel's parent-based sampling).
// Traced, each would be a root trace of its own: two a minute per conversation replica, filling
// every trace list (and, with Braintrust, the bill) with ListTools calls.
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';

export function withoutTracing<T>(work: () => T): T {
  const unsampled = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.NONE, isRemote: false };
  return context.with(trace.setSpanContext(ROOT_CONTEXT, unsampled), work);
}
