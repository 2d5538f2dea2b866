// Braintrust spans for our own steps (server_process_turn, worker_execute_tool, tools, model
// calls). They nest under whatever span is active — Braintrust or OTel — because of the compat
// mode set up in tracing.ts. With tracing off the callback gets Braintrust's no-op span.
import { NOOP_SPAN, type Span, type StartSpanArgs } from 'braintrust';
import { tracing } from './tracing.js';

export type { Span as BraintrustSpan };

export function traced<R>(args: StartSpanArgs & { name: string }, callback: (span: Span) => R): R {
  const logger = tracing().logger;
  return logger ? (logger.traced(callback, args) as R) : callback(NOOP_SPAN);
}

/** A span opened now and ended by the caller (for spans that outlive one callback, like a turn). */
export function startSpan(args: StartSpanArgs & { name: string }): Span {
  return tracing().logger?.startSpan(args) ?? NOOP_SPAN;
}
