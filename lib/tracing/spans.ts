// Braintrust spans for our own steps (server_process_turn, worker_execute_tool, tools, model
// calls). They nest under whatever span is active — Braintrust or OTel — because of the compat
// mode set up in tracing.ts. With tracing off the callback gets Braintrust's no-op span — and so
// it does inside a request whose caller said not to record it (`traceparent` with the sampled flag
// off, as the mesh's own housekeeping calls send): OTel's parent-based sampling drops the RPC spans
// there, and Braintrust spans alone would make half a trace.
//
// A callback that throws a gRPC status leaves it on its span as "NOT_FOUND: details" with
// metadata.error_code, and the caller gets the error unchanged. The SDK's own traced would log the
// error's message and Node stack: noise on an expected answer. INTERNAL and UNKNOWN (a bug) and
// errors that are not statuses keep the SDK's record, stack included: that is where to look.
import { status as grpcStatus } from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { NOOP_SPAN, type Span, type StartSpanArgs } from 'braintrust';
import { isGrpcError, type GrpcError } from '../grpc/errors.js';
import { statusName } from '../grpc/status-codes.js';
import { tracing } from './tracing.js';

function insideUnsampledRequest(): boolean {
  const active = trace.getSpanContext(context.active());
  return active !== undefined && trace.isSpanContextValid(active) && (active.traceFlags & TraceFlags.SAMPLED) === 0;
}

export type { Span as BraintrustSpan };

/**
 * Thrown from a traced callback that logged its failure on the span itself (the tool worker logs a
 * tool's bug with the tool's stack, not that of the status made from it): the caller gets `error`,
 * and the span keeps what the callback logged.
 */
export class LoggedFailure {
  constructor(readonly error: unknown) {}
}

/** A status that is an answer, not a bug. */
function isExpectedStatus(error: unknown): error is GrpcError {
  return isGrpcError(error) && error.code !== grpcStatus.INTERNAL && error.code !== grpcStatus.UNKNOWN;
}

/** The failure as a value carried out of the SDK's traced, which would log it again; anything else is rethrown for the SDK to log. */
function logged(span: Span, error: unknown): LoggedFailure {
  if (error instanceof LoggedFailure) return error;
  if (!isExpectedStatus(error)) throw error;
  const code = statusName(error.code);
  span.log({ error: `${code}: ${error.details ?? error.message}`, metadata: { error_code: code } });
  return new LoggedFailure(error);
}

function rethrowLogged(value: unknown): unknown {
  if (value instanceof LoggedFailure) throw value.error;
  return value;
}

/**
 * Runs `callback` in a span opened by `open`: a logged failure leaves the callback as a value (the
 * SDK ends the span without logging it) and is thrown again here. Promises and plain values alike.
 */
function runLogged<R>(open: (inSpan: (span: Span) => unknown) => unknown, callback: (span: Span) => R): R {
  const result = open((span) => {
    let value: unknown;
    try {
      value = callback(span);
    } catch (error) {
      return logged(span, error);
    }
    return value instanceof Promise ? value.catch((error: unknown) => logged(span, error)) : value;
  });
  return (result instanceof Promise ? result.then(rethrowLogged) : rethrowLogged(result)) as R;
}

export function traced<R>(args: StartSpanArgs & { name: string }, callback: (span: Span) => R): R {
  const logger = tracing().logger;
  return runLogged((inSpan) => (logger && !insideUnsampledRequest() ? logger.traced(inSpan, args) : inSpan(NOOP_SPAN)), callback);
}

/**
 * A span under `parent` rather than under whatever is active — for work started from a callback
 * that runs inside another span (a tool call started while its model call's span is still open).
 */
export function tracedUnder<R>(parent: Span, args: StartSpanArgs & { name: string }, callback: (span: Span) => R): R {
  return runLogged((inSpan) => parent.traced(inSpan, args), callback);
}

/** A span opened now and ended by the caller (for spans that outlive one callback, like a turn). */
export function startSpan(args: StartSpanArgs & { name: string }): Span {
  const logger = tracing().logger;
  return logger && !insideUnsampledRequest() ? logger.startSpan(args) : NOOP_SPAN;
}
