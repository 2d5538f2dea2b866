// OpenTelemetry spans that mirror a Braintrust span of ours with the GenAI semantic conventions
// (the Anthropic SDK's `chat` call spans, our `execute_tool` spans). They go to OTLP collectors —
// where GenAI tooling reads them — but not to Braintrust or the local trace store, which already
// hold the richer Braintrust span of the same step: one llm span per model call there, never two.
// Without a collector nobody would receive them, so they are not made at all.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export const OTEL_ONLY_ATTRIBUTE = 'tracemesh.otel_only';
const ANTHROPIC_SDK_SCOPE = 'com.anthropic.sdk.typescript';

export function isOtelOnlySpan(span: ReadableSpan): boolean {
  return span.attributes[OTEL_ONLY_ATTRIBUTE] === true || span.instrumentationScope.name.startsWith(ANTHROPIC_SDK_SCOPE);
}

/** Whether an OTLP collector is configured (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT): the mirrors are made only then. */
export function otlpCollectorConfigured(): boolean {
  return Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
