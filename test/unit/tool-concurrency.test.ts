import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ToolConcurrency } from '../../services/toolworker/tool-concurrency.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('tool concurrency', () => {
  it('bounds each tool separately: a saturated tool does not hold up another', async () => {
    const limits = new ToolConcurrency({ perTool: 2, queuePerTool: 1 });
    const signal = new AbortController().signal;
    const gate = deferred();
    let peak = 0;
    const slow = Array.from({ length: 3 }, () =>
      limits.run('slow', signal, async () => {
        peak = Math.max(peak, limits.running('slow'));
        await gate.promise;
        return 'slow';
      }),
    );
    assert.equal(await limits.run('fast', signal, async () => 'fast'), 'fast', 'another tool runs at once');
    const rejected = await limits.run('slow', signal, async () => 'x').then(() => undefined, (e: ServiceError) => e);
    assert.equal(rejected?.code, status.RESOURCE_EXHAUSTED, 'the full waiting line refuses at once');
    gate.resolve();
    assert.deepEqual(await Promise.all(slow), ['slow', 'slow', 'slow']);
    assert.equal(peak, 2, 'never more than the limit at once');
    assert.equal(limits.running('slow'), 0);
  });

  it('a waiting call leaves the line when its caller cancels', async () => {
    const limits = new ToolConcurrency({ perTool: 1, queuePerTool: 5 });
    const gate = deferred();
    const busy = limits.run('t', new AbortController().signal, () => gate.promise);
    const controller = new AbortController();
    const waiting = limits.run('t', controller.signal, async () => 'ran');
    controller.abort(new Error('caller left'));
    await assert.rejects(waiting, /caller left/);
    gate.resolve();
    await busy;
    assert.equal(await limits.run('t', new AbortController().signal, async () => 'next'), 'next');
    assert.equal(limits.running('t'), 0);
  });
});
