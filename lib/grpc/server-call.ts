// The server-side call a handler serves, as grpc-js accepts it for `parent` in outgoing calls, and
// an AbortSignal that fires when that call ends early (cancelled by the caller, or its deadline
// passed) so model streams and tools stop working for a caller who left. The signal's reason is
// the status the call ends with (CANCELLED or DEADLINE_EXCEEDED): work that stops because of it
// fails with that status, whichever timer — ours or grpc-js's — fires first.
import { EventEmitter } from 'node:events';
import { status, type CallOptions } from '@grpc/grpc-js';
import { grpcError, type GrpcError } from './errors.js';

export type ServerCall = NonNullable<CallOptions['parent']>;

export interface CallSignal {
  signal: AbortSignal;
  /** Stops watching the call (when the work finished normally). */
  release(): void;
}

/**
 * A caller's own deadline timer fires first and resets the stream, so the server sees a
 * cancellation a moment before its deadline: within this margin of it, it counts as the deadline.
 */
const DEADLINE_MARGIN_MS = 20;

function deadlineMsOf(call: ServerCall): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : Number(deadline);
}

/** Why a call ended before its handler finished: its deadline passed, or the caller cancelled it. */
export function earlyEndOf(call: ServerCall): GrpcError {
  const deadlineMs = deadlineMsOf(call);
  return Number.isFinite(deadlineMs) && Date.now() >= deadlineMs - DEADLINE_MARGIN_MS
    ? grpcError(status.DEADLINE_EXCEEDED, "the caller's deadline passed")
    : grpcError(status.CANCELLED, 'the caller cancelled the call');
}

export function callSignal(call: ServerCall): CallSignal {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(earlyEndOf(call));
  const events = call as unknown as EventEmitter;
  events.on('cancelled', onCancel);
  const deadlineMs = deadlineMsOf(call);
  // grpc-js cancels a call whose deadline passed, but only on its own timer: abort on ours too.
  const timer = Number.isFinite(deadlineMs)
    ? setTimeout(() => controller.abort(earlyEndOf(call)), Math.max(0, deadlineMs - Date.now()))
    : undefined;
  timer?.unref();
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      events.removeListener('cancelled', onCancel);
    },
  };
}

export interface ChildCallParent {
  /** What outgoing calls made for the work take as `parent` (deadline and cancellation propagate). */
  parent: ServerCall;
  /** Stops watching `signal` (when the work is done). */
  release(): void;
}

/**
 * A stand-in for `call` as the parent of the outgoing calls one piece of work (a turn) makes.
 * grpc-js adds a 'cancelled' listener to a call's parent for every child call and never removes
 * it: on a Converse stream, which runs many turns on one call, each tool call left one on the
 * call for the stream's life (a MaxListenersExceededWarning at eleven, and a leak). Children
 * listen here instead: it gives the call's deadline, says 'cancelled' when `signal` aborts, and
 * is dropped with the work — so it may hold any number of listeners.
 */
export function childCallParent(call: ServerCall, signal: AbortSignal): ChildCallParent {
  const children = new EventEmitter();
  // One listener per outgoing call of this one piece of work, all dropped with it: not a leak.
  children.setMaxListeners(0);
  const cancel = (): void => {
    children.emit('cancelled', 'cancelled');
  };
  signal.addEventListener('abort', cancel, { once: true });
  const parent = Object.assign(children, { getDeadline: () => call.getDeadline() });
  return {
    // grpc-js uses only on('cancelled') and getDeadline() of a parent.
    parent: parent as unknown as ServerCall,
    release: () => signal.removeEventListener('abort', cancel),
  };
}
