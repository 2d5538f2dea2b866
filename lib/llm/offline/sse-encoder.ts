// Turns a model reply into the exact server-sent-event sequence the SDK's `messages.stream()` needs
// (see /work/shared/ANTHROPIC-WIRE.md): every frame has an `event:` line and ends with a blank line,
// every delta carries its block `index`, and tool input arrives as `input_json_delta` chunks that
// concatenate to valid JSON.
import type { ModelReply, StopReason, Usage } from './wire-types.js';

export type StreamEvent =
  | {
      type: 'message_start';
      message: {
        id: string;
        type: 'message';
        role: 'assistant';
        model: string;
        content: [];
        stop_reason: null;
        stop_sequence: null;
        usage: Usage;
      };
    }
  | {
      type: 'content_block_start';
      index: number;
      content_block: { type: 'text'; text: '' } | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };
    }
  | { type: 'content_block_delta'; index: number; delta: { type: 'text_delta'; text: string } | { type: 'input_json_delta'; partial_json: string } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason; stop_sequence: null }; usage: Usage }
  | { type: 'message_stop' };

/** A mid-stream failure: the SDK throws an APIError from it after delivering what came before. */
export interface StreamErrorEvent {
  type: 'error';
  error: { type: string; message: string };
}

export interface ChunkingOptions {
  /** Words per text delta: small, so a stream visibly streams. */
  wordsPerDelta?: number;
  /** Characters of tool-input JSON per input_json_delta. */
  jsonCharsPerDelta?: number;
}

export function replyToStreamEvents(reply: ModelReply, options: ChunkingOptions = {}): StreamEvent[] {
  const wordsPerDelta = Math.max(1, options.wordsPerDelta ?? 3);
  const jsonCharsPerDelta = Math.max(1, options.jsonCharsPerDelta ?? 24);
  const events: StreamEvent[] = [
    {
      type: 'message_start',
      message: {
        id: reply.id,
        type: 'message',
        role: 'assistant',
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Output so far: the API reports a token or so here and the total in message_delta.
        usage: { ...reply.usage, output_tokens: 1 },
      },
    },
  ];
  reply.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of chunkWords(block.text, wordsPerDelta)) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const partial_json of chunkChars(JSON.stringify(block.input), jsonCharsPerDelta)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
      }
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason: reply.stop_reason, stop_sequence: null }, usage: reply.usage });
  events.push({ type: 'message_stop' });
  return events;
}

/** One SSE frame, blank line included (without it the SDK loses the frame). */
export function encodeSseFrame(event: StreamEvent | StreamErrorEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Splits text into runs of `n` words, keeping every character: the pieces join back exactly. */
export function chunkWords(text: string, n: number): string[] {
  const words = text.split(/(?<=\s)(?=\S)/).filter((w) => w.length > 0);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += n) chunks.push(words.slice(i, i + n).join(''));
  return chunks;
}

/** Splits by code point, so a surrogate pair is never cut in half. */
export function chunkChars(text: string, n: number): string[] {
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += n) chunks.push(chars.slice(i, i + n).join(''));
  return chunks;
}
