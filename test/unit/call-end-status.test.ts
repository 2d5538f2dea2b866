// A call that ends early: its AbortSignal's reason is the status the call ends with, and a turn
// stopped by it fails with that status — not with whatever the stopped work threw on the way out.
// (Our deadline timer and grpc-js's race; when ours fired first the caller got CANCELLED for a
// passed deadline, and a worker INTERNAL.)
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { status } from '@grpc/grpc-js';
import { APIUserAbortError } from '@anthropic-ai/sdk';
import { grpcError, isGrpcError } from '../../lib/grpc/errors.js';
import { callSignal, earlyEndOf, type ServerCall } from '../../lib/grpc/server-call.js';
import { toTurnError } from '../../services/conversation/turn-errors.js';

/** The two things callSignal reads from a grpc-js server call: its deadline and its 'cancelled' event. */
function serverCall(deadline: Date | number): EventEmitter & ServerCall {
  return Object.assign(new EventEmitter(), { getDeadline: () => deadline }) as unknown as EventEmitter & ServerCall;
}

function abortedWith(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener('abort', () => resolve(signal.reason), { once: true })));
}

describe('how an early end of a call becomes a status', () => {
  it('aborts with DEADLINE_EXCEEDED when the deadline passes', async () => {
    const { signal, release } = callSignal(serverCall(new Date(Date.now() + 20)));
    try {
      const reason = await abortedWith(signal);
      assert.ok(isGrpcError(reason));
      assert.equal(reason.code, status.DEADLINE_EXCEEDED);
    } finally {
      release();
    }
  });

  it('aborts with CANCELLED when the caller cancels, and not at all once released', async () => {
    const cancelled = serverCall(Infinity);
    const watched = callSignal(cancelled);
    cancelled.emit('cancelled');
    const reason = await abortedWith(watched.signal);
    assert.ok(isGrpcError(reason));
    assert.equal(reason.code, status.CANCELLED);
    watched.release();

    const finished = serverCall(new Date(Date.now() + 20));
    const released = callSignal(finished);
    released.release();
    finished.emit('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(released.signal.aborted, false);
  });

  it('counts a cancellation that arrives at the deadline (the caller\'s own timer reset the stream) as the deadline', async () => {
    const atDeadline = serverCall(new Date(Date.now() + 5));
    const watched = callSignal(atDeadline);
    try {
      atDeadline.emit('cancelled');
      const reason = await abortedWith(watched.signal);
      assert.ok(isGrpcError(reason));
      assert.equal(reason.code, status.DEADLINE_EXCEEDED);
      assert.equal(earlyEndOf(serverCall(new Date(Date.now() + 60_000))).code, status.CANCELLED, 'well before it, a cancel is a cancel');
    } finally {
      watched.release();
    }
  });

  it('fails a turn stopped by its deadline with DEADLINE_EXCEEDED, whatever the stopped work threw', () => {
    const controller = new AbortController();
    controller.abort(grpcError(status.DEADLINE_EXCEEDED, "the call's deadline passed"));
    for (const thrown of [grpcError(status.CANCELLED, 'a tool call cancelled with the turn'), new APIUserAbortError(), new Error('anything')]) {
      assert.equal(toTurnError(thrown, controller.signal).code, status.DEADLINE_EXCEEDED);
    }
  });

  it('keeps a failure that did not come from the call ending', () => {
    const live = new AbortController().signal;
    assert.equal(toTurnError(grpcError(status.UNAVAILABLE, 'no worker'), live).code, status.UNAVAILABLE);
    assert.equal(toTurnError(new Error('bug'), live).code, status.INTERNAL);
  });
});
