// A conversation as the seed's client traces it: a `client_conversation` root span, a
// `client_turn` child per turn (its context rides to the server in the call's metadata), and, when
// the conversation finishes, the aggregated data logged on the root so a trace query finds the
// whole conversation in one row (conversation_id, total_turns, turns, patient_query, final_response).
import type { Span } from 'braintrust';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { startSpan } from '../../lib/tracing/spans.js';
import { streamTurn, type StreamTurnOptions } from './conversation-client.js';

export interface TurnRecord {
  query: string;
  response: string;
  turn_index: number;
  stop_reason: string;
  tool_calls: string[];
}

export class TracedConversation {
  // Started with the first turn: a conversation that never had one (chat with empty input) logs nothing.
  private rootSpan: Span | undefined;
  private readonly turns: TurnRecord[] = [];
  private conversationId: string;
  private readonly metadata: Record<string, string>;

  constructor(
    private readonly client: ConversationServiceClient,
    options: { conversationId?: string; metadata?: Record<string, string> } = {},
  ) {
    this.conversationId = options.conversationId ?? '';
    this.metadata = { client: 'tracemesh-node', ...options.metadata };
  }

  private get root(): Span {
    this.rootSpan ??= startSpan({ name: 'client_conversation', type: 'task', event: { metadata: this.metadata } });
    return this.rootSpan;
  }

  /** The trace id of this conversation (empty before its first turn, and when tracing is off). */
  get rootSpanId(): string {
    return this.rootSpan?.rootSpanId ?? '';
  }

  get id(): string {
    return this.conversationId;
  }

  /** Streams one turn inside a client_turn span. */
  turn(message: string, options: Omit<StreamTurnOptions, 'conversationId'> = {}): Promise<TurnResult__Output> {
    return this.root.traced(
      async (span) => {
        // The id is known from the turn's first event: a turn that then fails still names its conversation.
        const onEvent: StreamTurnOptions['onEvent'] = (event) => {
          if (event.turnStarted?.conversationId) this.conversationId = event.turnStarted.conversationId;
          options.onEvent?.(event);
        };
        const result = await streamTurn(this.client, message, { ...options, onEvent, conversationId: this.conversationId });
        this.conversationId = result.conversationId;
        const record: TurnRecord = {
          query: message,
          response: result.text,
          turn_index: result.turnIndex,
          stop_reason: result.stopReason,
          tool_calls: result.toolCalls.map((call) => call.toolName),
        };
        this.turns.push(record);
        span.log({
          output: { response: result.text, stop_reason: result.stopReason, tool_calls: record.tool_calls },
          metadata: { conversation_id: result.conversationId, turn_index: result.turnIndex },
          metrics: {
            prompt_tokens: result.usage?.inputTokens ?? 0,
            completion_tokens: result.usage?.outputTokens ?? 0,
            prompt_cached_tokens: result.usage?.cacheReadInputTokens ?? 0,
            prompt_cache_creation_tokens: result.usage?.cacheCreationInputTokens ?? 0,
          },
        });
        return result;
      },
      { name: 'client_turn', type: 'task', event: { input: { message, turn_index: this.turns.length } } },
    );
  }

  /** Logs the aggregated conversation on the root span and ends it (nothing, if no turn was tried). */
  finish(): void {
    if (!this.rootSpan) return;
    const first = this.turns[0];
    const last = this.turns[this.turns.length - 1];
    this.root.log({
      input: { patient_query: first?.query ?? '' },
      output: {
        conversation_id: this.conversationId,
        total_turns: this.turns.length,
        turns: this.turns.map(({ query, response }) => ({ query, response })),
        patient_query: first?.query ?? '',
        final_response: last?.response ?? '',
      },
      metadata: { conversation_id: this.conversationId },
    });
    this.root.end();
  }
}
