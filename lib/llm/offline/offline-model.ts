// The offline clinical model: given an Anthropic Messages request, decide the assistant's reply
// (tool calls for a fresh question, a grounded answer once tool results are in). Deterministic:
// ids come from a hash of the request, never from randomness or the clock, so the same request
// always gets the same reply — only its usage's prompt-cache counts depend on what earlier
// requests cached, as with the API (prompt-cache.ts).
import { createHash } from 'node:crypto';
import { writeAnswer } from './answer-writer.js';
import { viewConversation } from './conversation-view.js';
import { judgeReply } from './judge.js';
import { parseMessagesRequest } from './request-validation.js';
import { planToolCalls } from './tool-planner.js';
import { PromptCache } from './prompt-cache.js';
import { InvalidRequestError, type MessagesRequest, type ModelReply, type ReplyBlock, type StopReason, type Usage } from './wire-types.js';

/** Claude's context window, which the offline model holds requests to as the API does. */
export const DEFAULT_CONTEXT_TOKENS = 200_000;

export interface OfflineModelOptions {
  /** The most input tokens a request may have; more is refused like the API refuses it (400). */
  contextTokens?: number;
  /** The prompt cache's clock (tests move it past a TTL). */
  now?: () => number;
}

export class OfflineClinicalModel {
  readonly contextTokens: number;
  private readonly promptCache: PromptCache;

  constructor(options: OfflineModelOptions = {}) {
    this.contextTokens = options.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    this.promptCache = new PromptCache(options.now, estimateTokens);
  }

  /** Validates a raw (JSON-parsed) request body, then replies. Throws InvalidRequestError. */
  respond(body: unknown): ModelReply {
    return this.reply(parseMessagesRequest(body));
  }

  reply(request: MessagesRequest): ModelReply {
    const inputTokens = this.countInputTokens(request);
    if (inputTokens > this.contextTokens) {
      // The API's own wording, which clients (ours included) recognise.
      throw new InvalidRequestError(`prompt is too long: ${inputTokens} tokens > ${this.contextTokens} maximum`);
    }
    // One hash of the whole request; the ids derive from it (hashing the request again per tool call cost O(calls × size)).
    const key = digest(requestKey(request), 64);
    const view = viewConversation(request);
    // A request to grade a response is answered by the judge, never with tool calls.
    const judgement = judgeReply(request);
    const plan = judgement === undefined ? planToolCalls(view, request) : undefined;
    const blocks: ReplyBlock[] = plan
      ? [
          { type: 'text', text: plan.preamble },
          ...plan.calls.map((call, i): ReplyBlock => ({ type: 'tool_use', id: `toolu_offline_${digest(`${key}:${i}:${call.name}`, 24)}`, name: call.name, input: call.input })),
        ]
      : [{ type: 'text', text: judgement ?? writeAnswer(view) }];
    const { content, truncated } = fitToMaxTokens(blocks, request.max_tokens);
    const stopReason: StopReason = truncated ? 'max_tokens' : plan ? 'tool_use' : 'end_turn';
    return {
      id: `msg_offline_${digest(key, 24)}`,
      model: request.model,
      content,
      stop_reason: stopReason,
      usage: { ...this.inputUsage(request, inputTokens), output_tokens: Math.min(request.max_tokens, Math.max(1, outputTokens(content))) },
    };
  }

  /** The input tokens split as the API splits them: uncached, read from the prompt cache, written to it. */
  private inputUsage(request: MessagesRequest, inputTokens: number): Omit<Usage, 'output_tokens'> {
    if (!request.promptUnits) {
      return { input_tokens: inputTokens, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } };
    }
    const cached = this.promptCache.account(request.model, request.promptUnits, inputTokens);
    return { input_tokens: inputTokens - cached.cache_read_input_tokens - cached.cache_creation_input_tokens, ...cached };
  }

  /** The rough size of a request in tokens (≈ 4 characters each), for usage and count_tokens. */
  countInputTokens(request: Pick<MessagesRequest, 'system' | 'messages' | 'tools'>): number {
    const chars = (request.system ?? '').length + JSON.stringify(request.messages).length + (request.tools.length > 0 ? JSON.stringify(request.tools).length : 0);
    return estimateTokens(chars);
  }
}

export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function outputTokens(content: readonly ReplyBlock[]): number {
  return estimateTokens(content.reduce((sum, block) => sum + blockChars(block), 0));
}

function blockChars(block: ReplyBlock): number {
  return block.type === 'text' ? block.text.length : JSON.stringify(block.input).length + block.name.length;
}

/**
 * Honours max_tokens as the API does: output stops when the budget is spent. Text is cut at a word
 * boundary; a tool call that no longer fits is not started (a half-written call is useless).
 */
function fitToMaxTokens(blocks: readonly ReplyBlock[], maxTokens: number): { content: ReplyBlock[]; truncated: boolean } {
  let remaining = maxTokens * 4;
  const content: ReplyBlock[] = [];
  for (const block of blocks) {
    const cost = blockChars(block);
    if (cost <= remaining) {
      content.push(block);
      remaining -= cost;
      continue;
    }
    if (block.type === 'text') {
      const cut = block.text.slice(0, remaining);
      const atWord = cut.replace(/\s+\S*$/, '');
      const text = atWord.length > 0 ? atWord : cut;
      if (text.length > 0) content.push({ type: 'text', text });
    }
    // A reply needs at least one block; an empty text block is what the API sends in that case.
    if (content.length === 0) content.push({ type: 'text', text: '' });
    return { content, truncated: true };
  }
  return { content, truncated: false };
}

/** Everything that shapes the reply; `stream` is left out so both modes give the same ids. */
function requestKey(request: MessagesRequest): string {
  return JSON.stringify([request.model, request.max_tokens, request.system ?? null, request.messages, request.tools, request.tool_choice ?? null]);
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
