// The chat messages inside llm spans, whatever shape the instrumentation logged them in:
//   input:  a flat message array, or a {messages: [...]} request (with an optional `system` string)
//   output: a flat choices array [{message}], a {choices: [{message}]} response, a flat message
//           array, one Anthropic-shaped message {role, content}, or plain text.
import { asRecord } from '../span-fields.js';

/** One chat message: `role` and `content` as logged, plus whatever else the provider sent. */
export type ChatMessage = Readonly<Record<string, unknown>>;

export function inputMessages(input: unknown): ChatMessage[] {
  if (Array.isArray(input)) return messagesIn(input);
  const request = asRecord(input);
  if (request && Array.isArray(request.messages)) {
    const system: ChatMessage[] = typeof request.system === 'string' ? [{ role: 'system', content: request.system }] : [];
    return [...system, ...messagesIn(request.messages)];
  }
  return [];
}

export function outputMessages(output: unknown): ChatMessage[] {
  if (typeof output === 'string') return output === '' ? [] : [{ role: 'assistant', content: output }];
  if (Array.isArray(output)) return output.flatMap(choiceMessage);
  const response = asRecord(output);
  if (!response) return [];
  if (Array.isArray(response.choices)) return response.choices.flatMap(choiceMessage);
  return typeof response.role === 'string' ? [response] : [];
}

// A choice wraps its message; a bare message (role present) stands for itself.
function choiceMessage(item: unknown): ChatMessage[] {
  const record = asRecord(item);
  if (!record) return [];
  const message = asRecord(record.message);
  if (message) return [message];
  return typeof record.role === 'string' ? [record] : [];
}

function messagesIn(items: readonly unknown[]): ChatMessage[] {
  return items.flatMap((item) => {
    const message = asRecord(item);
    return message ? [message] : [];
  });
}

/** The text of a message: its string content, or its text blocks joined. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .flatMap((block) => {
      const record = asRecord(block);
      return record?.type === 'text' && typeof record.text === 'string' ? [record.text] : [];
    })
    .join('');
}

