// Braintrust spans for our own steps (server_process_turn, worker_execute_tool, tools, model
// calls). They nest under whatever span is active — Braintrust or OTel — because of the compat
// mode set up in tracing.ts. With tracing off the callback gets Braintrust's no-op span — and so
// it does inside a request whose caller said not to record it (`traceparent` with the sampled flag
// off, as the mesh's own housekeeping calls send): OTel's parent-based sampling drops the RPC spans
// there, and Braintrust spans alone would make half a trace.
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { NOOP_SPAN, type Span, type StartSpanArgs } from 'braintrust';
import { tracing } from './tracing.js';

function insideUnsampledRequest(): boolean {
  const active = trace.getSpanContext(context.active());
  return active !== undefined && trace.isSpanContextValid(active) && (active.traceFlags & TraceFlags.SAMPLED) === 0;
}

export type { Span as BraintrustSpan };

export function traced<R>(args: StartSpanArgs & { name: string }, callback: (span: Span) => R): R {
  const logger = tracing().logger;
  return logger && !insideUnsampledRequest() ? (logger.traced(callback, args) as R) : callback(NOOP_SPAN);
}

/**
 * A span under `parent` rather than under whatever is active — for work started from a callback
 * that runs inside another span (a tool call started while its model call's span is still open).
 */
export function tracedUnder<R>(parent: Span, args: StartSpanArgs & { name: string }, callback: (span: Span) => R): R {
  return parent.traced(callback, args);
}

/** A span opened now and ended by the caller (for spans that outlive one callback, like a turn). */
export function startSpan(args: StartSpanArgs & { name: string }): Span {
  const logger = tracing().logger;
  return logger && !insideUnsampledRequest() ? logger.startSpan(args) : NOOP_SPAN;
}
