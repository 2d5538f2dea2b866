// The tool calls of a trace, one record per call: what the model asked for (tool_use blocks or
// OpenAI tool_calls in llm outputs), what came back (the tool's own span, else the tool_result the
// model was given next) and whether it failed. Tool spans that no model call asked for (a pipeline
// without llm spans) are calls too.
import { inputMessages, outputMessages, type ChatMessage } from './chat-messages.js';
import { asRecord, errorText, spanError, spanMetadata, spanName, type TraceSpan } from '../span-fields.js';

export type ToolCallStatus = 'succeeded' | 'failed' | 'no_result';

export interface ToolCall {
  /** The model's tool-use id, or the tool span's `metadata.tool_call_id`. */
  id: string | undefined;
  name: string;
  input: unknown;
  /** The tool span's output, else the result content the model received (JSON-parsed when it is JSON). */
  output: unknown;
  status: ToolCallStatus;
  /** Why it failed: the tool span's error, else the error result the model received. */
  error: string | undefined;
  /** The tool's own span, when the trace has one. */
  span: TraceSpan | undefined;
}

interface ToolRequest {
  id: string | undefined;
  name: string;
  input: unknown;
}

interface ToolResult {
  content: unknown;
  isError: boolean;
}

/** `llmSpans` in execution order; `toolSpans` are the spans of type "tool". */
export function collectToolCalls(llmSpans: readonly TraceSpan[], toolSpans: readonly TraceSpan[]): ToolCall[] {
  const requests = llmSpans.flatMap((span) => outputMessages(span.output).flatMap(toolRequestsIn));
  const results = new Map<string, ToolResult>();
  for (const span of llmSpans) for (const message of inputMessages(span.input)) for (const [id, result] of toolResultsIn(message)) results.set(id, result);
  const spansById = new Map<string, TraceSpan>();
  for (const span of toolSpans) {
    const id = spanMetadata(span).tool_call_id;
    if (typeof id === 'string' && id !== '') spansById.set(id, span);
  }

  const claimed = new Set<TraceSpan>();
  const seenIds = new Set<string>();
  const calls: ToolCall[] = [];
  for (const request of requests) {
    if (request.id !== undefined) {
      if (seenIds.has(request.id)) continue;
      seenIds.add(request.id);
    }
    const span = request.id === undefined ? undefined : spansById.get(request.id);
    if (span) claimed.add(span);
    calls.push(callFrom(request, span, request.id === undefined ? undefined : results.get(request.id)));
  }
  for (const span of toolSpans) {
    if (claimed.has(span)) continue;
    const id = spanMetadata(span).tool_call_id;
    calls.push(callFrom({ id: typeof id === 'string' ? id : undefined, name: spanName(span), input: span.input }, span, undefined));
  }
  return calls;
}

function callFrom(request: ToolRequest, span: TraceSpan | undefined, result: ToolResult | undefined): ToolCall {
  const spanFailure = span ? spanError(span) : undefined;
  const resultFailure = result?.isError ? (errorText(resultText(result.content)) ?? 'the tool reported an error') : undefined;
  const error = spanFailure ?? resultFailure;
  const hasOutput = (span !== undefined && span.output !== undefined && span.output !== null) || result !== undefined;
  return {
    id: request.id,
    name: request.name,
    input: request.input,
    output: span?.output ?? (result ? parsedContent(result.content) : undefined),
    status: error !== undefined ? 'failed' : hasOutput ? 'succeeded' : 'no_result',
    error,
    span,
  };
}

// Anthropic: content blocks {type:"tool_use", id, name, input}; OpenAI: tool_calls [{id, function:{name, arguments}}].
function toolRequestsIn(message: ChatMessage): ToolRequest[] {
  const requests: ToolRequest[] = [];
  if (Array.isArray(message.content)) {
    for (const block of message.content) {
      const record = asRecord(block);
      if (record?.type === 'tool_use' && typeof record.name === 'string') {
        requests.push({ id: typeof record.id === 'string' ? record.id : undefined, name: record.name, input: record.input });
      }
    }
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const record = asRecord(call);
      const fn = asRecord(record?.function);
      if (typeof fn?.name === 'string') {
        requests.push({ id: typeof record?.id === 'string' ? record.id : undefined, name: fn.name, input: parsedContent(fn.arguments) });
      }
    }
  }
  return requests;
}

// Anthropic: {type:"tool_result", tool_use_id, content, is_error} blocks; OpenAI: {role:"tool", tool_call_id, content}.
function toolResultsIn(message: ChatMessage): Array<[string, ToolResult]> {
  const results: Array<[string, ToolResult]> = [];
  if (Array.isArray(message.content)) {
    for (const block of message.content) {
      const record = asRecord(block);
      if (record?.type === 'tool_result' && typeof record.tool_use_id === 'string') {
        results.push([record.tool_use_id, { content: record.content, isError: record.is_error === true }]);
      }
    }
  }
  if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
    results.push([message.tool_call_id, { content: message.content, isError: false }]);
  }
  return results;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.flatMap((block) => {
      const record = asRecord(block);
      return typeof record?.text === 'string' ? [record.text] : [];
    }).join('\n');
  }
  return JSON.stringify(content);
}

function parsedContent(content: unknown): unknown {
  const text = typeof content === 'string' ? content : Array.isArray(content) ? resultText(content) : undefined;
  if (text === undefined) return content;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
