// Prompt-cache breakpoints for a model request. The API caches a prompt's prefix (tools, system,
// messages, in that order) up to each block marked `cache_control`, and a later request reads the
// longest cached prefix it shares. Two breakpoints serve an agent loop:
// - the system prompt: tools + system are the same for every conversation, so a new conversation
//   reads them from the cache;
// - the last block of the latest message: each model call of a turn, and the next turn, reads
//   everything the call before it sent (the API looks up to 20 blocks back from a breakpoint, so
//   the marker moving forward with the conversation still finds the last entry).
// Prefixes below the model's minimum (1,024 tokens for Sonnet) are simply not cached.
import type Anthropic from '@anthropic-ai/sdk';

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

const EPHEMERAL: Anthropic.CacheControlEphemeral = { type: 'ephemeral' };

/** The system prompt as one text block marked for caching. */
export function cachedSystemPrompt(system: string): Anthropic.TextBlockParam[] {
  return [{ type: 'text', text: system, cache_control: EPHEMERAL }];
}

/**
 * The messages with the last block of the last message marked for caching. A copy: the turn's
 * history (stored with the conversation, sent again next turn) never carries the marker.
 */
export function withCacheBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  const last = messages[messages.length - 1];
  if (!last) return [...messages];
  const blocks: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const final = blocks[blocks.length - 1];
  if (!final || !canCarryCacheControl(final)) return [...messages];
  // Every block type but thinking takes cache_control (checked above); TypeScript cannot narrow the spread union.
  blocks[blocks.length - 1] = { ...final, cache_control: EPHEMERAL } as ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks } as MessageParam];
}

// Thinking blocks cannot be marked; an empty text block cannot be cached either.
function canCarryCacheControl(block: ContentBlockParam): boolean {
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  return block.type !== 'text' || block.text.length > 0;
}
