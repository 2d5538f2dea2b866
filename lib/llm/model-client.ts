// The model behind the agent loop: Claude through @anthropic-ai/sdk when ANTHROPIC_API_KEY (or an
// ANTHROPIC_BASE_URL) is configured, otherwise the offline clinical model served to the very same
// SDK through its `fetch` option. Callers cannot tell the two apart, which is the point.
import Anthropic from '@anthropic-ai/sdk';
import { modelConfig, type ModelConfig } from '../config.js';
import { otlpCollectorConfigured } from '../tracing/otel-only-spans.js';
import { idleTimeoutFetch } from './idle-timeout-fetch.js';
import { createOfflineModelFetch, OfflineClinicalModel } from './offline/index.js';

export { OFFLINE_MODEL_NAME } from './offline/model-names.js';
import { OFFLINE_MODEL_NAME } from './offline/model-names.js';

export interface ModelClient {
  client: Anthropic;
  /** "anthropic" for the real API (or a compatible endpoint), "offline" for the embedded model. */
  provider: 'anthropic' | 'offline';
  defaultModel: string;
  /**
   * The longest wait for a streamed response to begin, each try. Given per streamed request, not to
   * the client: a client-wide timeout would also replace the SDK's own for non-streaming calls,
   * which it sizes from max_tokens (their headers come only once the whole answer is written).
   */
  streamStartTimeoutMs: number;
  /** Mark prompt-cache breakpoints on each request (TRACEMESH_PROMPT_CACHE). */
  promptCache: boolean;
}

export function createModelClient(config: ModelConfig = modelConfig()): ModelClient {
  // The SDK's own OTel span (GenAI semantic conventions) is for OTLP collectors; tracing.ts keeps it
  // out of Braintrust, where claude_messages_create already is the call's one llm span.
  const openTelemetry = otlpCollectorConfigured() ? { traces: true } : false;
  if (config.apiKey || config.baseURL) {
    return {
      client: new Anthropic({
        apiKey: config.apiKey ?? null,
        baseURL: config.baseURL ?? null,
        maxRetries: 2,
        // The SDK's timeout ends once the response has begun; a stream that then stalls is ended here.
        fetch: idleTimeoutFetch(globalThis.fetch, config.idleTimeoutMs),
        openTelemetry,
        ...(config.apiKey ? {} : { defaultHeaders: { authorization: null } }),
      }),
      provider: config.apiKey ? 'anthropic' : 'offline',
      defaultModel: config.apiKey ? config.model : OFFLINE_MODEL_NAME,
      streamStartTimeoutMs: config.timeoutMs,
      promptCache: config.promptCache,
    };
  }
  return {
    client: new Anthropic({
      apiKey: null,
      defaultHeaders: { authorization: null },
      baseURL: 'http://offline-model.invalid',
      fetch: createOfflineModelFetch({ deltaDelayMs: config.offlineDeltaDelayMs, model: new OfflineClinicalModel({ contextTokens: config.offlineContextTokens }) }),
      maxRetries: 0,
      openTelemetry,
    }),
    provider: 'offline',
    defaultModel: OFFLINE_MODEL_NAME,
    streamStartTimeoutMs: config.timeoutMs,
    promptCache: config.promptCache,
  };
}
