// The server-side call a handler serves, as grpc-js accepts it for `parent` in outgoing calls, and
// an AbortSignal that fires when that call ends early (cancelled by the caller, or its deadline
// passed) so model streams and tools stop working for a caller who left. The signal's reason is
// the status the call ends with (CANCELLED or DEADLINE_EXCEEDED): work that stops because of it
// fails with that status, whichever timer — ours or grpc-js's — fires first.
import type { EventEmitter } from 'node:events';
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
