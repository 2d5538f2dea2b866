// The turn event writer: text deltas of one event-loop pass go out as one message at the end of
// the pass; nothing is reordered, held across passes, or merged across model calls.
import assert from 'node:assert/strict';
import { setImmediate as nextPass } from 'node:timers/promises';
import type { TurnEvent } from '../../services/conversation/agent-loop.js';
import { createTurnEventWriter } from '../../services/conversation/turn-event-writer.js';

function recorder(): { written: TurnEvent[]; write: (event: TurnEvent) => void } {
  const written: TurnEvent[] = [];
  return { written, write: (event) => written.push(structuredClone(event)) };
}

const delta = (text: string, iteration = 0): TurnEvent => ({ textDelta: { text, iteration } });

describe('turn event writer', () => {
  it('writes the text deltas of one pass as one message when the pass ends', async () => {
    const { written, write } = recorder();
    const writer = createTurnEventWriter(write);
    writer.emit(delta('The '));
    writer.emit(delta('BMI '));
    writer.emit(delta('is 30.9'));
    assert.equal(written.length, 0, 'held until the end of the pass');
    await nextPass();
    assert.deepEqual(written, [delta('The BMI is 30.9')]);

    writer.emit(delta('. Next'));
    await nextPass();
    writer.emit(delta(' pass'));
    await nextPass();
    assert.deepEqual(written.slice(1), [delta('. Next'), delta(' pass')], 'text is never held across passes');
  });

  it('writes held text before any other event, keeping the order', async () => {
    const { written, write } = recorder();
    const writer = createTurnEventWriter(write);
    const toolCall: TurnEvent = { toolCallStarted: { toolCallId: 'toolu_1', toolName: 'check_medications', iteration: 0 } };
    writer.emit({ turnStarted: { conversationId: 'conv_1', turnIndex: 0 } });
    writer.emit(delta('Let me '));
    writer.emit(delta('check.'));
    writer.emit(toolCall);
    writer.emit(delta('Done', 1));
    writer.emit({ turnCompleted: { result: { text: 'Done' } } });
    assert.deepEqual(written, [
      { turnStarted: { conversationId: 'conv_1', turnIndex: 0 } },
      delta('Let me check.'),
      toolCall,
      delta('Done', 1),
      { turnCompleted: { result: { text: 'Done' } } },
    ]);
    await nextPass();
    assert.equal(written.length, 5, 'nothing left to write at the end of the pass');
  });

  it('keeps the deltas of different model calls apart', async () => {
    const { written, write } = recorder();
    const writer = createTurnEventWriter(write);
    writer.emit(delta('first call', 0));
    writer.emit(delta('second call', 1));
    writer.emit(delta(' continues', 1));
    await nextPass();
    assert.deepEqual(written, [delta('first call', 0), delta('second call continues', 1)]);
  });

  it('flush() writes held text at once (before a stream ends or fails)', async () => {
    const { written, write } = recorder();
    const writer = createTurnEventWriter(write);
    writer.emit(delta('partial'));
    writer.flush();
    assert.deepEqual(written, [delta('partial')]);
    await nextPass();
    assert.equal(written.length, 1, 'the end of the pass does not write it again');
  });
});
