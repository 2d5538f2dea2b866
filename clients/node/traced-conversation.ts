// A conversation as the seed's client traces it: a `client_conversation` root span, a
// `client_turn` child per turn (its context rides to the server in the call's metadata), and, when
// the conversation finishes, the aggregated data logged on the root so a trace query finds the
// whole conversation in one row (conversation_id, total_turns, turns, patient_query, final_response).
// A failed turn is counted too (total_turns is every turn tried; failed_turns, completed_turns,
// last_error), and a conversation whose every turn failed has an `error` on its root: a failed
// conversation must be as findable as a good one.
import type { Span } from 'braintrust';
import { isGrpcError } from '../../lib/grpc/errors.js';
import { statusName } from '../../lib/grpc/status-codes.js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { startSpan, tracedUnder } from '../../lib/tracing/spans.js';
import { streamTurn, type StreamTurnOptions } from './conversation-client.js';
import { streamTurnWithRetries, type TurnRetryOptions } from './turn-retries.js';

export interface TurnRecord {
  query: string;
  response: string;
  turn_index: number;
  stop_reason: string;
  tool_calls: string[];
}

/** A turn that failed: it is not in the conversation's history (the server keeps only completed turns). */
export interface FailedTurnRecord {
  query: string;
  error: string;
}

export class TracedConversation {
  // Started with the first turn: a conversation that never had one (chat with empty input) logs nothing.
  private rootSpan: Span | undefined;
  private readonly turns: TurnRecord[] = [];
  /** Every turn tried, completed or failed, in order. */
  private readonly attempts: Array<TurnRecord | FailedTurnRecord> = [];
  private conversationId: string;
  /** The service has named this conversation in a turn: it exists (an id passed in may not). */
  private seenByService = false;
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

  /** True once a turn of this conversation started on the service, so it exists and can go on. */
  get exists(): boolean {
    return this.seenByService;
  }

  /** Streams one turn inside a client_turn span. */
  turn(message: string, options: Omit<StreamTurnOptions, 'conversationId'> & Partial<TurnRetryOptions> = {}): Promise<TurnResult__Output> {
    return tracedUnder(
      this.root,
      { name: 'client_turn', type: 'task', event: { input: { message, turn_index: this.turns.length } } },
      async (span) => {
        // The id is known from the turn's first event: a turn that then fails still names its conversation.
        const onEvent: StreamTurnOptions['onEvent'] = (event) => {
          if (event.turnStarted?.conversationId) {
            this.conversationId = event.turnStarted.conversationId;
            this.seenByService = true;
          }
          options.onEvent?.(event);
        };
        let result: TurnResult__Output;
        try {
          const turnOptions = { ...options, onEvent, conversationId: this.conversationId };
          // With retries, every try carries one request_id: the turn runs at most once.
          result = options.retries
            ? await streamTurnWithRetries(this.client, message, { ...turnOptions, retries: options.retries })
            : await streamTurn(this.client, message, turnOptions);
        } catch (error) {
          this.attempts.push({ query: message, error: failureText(error) });
          throw error; // tracedUnder() logs it on the client_turn span ("DEADLINE_EXCEEDED: …", a bug with its stack)
        }
        this.conversationId = result.conversationId;
        const record: TurnRecord = {
          query: message,
          response: result.text,
          turn_index: result.turnIndex,
          stop_reason: result.stopReason,
          tool_calls: result.toolCalls.map((call) => call.toolName),
        };
        this.turns.push(record);
        this.attempts.push(record);
        // A replayed turn's tokens were spent, and counted, by the run it repeats (in that run's trace).
        span.log({
          output: { response: result.text, stop_reason: result.stopReason, tool_calls: record.tool_calls },
          metadata: {
            conversation_id: result.conversationId,
            turn_index: result.turnIndex,
            ...(result.replayed ? { replayed: true, replay_of_root_span_id: result.trace?.rootSpanId ?? '' } : {}),
          },
          metrics: result.replayed
            ? {}
            : {
                prompt_tokens: result.usage?.inputTokens ?? 0,
                completion_tokens: result.usage?.outputTokens ?? 0,
                prompt_cached_tokens: result.usage?.cacheReadInputTokens ?? 0,
                prompt_cache_creation_tokens: result.usage?.cacheCreationInputTokens ?? 0,
              },
        });
        return result;
      },
    );
  }

  /** Logs the aggregated conversation on the root span and ends it (nothing, if no turn was tried). */
  finish(): void {
    if (!this.rootSpan) return;
    // The first message tried is the patient query, whether or not its turn completed.
    const patientQuery = this.attempts[0]?.query ?? '';
    const last = this.turns[this.turns.length - 1];
    const failures = this.attempts.filter((attempt): attempt is FailedTurnRecord => 'error' in attempt);
    const lastError = failures[failures.length - 1]?.error;
    this.root.log({
      input: { patient_query: patientQuery },
      output: {
        conversation_id: this.conversationId,
        total_turns: this.attempts.length,
        completed_turns: this.turns.length,
        failed_turns: failures.length,
        // `turns` stays the completed ones (the history, as readers of it expect); the failed ones apart.
        turns: this.turns.map(({ query, response }) => ({ query, response })),
        failures: failures.map(({ query, error }) => ({ query, error })),
        patient_query: patientQuery,
        final_response: last?.response ?? '',
        ...(lastError === undefined ? {} : { last_error: lastError }),
      },
      // Every turn failed: the conversation failed (an error on the root, as on any failed span).
      ...(this.turns.length === 0 && lastError !== undefined ? { error: lastError } : {}),
      metadata: { conversation_id: this.conversationId },
    });
    this.root.end();
  }
}

/** A failed turn in one line: the gRPC status name and its message (`DEADLINE_EXCEEDED: …`). */
function failureText(error: unknown): string {
  // grpc-js appends its timing breakdown to a passed deadline ("…after 0.15s,name resolution: …"): noise here.
  if (isGrpcError(error)) return `${statusName(error.code)}: ${(error.details || error.message).replace(/^(Deadline exceeded after [\d.]+s),.*$/s, '$1')}`;
  return error instanceof Error ? error.message : String(error);
}
