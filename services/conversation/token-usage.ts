// Token counts of model calls, as the turn reports them and as Braintrust's llm spans hold them.
// Anthropic's `input_tokens` leaves out what was read from or written to the prompt cache;
// Braintrust's `prompt_tokens` (like this turn's `input_tokens`) counts every input token, with
// `prompt_cached_tokens` and `prompt_cache_creation_tokens` saying how many of them the cache served.
import type Anthropic from '@anthropic-ai/sdk';

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

export function emptyUsage(): TurnUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
}

/** One response's usage in the turn's terms (input counts every input token). */
export function usageOf(usage: Anthropic.Usage): TurnUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheCreation = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + cacheRead + cacheCreation,
    outputTokens: usage.output_tokens,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
  };
}

export function addUsage(total: TurnUsage, more: TurnUsage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.cacheReadInputTokens += more.cacheReadInputTokens;
  total.cacheCreationInputTokens += more.cacheCreationInputTokens;
}

/** Braintrust's token metrics; the cache ones only when the cache was used, as its SDK logs them. */
export function tokenMetrics(usage: TurnUsage): Record<string, number> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cacheReadInputTokens > 0 ? { prompt_cached_tokens: usage.cacheReadInputTokens } : {}),
    ...(usage.cacheCreationInputTokens > 0 ? { prompt_cache_creation_tokens: usage.cacheCreationInputTokens } : {}),
  };
}
