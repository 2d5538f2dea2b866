// The spans of one trace, for scorers: a TypeScript counterpart of the Ruby SDK's Eval::Trace.
// Built per case from an eager array of span rows or a lazy loader (e.g. TraceBackend.fetchTrace),
// which runs on first use only — concurrent first calls share its one fetch — and is memoised.
// Nothing is shared between instances: a trace belongs to the case that built it.
import { canonicalJson } from '../../../lib/json.js';
import { inputMessages, outputMessages, type ChatMessage } from './chat-messages.js';
import { inExecutionOrder, spanError, spanId, spanName, spanType, type TraceSpan } from '../span-fields.js';
import { collectToolCalls, type ToolCall } from './tool-calls.js';

export type { ChatMessage } from './chat-messages.js';
export type { TraceSpan } from '../span-fields.js';
export type { ToolCall, ToolCallStatus } from './tool-calls.js';

export type SpanLoader = () => Promise<readonly TraceSpan[]>;
/** A lazy loader, or the spans themselves. */
export type SpanSource = SpanLoader | readonly TraceSpan[];

export interface SpanQuery {
  /** `span_attributes.type` to keep: one type, or a list of types (their union). Omitted: all spans. */
  type?: string | readonly string[];
}

export interface SpanFailure {
  spanId: string | undefined;
  name: string;
  type: string | undefined;
  /** The error's first line. */
  message: string;
}

export class EvalTrace {
  private readonly source: SpanSource;
  private loading: Promise<readonly TraceSpan[]> | undefined;
  private loaded = false;

  constructor(source: SpanSource) {
    this.source = source;
  }

  /** Whether the spans are in hand: given eagerly, or loaded by now. */
  get isLoaded(): boolean {
    return typeof this.source !== 'function' || this.loaded;
  }

  /** The trace's spans, optionally only those of one type or of any of a list of types. */
  async spans(query: SpanQuery = {}): Promise<TraceSpan[]> {
    const spans = await this.resolve();
    if (query.type === undefined) return [...spans];
    const types: readonly string[] = typeof query.type === 'string' ? [query.type] : query.type;
    return spans.filter((span) => {
      const type = spanType(span);
      return type !== undefined && types.includes(type);
    });
  }

  /** The llm spans in the order the calls were made. */
  async llmSpans(): Promise<TraceSpan[]> {
    return inExecutionOrder(await this.spans({ type: 'llm' }));
  }

  /**
   * The conversation as the model saw it: walking the llm spans in order, each input message the
   * first time it appears (equal values are the same message) and every output message. As in the
   * Ruby accessor, outputs are not remembered: an assistant reply the next call resends as input
   * appears again there.
   */
  async thread(): Promise<ChatMessage[]> {
    const seen = new Set<string>();
    const messages: ChatMessage[] = [];
    for (const span of await this.llmSpans()) {
      for (const message of inputMessages(span.input)) {
        // Equal whatever the key order, as the Ruby accessor's `Hash#hash` de-duplicates messages.
        const key = canonicalJson(message);
        if (seen.has(key)) continue;
        seen.add(key);
        messages.push(message);
      }
      messages.push(...outputMessages(span.output));
    }
    return messages;
  }

  /** Spans of type "tool", in execution order. */
  async toolSpans(): Promise<TraceSpan[]> {
    return inExecutionOrder(await this.spans({ type: 'tool' }));
  }

  /** One record per tool call: name, input, output, status and error (see tool-calls.ts). */
  async toolCalls(): Promise<ToolCall[]> {
    return collectToolCalls(await this.llmSpans(), await this.toolSpans());
  }

  /** Every span that recorded an error, in execution order. */
  async errors(): Promise<SpanFailure[]> {
    return inExecutionOrder(await this.spans()).flatMap((span) => {
      const message = spanError(span);
      return message === undefined ? [] : [{ spanId: spanId(span), name: spanName(span), type: spanType(span), message }];
    });
  }

  private resolve(): Promise<readonly TraceSpan[]> {
    const source = this.source;
    if (typeof source !== 'function') return Promise.resolve(source);
    this.loading ??= (async () => {
      const spans = await source();
      if (!Array.isArray(spans)) throw new TypeError(`the span loader returned ${typeof spans}, not an array of spans`);
      this.loaded = true;
      return spans;
    })().catch((error: unknown) => {
      // A failed load is forgotten so that a later call can try again.
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }
}
