// Turns an OTel span into a Braintrust-shaped span row: span id, trace id as root_span_id, the
// parent span id as span_parents, so OTel spans and Braintrust SDK rows form one tree.
// OTel attributes stay in metadata under their dotted names; braintrust.* attributes fill the
// matching row fields, and gen_ai token counts become metrics.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import type { OtlpSpan } from './parse-otlp-json.js';

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['unset', 'ok', 'error'];

// braintrust.<name> attribute → row field, as Braintrust's own OTel ingestion maps them.
const BRAINTRUST_FIELDS: Record<string, 'input' | 'output' | 'expected' | 'metadata' | 'metrics' | 'scores' | 'tags' | 'span_attributes' | 'context'> = {
  'braintrust.input': 'input',
  'braintrust.input_json': 'input',
  'braintrust.output': 'output',
  'braintrust.output_json': 'output',
  'braintrust.expected': 'expected',
  'braintrust.expected_json': 'expected',
  'braintrust.metadata': 'metadata',
  'braintrust.metrics': 'metrics',
  'braintrust.scores': 'scores',
  'braintrust.tags': 'tags',
  'braintrust.span_attributes': 'span_attributes',
  'braintrust.context_json': 'context',
};
const PARENT_ATTRIBUTE = 'braintrust.parent';

export interface OtelSpanRow {
  /** The span's own `braintrust.parent` ("project_name:x", "project_id:…", "experiment_id:…"), if any. */
  parent?: string;
  row: JsonObject;
}

export function spanToRow(span: OtlpSpan): OtelSpanRow {
  const start = nanosToSeconds(span.startTimeUnixNano);
  const end = nanosToSeconds(span.endTimeUnixNano);
  const metadata: JsonObject = {};
  const fields: Partial<Record<string, JsonValue>> = {};
  let parent: string | undefined;

  for (const [key, value] of Object.entries(span.attributes)) {
    if (key === PARENT_ATTRIBUTE) {
      if (typeof value === 'string' && value !== '') parent = value;
      continue;
    }
    const field = BRAINTRUST_FIELDS[key];
    if (field) {
      // braintrust.input/output/expected are plain values; *_json and the object fields carry JSON text.
      const carriesJson = key.endsWith('_json') || !['input', 'output', 'expected'].includes(field);
      fields[field] = carriesJson ? parseJsonText(value) : value;
      continue;
    }
    metadata[key] = value;
  }

  const metrics: JsonObject = { start, end };
  addTokenMetrics(span.attributes, metrics);
  if (isJsonObject(fields.metrics)) Object.assign(metrics, fields.metrics);

  metadata['otel.kind'] = SPAN_KINDS[span.kind] ?? String(span.kind);
  metadata['otel.status_code'] = STATUS_CODES[span.statusCode] ?? String(span.statusCode);
  if (span.statusMessage) metadata['otel.status_message'] = span.statusMessage;
  const serviceName = span.resource['service.name'];
  if (typeof serviceName === 'string') metadata['service.name'] = serviceName;
  if (span.scope.name) metadata['otel.scope.name'] = span.scope.name;
  if (span.scope.version) metadata['otel.scope.version'] = span.scope.version;
  if (span.events.length > 0) {
    metadata['otel.events'] = span.events.map((event) => ({
      name: event.name,
      time: nanosToSeconds(event.timeUnixNano),
      attributes: event.attributes,
    }));
  }
  if (isJsonObject(fields.metadata)) Object.assign(metadata, fields.metadata);

  const spanAttributes: JsonObject = { name: span.name, type: spanTypeOf(span.attributes) };
  if (isJsonObject(fields.span_attributes)) Object.assign(spanAttributes, fields.span_attributes);

  const row: JsonObject = {
    id: span.spanId,
    span_id: span.spanId,
    root_span_id: span.traceId,
    created: new Date(Number(span.startTimeUnixNano / 1_000_000n)).toISOString(),
    span_attributes: spanAttributes,
    metrics,
    metadata,
  };
  if (span.parentSpanId) row.span_parents = [span.parentSpanId];

  const input = fields.input ?? genAiMessages(span.attributes, ['gen_ai.input.messages', 'gen_ai.prompt']);
  const output = fields.output ?? genAiMessages(span.attributes, ['gen_ai.output.messages', 'gen_ai.completion']);
  if (input !== undefined) row.input = input;
  if (output !== undefined) row.output = output;
  if (fields.expected !== undefined) row.expected = fields.expected;
  if (isJsonObject(fields.scores)) row.scores = fields.scores;
  if (Array.isArray(fields.tags)) row.tags = fields.tags;
  if (isJsonObject(fields.context)) row.context = fields.context;
  if (span.statusCode === 2) row.error = span.statusMessage ?? exceptionMessage(span) ?? 'error';
  return { parent, row };
}

/** "llm" for model calls, "tool" for tool executions (GenAI semantic conventions), else "function". */
function spanTypeOf(attributes: JsonObject): string {
  const operation = attributes['gen_ai.operation.name'];
  if (operation === 'chat' || operation === 'text_completion' || operation === 'generate_content') return 'llm';
  if (operation === 'execute_tool') return 'tool';
  return 'function';
}

function addTokenMetrics(attributes: JsonObject, metrics: JsonObject): void {
  const number = (...keys: string[]): number | undefined => {
    for (const key of keys) {
      const value = attributes[key];
      if (typeof value === 'number') return value;
    }
    return undefined;
  };
  const prompt = number('gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens');
  const completion = number('gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens');
  if (prompt !== undefined) metrics.prompt_tokens = prompt;
  if (completion !== undefined) metrics.completion_tokens = completion;
  if (prompt !== undefined || completion !== undefined) metrics.tokens = (prompt ?? 0) + (completion ?? 0);
}

function genAiMessages(attributes: JsonObject, keys: string[]): JsonValue | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined) return parseJsonText(value);
  }
  return undefined;
}

function exceptionMessage(span: OtlpSpan): string | undefined {
  const exception = span.events.find((event) => event.name === 'exception');
  const message = exception?.attributes['exception.message'];
  return typeof message === 'string' ? message : undefined;
}

/** Attribute values carrying JSON arrive as strings; anything that does not parse stays as is. */
function parseJsonText(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

function nanosToSeconds(nanos: bigint): number {
  // Microsecond precision fits a double exactly for current epoch times.
  return Number(nanos / 1000n) / 1e6;
}
