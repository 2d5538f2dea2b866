// childCallParent: the outgoing calls of one turn listen for cancellation on a stand-in for the
// server call, not on the call itself (grpc-js never removes a child's listener from its parent).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { childCallParent, type ServerCall } from '../../lib/grpc/server-call.js';

/** Just what grpc-js reads of a parent: its 'cancelled' event and its deadline. */
function fakeServerCall(deadline: Date): { call: ServerCall; events: EventEmitter } {
  const events = Object.assign(new EventEmitter(), { getDeadline: () => deadline });
  return { call: events as unknown as ServerCall, events };
}

/** How grpc-js's ResolvingCall treats its parent (resolving-call.js): a listener it never removes. */
function startChildCall(parent: ServerCall, onCancelled: () => void): void {
  (parent as unknown as EventEmitter).on('cancelled', onCancelled);
}

describe('childCallParent', () => {
  it('keeps every child call of every turn off the server call, and passes on its deadline', () => {
    const deadline = new Date(Date.now() + 60_000);
    const { call, events } = fakeServerCall(deadline);
    const callEnds = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // 40 turns of 3 tool calls each on one call (one Converse stream), one turn after another.
      for (let turn = 0; turn < 40; turn++) {
        const children = childCallParent(call, callEnds.signal);
        assert.equal(children.parent.getDeadline(), deadline);
        for (let tool = 0; tool < 3; tool++) startChildCall(children.parent, () => undefined);
        children.release();
      }
      assert.equal(events.listenerCount('cancelled'), 0, 'no listener left on the server call');
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.map((w) => w.name), []);
  });

  it("cancels a turn's child calls when the call's signal aborts, and only until the turn is released", () => {
    const { call } = fakeServerCall(new Date(Date.now() + 60_000));
    const callEnds = new AbortController();
    const finished = childCallParent(call, callEnds.signal);
    const running = childCallParent(call, callEnds.signal);
    let finishedCancelled = 0;
    let runningCancelled = 0;
    startChildCall(finished.parent, () => finishedCancelled++);
    for (let tool = 0; tool < 12; tool++) startChildCall(running.parent, () => runningCancelled++);
    finished.release();
    callEnds.abort();
    assert.equal(runningCancelled, 12, 'every child call of the running turn is cancelled');
    assert.equal(finishedCancelled, 0, 'a released turn no longer listens');
  });
});
