// The bound in front of the Braintrust SDK's background logger: at most N rows wait for the backend
// (queued or being sent); more are refused and counted; a completed flush makes room again. The
// SDK's own TestBackgroundLogger stands in for the HTTP one, with a flush that completes only when
// the test lets it — a backend that hangs.
import assert from 'node:assert/strict';
import { LazyValue, TestBackgroundLogger } from 'braintrust';
import { BoundedBackgroundLogger } from '../../lib/tracing/bounded-background-logger.js';

type Items = Parameters<TestBackgroundLogger['log']>[0];

/** A background logger whose flush waits until `answer()`: the backend hangs until then. */
class HangingBackgroundLogger extends TestBackgroundLogger {
  private waiting: Array<() => void> = [];

  override flush(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  answer(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

let nextId = 0;
function rows(count: number): Items {
  return Array.from({ length: count }, () => {
    const id = `row-${nextId++}`;
    return new LazyValue(async () => ({ id, span_id: id, root_span_id: 'root', project_id: 'p', log_id: 'g' as const }));
  }) as unknown as Items;
}

describe('BoundedBackgroundLogger', () => {
  it('passes rows through, refuses those past the bound and counts them, and takes rows again once a flush completes', async () => {
    const inner = new HangingBackgroundLogger();
    let refused = 0;
    const bounded = new BoundedBackgroundLogger(inner, { maxWaitingRows: 5, onRefused: (count) => (refused += count) });

    bounded.log(rows(3));
    bounded.log(rows(4)); // two fit
    assert.equal(bounded.waitingRows, 5);
    assert.equal(refused, 2);
    assert.equal((await inner.drain()).length, 5, 'the SDK got the five that fit');

    const flushed = bounded.flush(); // the backend hangs: nothing is done with yet
    bounded.log(rows(1));
    assert.equal(refused, 3, 'still full while the flush hangs');

    inner.answer();
    await flushed;
    assert.equal(bounded.waitingRows, 0);
    bounded.log(rows(2));
    assert.equal(refused, 3);
    assert.equal((await inner.drain()).length, 2, 'rows flow again once the backend answered');
  });

  it('counts as done only the rows logged before a flush began', async () => {
    const inner = new HangingBackgroundLogger();
    const bounded = new BoundedBackgroundLogger(inner, { maxWaitingRows: 10, onRefused: () => undefined });
    bounded.log(rows(4));
    const flushed = bounded.flush();
    bounded.log(rows(3)); // after the flush's boundary: it may still be queued when the flush ends
    inner.answer();
    await flushed;
    assert.equal(bounded.waitingRows, 3);
  });

  it('hands masking to the SDK logger it stands in front of', async () => {
    const inner = new TestBackgroundLogger();
    const bounded = new BoundedBackgroundLogger(inner, { maxWaitingRows: 10, onRefused: () => undefined });
    bounded.setMaskingFunction((value) => (typeof value === 'string' && value.startsWith('secret') ? '[masked]' : value));
    bounded.log([new LazyValue(async () => ({ id: 'r', input: 'secret value', project_id: 'p', log_id: 'g' as const }))] as unknown as Items);
    const [row] = await inner.drain();
    assert.equal((row as { input?: unknown }).input, '[masked]');
  });
});
