// Prompt-cache breakpoints for a model request. The API caches a prompt's prefix (tools, system,
// messages, in that order) up to each block marked `cache_control`, and a later request reads an
// entry an earlier one wrote: at one of its own breakpoints, or within the 20 positions ending at
// one (the breakpoint itself first). Three breakpoints (of the 4 allowed) serve an agent loop:
// - the system prompt: tools + system are the same for every conversation, so a new conversation
//   reads them from the cache;
// - the last block of the latest message: this call's whole prompt is written for the next call
//   (the turn's next model call, or the next turn's first);
// - the last block of the message the previous call ended with (the one before the latest
//   assistant message), so this call reads that call's entry however many blocks came since: a
//   response with n tool calls adds 2n + 1 blocks, and from n = 9 the previous entry is past the
//   20-position lookback of the last breakpoint.
// Prefixes below the model's minimum (1,024 tokens for Sonnet 4.6) are simply not cached.
import type Anthropic from '@anthropic-ai/sdk';

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

const EPHEMERAL: Anthropic.CacheControlEphemeral = { type: 'ephemeral' };

/** A request's system prompt and messages, with the breakpoints above when `cache` is on, as they are otherwise. */
export function withPromptCache(
  cache: boolean,
  system: string,
  messages: MessageParam[],
): { system: string | Anthropic.TextBlockParam[]; messages: MessageParam[] } {
  return cache ? { system: cachedSystemPrompt(system), messages: withCacheBreakpoint(messages) } : { system, messages };
}

/** The system prompt as one text block marked for caching. */
export function cachedSystemPrompt(system: string): Anthropic.TextBlockParam[] {
  return [{ type: 'text', text: system, cache_control: EPHEMERAL }];
}

/**
 * The messages with the last block of the last message marked for caching, and the last block of
 * the message before the latest assistant message (where the previous call's mark was). A copy:
 * the turn's history (stored with the conversation, sent again next turn) never carries a marker.
 */
export function withCacheBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  const marked = [...messages];
  const last = marked.length - 1;
  if (last < 0) return marked;
  const latestAssistant = marked.findLastIndex((message) => message.role === 'assistant');
  for (const index of new Set([latestAssistant - 1, last])) {
    if (index >= 0) marked[index] = withLastBlockMarked(marked[index]!);
  }
  return marked;
}

/** The message with its last block marked, or as it was when that block cannot be marked. */
function withLastBlockMarked(message: MessageParam): MessageParam {
  const blocks: ContentBlockParam[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content];
  const final = blocks[blocks.length - 1];
  if (!final || !canCarryCacheControl(final)) return message;
  // Every block type but thinking takes cache_control (checked above); TypeScript cannot narrow the spread union.
  blocks[blocks.length - 1] = { ...final, cache_control: EPHEMERAL } as ContentBlockParam;
  return { ...message, content: blocks } as MessageParam;
}

// Thinking blocks cannot be marked, and the API refuses a marker on an empty text block.
function canCarryCacheControl(block: ContentBlockParam): boolean {
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  return block.type !== 'text' || block.text.length > 0;
}
