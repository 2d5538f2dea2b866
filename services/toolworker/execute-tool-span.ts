// The OpenTelemetry `execute_tool` span of a tool call (GenAI semantic conventions), for OTLP
// collectors; Braintrust gets the tool's own span instead (see lib/tracing/otel-only-spans.ts).
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { GrpcError } from '../../lib/grpc/errors.js';
import { statusName } from '../../lib/grpc/status-codes.js';
import { OTEL_ONLY_ATTRIBUTE, otlpCollectorConfigured } from '../../lib/tracing/otel-only-spans.js';
import { tracing } from '../../lib/tracing/tracing.js';

/** The span, or undefined when no OTLP collector would receive it. */
export function startExecuteToolSpan(toolName: string, description: string, toolCallId: string): Span | undefined {
  if (!otlpCollectorConfigured()) return undefined;
  return tracing().tracer.startSpan(`execute_tool ${toolName}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': toolName,
      'gen_ai.tool.description': description.slice(0, 300),
      'gen_ai.tool.type': 'function',
      ...(toolCallId ? { 'gen_ai.tool.call.id': toolCallId } : {}),
      [OTEL_ONLY_ATTRIBUTE]: true,
    },
  });
}

export function endWithError(span: Span | undefined, error: GrpcError): void {
  if (!span) return;
  span.setAttribute(ATTR_ERROR_TYPE, statusName(error.code));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}
