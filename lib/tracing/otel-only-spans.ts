// OpenTelemetry spans that mirror a Braintrust span of ours with the GenAI semantic conventions
// (the Anthropic SDK's `chat` call spans, our `execute_tool` spans). They go to OTLP collectors —
// where GenAI tooling reads them — but not to Braintrust or the local trace store, which already
// hold the richer Braintrust span of the same step: one llm span per model call there, never two.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export const OTEL_ONLY_ATTRIBUTE = 'tracemesh.otel_only';
const ANTHROPIC_SDK_SCOPE = 'com.anthropic.sdk.typescript';

export function isOtelOnlySpan(span: ReadableSpan): boolean {
  return span.attributes[OTEL_ONLY_ATTRIBUTE] === true || span.instrumentationScope.name.startsWith(ANTHROPIC_SDK_SCOPE);
}
