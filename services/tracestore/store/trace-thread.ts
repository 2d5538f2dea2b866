// The "thread" of a trace, as Braintrust's default preprocessor builds it for trace.getThread():
// the LLM spans in time order, their input messages (each once) and their output messages.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';
import { objectKeyOf } from '../db/schema.js';

export interface TraceRef {
  objectType: string;
  objectId: string;
  rootSpanId: string;
}

export class TraceThreads {
  private readonly llmSpans;

  constructor(db: TraceDatabase) {
    this.llmSpans = db.prepare<[string, string, string], { input: string | null; output: string | null }>(
      `SELECT row -> '$.input' AS input, row -> '$.output' AS output FROM spans
       WHERE object_key = ${objectKeyOf('?', '?')} AND root_span_id = ? AND span_type = 'llm'
         AND coalesce(row ->> '$.span_attributes.purpose', '') != 'scorer'
       ORDER BY row ->> '$.metrics.start', created, _pagination_key`,
    );
  }

  thread(ref: TraceRef): JsonValue[] {
    const seenInputs = new Set<string>();
    const messages: JsonValue[] = [];
    for (const span of this.llmSpans.all(ref.objectType, ref.objectId, ref.rootSpanId)) {
      for (const message of inputMessages(parse(span.input))) {
        const key = JSON.stringify(message);
        if (seenInputs.has(key)) continue;
        seenInputs.add(key);
        messages.push(message);
      }
      messages.push(...outputMessages(parse(span.output)));
    }
    return messages;
  }
}

// Input: a flat message array, or {messages: [...]} (optionally with a system prompt).
function inputMessages(input: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(input)) return input;
  if (isJsonObject(input)) {
    const system = typeof input.system === 'string' ? [{ role: 'system', content: input.system }] : [];
    if (Array.isArray(input.messages)) return [...system, ...input.messages];
  }
  return [];
}

// Output: OpenAI-style choices ([{message}]), a message or a list of them, or plain text.
function outputMessages(output: JsonValue | undefined): JsonValue[] {
  if (output === undefined || output === null) return [];
  if (typeof output === 'string') return [{ role: 'assistant', content: output }];
  const items = Array.isArray(output) ? output : isJsonObject(output) && Array.isArray(output.choices) ? output.choices : [output];
  return items.map((item): JsonValue => (isJsonObject(item) && isJsonObject(item.message) ? item.message : asAssistantMessage(item)));
}

function asAssistantMessage(item: JsonValue): JsonValue {
  if (isJsonObject(item) && typeof item.role === 'string') return item;
  // Anthropic content blocks or anything else: the assistant said this.
  return { role: 'assistant', content: item } satisfies JsonObject;
}

function parse(text: string | null): JsonValue | undefined {
  return text === null ? undefined : (JSON.parse(text) as JsonValue);
}
