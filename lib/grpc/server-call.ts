// The server-side call a handler serves, as grpc-js accepts it for `parent` in outgoing calls, and
// an AbortSignal that fires when that call ends early (cancelled by the caller, or its deadline
// passed) so model streams and tools stop working for a caller who left. The signal's reason is
// the status the call ends with (CANCELLED or DEADLINE_EXCEEDED): work that stops because of it
// fails with that status, whichever timer — ours or grpc-js's — fires first.
import type { EventEmitter } from 'node:events';
import { status, type CallOptions } from '@grpc/grpc-js';
import { grpcError } from './errors.js';

export type ServerCall = NonNullable<CallOptions['parent']>;

export interface CallSignal {
  signal: AbortSignal;
  /** Stops watching the call (when the work finished normally). */
  release(): void;
}

export function callSignal(call: ServerCall): CallSignal {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(grpcError(status.CANCELLED, 'cancelled by the caller'));
  const events = call as unknown as EventEmitter;
  events.on('cancelled', onCancel);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  // grpc-js cancels a call whose deadline passed, but only on its own timer: abort on ours too.
  const timer = Number.isFinite(deadlineMs)
    ? setTimeout(() => controller.abort(grpcError(status.DEADLINE_EXCEEDED, 'the call\'s deadline passed')), Math.max(0, deadlineMs - Date.now()))
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
