// A round of tool calls: calls start as their blocks complete, run once per block, come back in
// the response's block order, and a cancelled round aborts its calls and waits for them.
import assert from 'node:assert/strict';
import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { ToolRound } from '../../services/conversation/tool-round.js';

function use(id: string): ToolUseBlock {
  return { type: 'tool_use', id, name: 'diagnostics_sleep', input: { ms: 0 } } as ToolUseBlock;
}

/** A call that finishes when told to, or fails with the abort reason when its signal aborts. */
function controllableCall(log: string[]) {
  const finishers = new Map<string, () => void>();
  const start = (block: ToolUseBlock, signal: AbortSignal): Promise<string> => {
    log.push(`start ${block.id}`);
    return new Promise<string>((resolve, reject) => {
      finishers.set(block.id, () => resolve(`result ${block.id}`));
      signal.addEventListener('abort', () => {
        log.push(`aborted ${block.id}: ${String((signal.reason as Error).message)}`);
        reject(new Error(`cancelled ${block.id}`));
      });
    });
  };
  return { start, finish: (id: string) => finishers.get(id)?.() };
}

/** A round over controllable calls, with the log of what they saw. */
function controllableRound(): { log: string[]; calls: ReturnType<typeof controllableCall>; round: ToolRound<string> } {
  const log: string[] = [];
  const calls = controllableCall(log);
  return { log, calls, round: new ToolRound(calls.start) };
}

describe('ToolRound', () => {
  it('starts each block once, as it arrives, and returns results in block order', async () => {
    const { log, calls, round } = controllableRound();
    round.start(use('b1'));
    round.start(use('b1'));
    assert.deepEqual(log, ['start b1'], 'a block announced twice runs once');
    round.start(use('b2'));
    const results = round.finish([use('b1'), use('b2'), use('b3')]);
    assert.deepEqual(log, ['start b1', 'start b2', 'start b3'], 'a block the stream did not announce starts at finish');
    calls.finish('b3');
    calls.finish('b1');
    calls.finish('b2');
    assert.deepEqual(await results, ['result b1', 'result b2', 'result b3']);
    assert.equal(round.startedCount, 3);
  });

  it('cancels the started calls and returns only once every one has settled', async () => {
    const { log, calls, round } = controllableRound();
    round.start(use('b1'));
    round.start(use('b2'));
    calls.finish('b1');
    await Promise.resolve();
    const kept = await round.cancel(new Error('the response was cut short'));
    assert.deepEqual(kept, ['result b1'], 'the call that had finished keeps its result; the cancelled one has none');
    assert.ok(log.includes('aborted b2: the response was cut short'), 'the running call saw the cancellation, and why');
  });

  it('leaves no unhandled rejection when a started call fails before the round is awaited', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const round = new ToolRound<string>(() => Promise.reject(new Error('worker down')));
      round.start(use('b1'));
      await new Promise((resolve) => setImmediate(resolve));
      await assert.rejects(round.finish([use('b1')]), /worker down/);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
