// Reading the fields of span rows as BTQL returns them (JSON objects of unknown shape) into typed
// values, and the span names tracemesh logs (the seed's names).
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';

export const SPAN = {
  conversation: 'client_conversation',
  clientTurn: 'client_turn',
  serverTurn: 'server_process_turn',
  llmCall: 'claude_messages_create',
  toolCall: 'worker_execute_tool',
} as const;

export function objectAt(row: JsonObject | undefined, key: string): JsonObject | undefined {
  const found = row?.[key];
  return isJsonObject(found) ? found : undefined;
}

export function stringAt(row: JsonObject | undefined, key: string): string | undefined {
  const found = row?.[key];
  return typeof found === 'string' ? found : undefined;
}

export function numberAt(row: JsonObject | undefined, key: string): number | undefined {
  const found = row?.[key];
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

export function spanName(row: JsonObject): string {
  return stringAt(objectAt(row, 'span_attributes'), 'name') ?? '';
}

export function spanType(row: JsonObject): string {
  return stringAt(objectAt(row, 'span_attributes'), 'type') ?? '';
}

export function spanParent(row: JsonObject): string | undefined {
  const parents = row.span_parents;
  return Array.isArray(parents) && typeof parents[0] === 'string' ? parents[0] : undefined;
}

/** metrics.start in unix seconds. */
export function startOf(row: JsonObject): number | undefined {
  return numberAt(objectAt(row, 'metrics'), 'start');
}

/** metrics.end − metrics.start in milliseconds, when the span has ended. */
export function durationMs(row: JsonObject): number | undefined {
  const metrics = objectAt(row, 'metrics');
  const start = numberAt(metrics, 'start');
  const end = numberAt(metrics, 'end');
  return start === undefined || end === undefined ? undefined : (end - start) * 1000;
}

/** The span's error as one line of text (the SDK appends a stack trace after a blank line). */
export function errorText(row: JsonObject): string | undefined {
  const error: JsonValue | undefined = row.error;
  if (error === undefined || error === null) return undefined;
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return text.split('\n')[0]?.trim() || 'error';
}
