// Writes a turn's events to a server stream. Text deltas that the model produced in the same
// event-loop pass (the SDK parses every SSE event of one network read in one go; the offline model
// hands over several per pass) go out as one TextDelta message: the caller gets the same text at the
// same moment in fewer messages, and neither side pays per-message framing and decoding for each
// fragment. A delta is held at most until the end of the current pass, never for a timer, and any
// other event (a tool call, the completed turn, an error) first writes the text before it.
import type { TextDelta } from '../../gen/ts/tracemesh/conversation/v1/TextDelta.js';
import type { TurnEvent } from './agent-loop.js';

export interface TurnEventWriter {
  /** Queues or writes one event. */
  emit(event: TurnEvent): void;
  /** Writes any held text now (before ending the stream or failing it). */
  flush(): void;
}

export function createTurnEventWriter(write: (event: TurnEvent) => void): TurnEventWriter {
  let held: TextDelta | undefined;
  let scheduled = false;

  const flush = (): void => {
    if (!held) return;
    const textDelta = held;
    held = undefined;
    write({ textDelta });
  };
  const flushAtEndOfPass = (): void => {
    scheduled = false;
    flush();
  };

  return {
    emit(event) {
      const delta = event.textDelta;
      if (!delta) {
        flush();
        write(event);
        return;
      }
      if (held && held.iteration === delta.iteration) {
        held.text = `${held.text ?? ''}${delta.text ?? ''}`;
        return;
      }
      flush();
      held = { text: delta.text ?? '', iteration: delta.iteration ?? 0 };
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAtEndOfPass);
      }
    },
    flush,
  };
}
