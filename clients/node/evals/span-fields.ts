// Typed reads of the fields of a span row. Rows come from BTQL or the SDK's trace.getSpans() as
// plain JSON, so every field is checked before use rather than trusted.

/** A span row as BTQL (or the SDK's `trace.getSpans()`) returns it: string keys, JSON values. */
export type TraceSpan = Readonly<Record<string, unknown>>;

export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function attribute(span: TraceSpan, key: string): unknown {
  return asRecord(span.span_attributes)?.[key];
}

/** `span_attributes.type` (llm, tool, task, function, eval, score…). */
export function spanType(span: TraceSpan): string | undefined {
  const type = attribute(span, 'type');
  return typeof type === 'string' ? type : undefined;
}

export function spanName(span: TraceSpan): string {
  const name = attribute(span, 'name');
  return typeof name === 'string' ? name : '';
}

export function spanId(span: TraceSpan): string | undefined {
  return typeof span.span_id === 'string' ? span.span_id : typeof span.id === 'string' ? span.id : undefined;
}

/** `metrics.start` in unix seconds, when recorded. */
export function spanStart(span: TraceSpan): number | undefined {
  const start = asRecord(span.metrics)?.start;
  return typeof start === 'number' && Number.isFinite(start) ? start : undefined;
}

/** The SDK's per-process execution counter: an order for spans that share a start time. */
export function spanExecCounter(span: TraceSpan): number | undefined {
  const counter = attribute(span, 'exec_counter');
  return typeof counter === 'number' ? counter : undefined;
}

export function spanMetadata(span: TraceSpan): Readonly<Record<string, unknown>> {
  return asRecord(span.metadata) ?? {};
}

/** The span's error as one line of text (stack traces dropped), or undefined when it has none. */
export function spanError(span: TraceSpan): string | undefined {
  return errorText(span.error);
}

export function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null || error === '' || error === false) return undefined;
  if (typeof error === 'string') return error.split('\n')[0]?.trim() || error.trim();
  const message = asRecord(error)?.message;
  if (typeof message === 'string' && message !== '') return errorText(message);
  return JSON.stringify(error);
}

/**
 * Spans in the order they ran: by `metrics.start`, then by execution counter, then as given.
 * Spans without a start time keep their relative order after those with one.
 */
export function inExecutionOrder(spans: readonly TraceSpan[]): TraceSpan[] {
  const keyed = spans.map((span, index) => ({ span, index, start: spanStart(span) ?? Infinity, exec: spanExecCounter(span) ?? Infinity }));
  keyed.sort((a, b) => compareNumbers(a.start, b.start) || compareNumbers(a.exec, b.exec) || a.index - b.index);
  return keyed.map((entry) => entry.span);
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
