// Claude's tool-use loop for one turn. Each model call streams (its text deltas are emitted the
// moment they arrive); the tool calls of one response run on the workers concurrently, each
// starting as soon as its tool_use block has streamed in (tool-round.ts); their results, errors
// included (as is_error results the model can recover from), go back to the model; the loop ends
// at a stop reason other than tool_use or at the iteration bound.
// Spans (seed names): server_process_turn > claude_messages_create | worker_execute_tool.
import { APIError, type default as Anthropic } from '@anthropic-ai/sdk';
import type { MessageParam, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { StreamChatResponse } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { ToolCall } from '../../gen/ts/tracemesh/conversation/v1/ToolCall.js';
import type { TurnResult } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { grpcError, isGrpcError } from '../../lib/grpc/errors.js';
import type { ServerCall } from '../../lib/grpc/server-call.js';
import { statusName } from '../../lib/grpc/status-codes.js';
import { fromStruct, toStruct } from '../../lib/grpc/struct.js';
import { isJsonObject, type JsonObject } from '../../lib/json.js';
import { streamSilence } from '../../lib/llm/idle-timeout-fetch.js';
import type { ModelClient } from '../../lib/llm/model-client.js';
import type { Logger } from '../../lib/logging.js';
import { traced, tracedUnder, type BraintrustSpan } from '../../lib/tracing/spans.js';
import { withPromptCache } from './prompt-caching.js';
import { SYSTEM_PROMPT } from './system-prompt.js';
import { addUsage, emptyUsage, tokenMetrics, usageOf } from './token-usage.js';
import { ToolRound } from './tool-round.js';
import type { ToolServices } from './tool-services.js';

/** The model call failed outside the provider's API errors (e.g. the stream's connection was cut). */
export class ModelCallError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ModelCallError';
  }
}

/**
 * A model call after this turn's first failed: the tool results sent with it may be why (a
 * context window they filled), which makes the failure theirs, not the caller's message's.
 */
export class ModelCallAfterToolsError extends Error {
  constructor(
    override readonly cause: unknown,
    /** The tool results' characters this turn had sent the model. */
    readonly toolResultChars: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ModelCallAfterToolsError';
  }
}

/** One event of a turn: the oneof of StreamChatResponse and ConverseResponse (same fields). */
export type TurnEvent = StreamChatResponse;

export interface TurnRequest {
  conversationId: string;
  turnIndex: number;
  /** The conversation's model history before this turn. */
  history: MessageParam[];
  userMessage: string;
  model: string;
  maxIterations: number;
  maxTokens: number;
  /** The turn's budget of input plus output tokens over all its model calls. */
  maxTurnTokens: number;
  /** The longest tool result (JSON characters) passed to the model. */
  maxToolResultChars: number;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  /** The gRPC call being served: outgoing tool calls take it as parent (deadline, cancellation). */
  parentCall: ServerCall | undefined;
  emit(event: TurnEvent): void;
}

export interface TurnOutcome {
  result: TurnResult;
  /** The messages this turn added to the history, the user's message first. */
  newMessages: MessageParam[];
}

type StopReasonName = NonNullable<TurnResult['stopReason']>;

interface ExecutedTool {
  call: ToolCall;
  block: ToolResultBlockParam;
}

function stopReasonOf(reason: Anthropic.Message['stop_reason']): StopReasonName {
  switch (reason) {
    case 'end_turn':
      return 'STOP_REASON_END_TURN';
    case 'max_tokens':
      return 'STOP_REASON_MAX_TOKENS';
    case 'stop_sequence':
      return 'STOP_REASON_STOP_SEQUENCE';
    case 'refusal':
      return 'STOP_REASON_REFUSAL';
    case 'pause_turn':
      return 'STOP_REASON_PAUSE_TURN';
    default:
      return 'STOP_REASON_UNSPECIFIED';
  }
}

function textOf(message: Anthropic.Message): string {
  return message.content
    .filter((block): block is Anthropic.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');
}

export class AgentLoop {
  constructor(
    private readonly model: ModelClient,
    private readonly tools: ToolServices,
    private readonly log: Logger,
  ) {}

  runTurn(request: TurnRequest): Promise<TurnOutcome> {
    return traced(
      {
        name: 'server_process_turn',
        type: 'task',
        event: {
          input: { conversation_id: request.conversationId, turn_index: request.turnIndex, message: request.userMessage },
          metadata: { model: request.model, provider: this.model.provider, max_iterations: request.maxIterations },
        },
      },
      async (span) => {
        const started = performance.now();
        const trace = { rootSpanId: span.rootSpanId, spanId: span.spanId };
        request.emit({
          turnStarted: { conversationId: request.conversationId, turnIndex: request.turnIndex, trace },
        });
        const tools = await this.tools.listTools(request.parentCall);
        const userMessage: MessageParam = { role: 'user', content: request.userMessage };
        const messages: MessageParam[] = [...request.history, userMessage];
        const newMessages: MessageParam[] = [userMessage];
        const toolCalls: ToolCall[] = [];
        const usage = emptyUsage();
        let stopReason: StopReasonName = 'STOP_REASON_MAX_ITERATIONS';
        let text = '';
        let iterations = 0;
        let toolResultChars = 0;

        try {
          for (let iteration = 0; iteration < request.maxIterations; iteration++) {
            // Checked before a call, never between a tool_use and its results: history stays valid.
            if (usage.inputTokens + usage.outputTokens >= request.maxTurnTokens) {
              stopReason = 'STOP_REASON_TOKEN_BUDGET';
              break;
            }
            iterations = iteration + 1;
            const round = new ToolRound<ExecutedTool>((use, signal) => this.executeTool(request, span, use, iteration, signal));
            const response = await this.callModel(request, messages, tools, iteration, (use) => round.start(use)).catch(async (error: unknown) => {
              await round.cancel(grpcError(grpcStatus.CANCELLED, 'the model response that asked for this call failed before it ended'));
              // The caller's deadline or cancel is the caller's, not the tool results': the span
              // then says "DEADLINE_EXCEEDED: …" as anywhere else in the turn, with no stack.
              if (request.signal.aborted) throw request.signal.reason ?? error;
              throw iteration > 0 ? new ModelCallAfterToolsError(error, toolResultChars) : error;
            });
            addUsage(usage, usageOf(response.usage));
            text = textOf(response);
            const uses = response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
            if (response.stop_reason !== 'tool_use' || uses.length === 0) {
              const { said, cancelledCalls } = await this.closeLastResponse(request, response, round, iteration);
              toolCalls.push(...cancelledCalls);
              if (said) {
                messages.push(said);
                newMessages.push(said);
              }
              stopReason = stopReasonOf(response.stop_reason);
              break;
            }
            const assistant: MessageParam = { role: 'assistant', content: response.content };
            messages.push(assistant);
            newMessages.push(assistant);
            const executed = await round.finish(uses);
            toolCalls.push(...executed.map((e) => e.call));
            toolResultChars += executed.reduce((sum, e) => sum + (typeof e.block.content === 'string' ? e.block.content.length : 0), 0);
            const results: MessageParam = { role: 'user', content: executed.map((e) => e.block) };
            messages.push(results);
            newMessages.push(results);
          }
        } catch (error) {
          // A failed turn still used the tokens of the model calls that completed: its span says how many.
          span.log({ metrics: tokenMetrics(usage), metadata: { iterations } });
          throw error;
        }
        if (stopReason === 'STOP_REASON_MAX_ITERATIONS' || stopReason === 'STOP_REASON_TOKEN_BUDGET') {
          this.log.warn({ conversationId: request.conversationId, iterations, stopReason, usage }, 'turn stopped at a limit');
        }

        const result: TurnResult = {
          conversationId: request.conversationId,
          turnIndex: request.turnIndex,
          text,
          stopReason,
          usage,
          toolCalls,
          iterations,
          model: request.model,
          trace,
          durationMs: performance.now() - started,
        };
        span.log({
          output: { text, stop_reason: stopReason, tool_calls: toolCalls.map((c) => c.toolName), iterations },
          metrics: tokenMetrics(usage),
        });
        request.emit({ turnCompleted: { result } });
        return { result, newMessages };
      },
    );
  }

  /**
   * A response that ends the turn: any stop but tool_use — or a tool_use stop that asked for no
   * tool, which would otherwise send the model an empty results message (rejected by the API).
   * A response cut short (max_tokens) may hold tool_use blocks: the complete ones' calls started,
   * and are cancelled (and reported), since no result will reach the model. The blocks stay out of
   * the history — a tool_use without its tool_result would make every later model call of the
   * conversation fail — and so does an empty text block.
   */
  private async closeLastResponse(
    request: TurnRequest,
    response: Anthropic.Message,
    round: ToolRound<ExecutedTool>,
    iteration: number,
  ): Promise<{ said: MessageParam | undefined; cancelledCalls: ToolCall[] }> {
    if (response.stop_reason === 'tool_use') {
      this.log.warn({ conversationId: request.conversationId, iteration, messageId: response.id }, 'the model stopped for tool_use without asking for a tool; ending the turn');
    }
    let cancelledCalls: ToolCall[] = [];
    if (round.startedCount > 0) {
      const why = `the model response that asked for this call stopped (${response.stop_reason}) without waiting for results`;
      cancelledCalls = (await round.cancel(grpcError(grpcStatus.CANCELLED, why))).map((e) => e.call);
    }
    const content = response.content.filter((block) => (block.type === 'text' ? block.text.length > 0 : block.type !== 'tool_use'));
    return { said: content.length > 0 ? { role: 'assistant', content } : undefined, cancelledCalls };
  }

  /**
   * One streamed model call, as a claude_messages_create llm span in Braintrust's format.
   * `onToolUse` gets each tool_use block the moment it is complete in the stream.
   */
  private callModel(
    request: TurnRequest,
    messages: MessageParam[],
    tools: Anthropic.Tool[],
    iteration: number,
    onToolUse: (use: ToolUseBlock) => void,
  ): Promise<Anthropic.Message> {
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: request.model,
      max_tokens: request.maxTokens,
      ...withPromptCache(this.model.promptCache, SYSTEM_PROMPT, messages),
      ...(tools.length > 0 ? { tools } : {}),
    };
    return traced(
      {
        name: 'claude_messages_create',
        type: 'llm',
        event: {
          input: [{ role: 'system', content: SYSTEM_PROMPT }, ...messages],
          metadata: {
            model: request.model,
            max_tokens: request.maxTokens,
            provider: this.model.provider,
            iteration,
            tools: tools.map((t) => t.name),
          },
        },
      },
      async (span) => {
        const started = performance.now();
        let firstTokenMs: number | undefined;
        const stream = this.model.client.messages.stream(params, { signal: request.signal, timeout: this.model.streamStartTimeoutMs });
        const markFirstToken = (): void => {
          firstTokenMs ??= performance.now() - started;
        };
        stream.on('text', (delta) => {
          markFirstToken();
          request.emit({ textDelta: { text: delta, iteration } });
        });
        stream.on('inputJson', markFirstToken);
        stream.on('contentBlock', (block) => {
          if (block.type === 'tool_use') onToolUse(block);
        });
        const message = await stream.finalMessage().catch((error: unknown) => {
          // Stopped because the turn's call ended: the span and the turn say why (deadline or cancel).
          if (request.signal.aborted) throw request.signal.reason ?? error;
          throw streamSilence(error) ?? (error instanceof APIError ? error : new ModelCallError(error));
        });
        span.log({
          output: { role: message.role, content: message.content },
          metadata: { stop_reason: message.stop_reason, message_id: message.id },
          metrics: {
            ...tokenMetrics(usageOf(message.usage)),
            ...(firstTokenMs === undefined ? {} : { time_to_first_token: firstTokenMs / 1000 }),
          },
        });
        return message;
      },
    );
  }

  /**
   * One tool call on a worker, as a worker_execute_tool span under the turn's span (it may start
   * while the model call's span is still open); failures become is_error results.
   */
  private executeTool(
    request: TurnRequest,
    turnSpan: BraintrustSpan,
    use: ToolUseBlock,
    iteration: number,
    signal: AbortSignal,
  ): Promise<ExecutedTool> {
    const input: JsonObject = isJsonObject(use.input) ? use.input : {};
    const toolService = this.tools.serviceOf(use.name);
    request.emit({
      toolCallStarted: { toolCallId: use.id, toolName: use.name, arguments: toStruct(input), iteration, toolService: toolService ?? '' },
    });
    return tracedUnder(
      turnSpan,
      {
        name: 'worker_execute_tool',
        type: 'function',
        event: {
          input: { tool_name: use.name, arguments: input },
          metadata: { tool_call_id: use.id, iteration, tool_service: toolService ?? null },
        },
      },
      async (span) => {
        const started = performance.now();
        const base = { toolCallId: use.id, toolName: use.name, arguments: toStruct(input), iteration, toolService: toolService ?? '' };
        let call: ToolCall;
        let block: ToolResultBlockParam;
        try {
          const response = await this.tools.execute({ id: use.id, name: use.name, input }, request.parentCall, signal);
          const output = fromStruct(response.result);
          const content = JSON.stringify(output);
          if (content.length > request.maxToolResultChars) {
            // One result could fill the model's context window and fail the whole turn (and twice
            // over the caller's message limit): the model hears it was too large and can ask for less.
            const message = `the result is ${content.length} characters, more than the ${request.maxToolResultChars} this service passes to the model (TRACEMESH_MAX_TOOL_RESULT_CHARS); call it again asking for less`;
            call = { ...base, isError: true, errorCode: statusName(grpcStatus.RESOURCE_EXHAUSTED), errorMessage: message, durationMs: performance.now() - started };
            block = { type: 'tool_result', tool_use_id: use.id, is_error: true, content: `Tool error (RESOURCE_EXHAUSTED): ${message}` };
            span.log({ error: `RESOURCE_EXHAUSTED: ${message}`, metadata: { error_code: 'RESOURCE_EXHAUSTED', result_chars: content.length, worker_duration_ms: response.durationMs } });
          } else {
            call = { ...base, result: response.result ?? { fields: {} }, isError: false, durationMs: performance.now() - started };
            block = { type: 'tool_result', tool_use_id: use.id, content };
            // The scores belong to the tool's own span (logged by the worker); repeating them here would count them twice.
            span.log({ output, metadata: { worker_duration_ms: response.durationMs } });
          }
        } catch (error) {
          if (request.signal.aborted) throw request.signal.reason ?? error;
          // Cancelled with its round: say why, not grpc-js's "Cancelled on client".
          const failure: unknown = signal.aborted ? (signal.reason ?? error) : error;
          const code = isGrpcError(failure) ? statusName(failure.code) : statusName(grpcStatus.UNKNOWN);
          const message = isGrpcError(failure) ? failure.details || failure.message : String(failure);
          call = { ...base, isError: true, errorCode: code, errorMessage: message, durationMs: performance.now() - started };
          block = { type: 'tool_result', tool_use_id: use.id, is_error: true, content: `Tool error (${code}): ${message}` };
          span.log({ error: `${code}: ${message}`, metadata: { error_code: code } });
        }
        request.emit({ toolCallFinished: { toolCall: call } });
        return { call, block };
      },
    );
  }
}
