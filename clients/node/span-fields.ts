// Typed reads of span rows as BTQL (or the SDK's trace.getSpans()) returns them: plain JSON of
// unknown shape, so every field is checked before use. The one place the CLI, the analytics, the
// evals and the tests read span rows; also the span names tracemesh logs (the seed's names).

/** A span row: string keys, JSON values. */
export type TraceSpan = Readonly<Record<string, unknown>>;

export const SPAN = {
  conversation: 'client_conversation',
  clientTurn: 'client_turn',
  serverTurn: 'server_process_turn',
  llmCall: 'claude_messages_create',
  toolCall: 'worker_execute_tool',
} as const;

export function asRecord(value: unknown): TraceSpan | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TraceSpan) : undefined;
}

export function objectAt(row: TraceSpan | undefined, key: string): TraceSpan | undefined {
  return asRecord(row?.[key]);
}

export function stringAt(row: TraceSpan | undefined, key: string): string | undefined {
  const found = row?.[key];
  return typeof found === 'string' ? found : undefined;
}

export function numberAt(row: TraceSpan | undefined, key: string): number | undefined {
  const found = row?.[key];
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

export function spanName(span: TraceSpan): string {
  return stringAt(objectAt(span, 'span_attributes'), 'name') ?? '';
}

/** `span_attributes.type` (llm, tool, task, function, eval, score…). */
export function spanType(span: TraceSpan): string | undefined {
  return stringAt(objectAt(span, 'span_attributes'), 'type');
}

export function spanId(span: TraceSpan): string | undefined {
  return stringAt(span, 'span_id') ?? stringAt(span, 'id');
}

/** The first of `span_parents` (the tree's parent), or undefined for a root. */
export function spanParent(span: TraceSpan): string | undefined {
  const parents = span.span_parents;
  return Array.isArray(parents) && typeof parents[0] === 'string' ? parents[0] : undefined;
}

/** `metrics.start` in unix seconds, when recorded. */
export function spanStart(span: TraceSpan): number | undefined {
  return numberAt(objectAt(span, 'metrics'), 'start');
}

/** `metrics.end` in unix seconds, when the span has ended. */
export function spanEnd(span: TraceSpan): number | undefined {
  return numberAt(objectAt(span, 'metrics'), 'end');
}

/** metrics.end − metrics.start in milliseconds, when the span has ended. */
export function durationMs(span: TraceSpan): number | undefined {
  const start = spanStart(span);
  const end = spanEnd(span);
  return start === undefined || end === undefined ? undefined : (end - start) * 1000;
}

/** The SDK's per-process execution counter: an order for spans that share a start time. */
export function spanExecCounter(span: TraceSpan): number | undefined {
  return numberAt(objectAt(span, 'span_attributes'), 'exec_counter');
}

export function spanMetadata(span: TraceSpan): TraceSpan {
  return objectAt(span, 'metadata') ?? {};
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
export function inExecutionOrder<T extends TraceSpan>(spans: readonly T[]): T[] {
  const keyed = spans.map((span, index) => ({ span, index, start: spanStart(span) ?? Infinity, exec: spanExecCounter(span) ?? Infinity }));
  keyed.sort((a, b) => compareNumbers(a.start, b.start) || compareNumbers(a.exec, b.exec) || a.index - b.index);
  return keyed.map((entry) => entry.span);
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
