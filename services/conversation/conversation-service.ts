// ConversationService handlers. Every turn, whichever RPC carries it, goes through runTurn:
// validate, claim the conversation (one turn at a time — a second concurrent turn on the same
// conversation gets ABORTED, never interleaved history), run the agent loop with the
// call's cancellation, persist the completed turn, and map failures to gRPC statuses.
import { randomUUID } from 'node:crypto';
import { status as grpcStatus, type ServerDuplexStream, type ServerWritableStream } from '@grpc/grpc-js';
import type { ConversationServiceHandlers } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { ConverseRequest__Output } from '../../gen/ts/tracemesh/conversation/v1/ConverseRequest.js';
import type { ConverseResponse } from '../../gen/ts/tracemesh/conversation/v1/ConverseResponse.js';
import type { StreamChatRequest__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatRequest.js';
import type { StreamChatResponse } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { Timestamp } from '../../gen/ts/google/protobuf/Timestamp.js';
import type { GetConversationResponse } from '../../gen/ts/tracemesh/conversation/v1/GetConversationResponse.js';
import type { TurnResult } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { decodeErrorDetails, durationOf, grpcError, invalidArgument, isGrpcError, notFound, type GrpcError } from '../../lib/grpc/errors.js';
import { callSignal, childCallParent, type ServerCall } from '../../lib/grpc/server-call.js';
import type { Logger } from '../../lib/logging.js';
import type { AgentLoop } from './agent-loop.js';
import type { ConversationStore } from './store/conversation-store.js';
import { storeUnavailable, toTurnError, type FailedTurn } from './turn-errors.js';
import { createTurnEventWriter, type TurnEventWriter } from './turn-event-writer.js';
import type { TurnTracker } from './turn-tracker.js';
import { validateConversationId, validateTurnRequest, type TurnDefaults, type TurnRequestFields } from './turn-request.js';

export interface ConversationServiceDeps {
  loop: AgentLoop;
  store: ConversationStore;
  turns: TurnTracker;
  defaults: TurnDefaults;
  log: Logger;
}

/**
 * Turns a `Converse` stream may have waiting behind the running one. Past this the stream stops
 * reading (HTTP/2 flow control then holds the caller's writes) until the queue drains, so a
 * caller who writes faster than turns finish cannot make the service buffer without bound.
 */
const MAX_QUEUED_TURNS_PER_STREAM = 8;

function timestamp(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function createConversationHandlers(deps: ConversationServiceDeps): ConversationServiceHandlers {
  const { loop, store, turns, defaults, log } = deps;

  /**
   * Runs one turn; `events` receives every event, and has written them all when the turn settles
   * (so the stream can be ended or failed right after). Rejects with a gRPC error.
   * `onConversation` learns the turn's conversation once it is known to exist (found or made),
   * whatever happens to the turn after.
   */
  async function runTurn(
    fields: TurnRequestFields,
    call: ServerCall,
    signal: AbortSignal,
    events: TurnEventWriter,
    onConversation?: (conversationId: string) => void,
  ): Promise<TurnResult> {
    let claimed: string | undefined;
    let failedTurn: FailedTurn | undefined;
    // The turn's tool calls hang off a stand-in for the call, dropped when the turn ends: grpc-js
    // leaves a listener on a parent call per child call, which piled up on a Converse stream.
    const children = childCallParent(call, signal);
    try {
      const request = validateTurnRequest(fields, defaults);
      const { conversationId, created } = await claim(request.conversationId, onConversation);
      claimed = conversationId;
      // A conversation made for this turn has no history to read (one store round trip fewer before the model call).
      const { messages, nextTurnIndex } = created ? { messages: [], nextTurnIndex: 0 } : await store.history(conversationId);
      failedTurn = { conversationId, previousTurns: nextTurnIndex, model: request.model, modelChosenByCaller: Boolean(fields.options?.model?.trim()) };
      if (nextTurnIndex >= defaults.maxTurns) {
        throw grpcError(grpcStatus.RESOURCE_EXHAUSTED, `conversation "${conversationId}" has reached its limit of ${defaults.maxTurns} turns; start a new one`, {
          errorInfo: { reason: 'TOO_MANY_TURNS', domain: 'conversation.tracemesh', metadata: { conversation_id: conversationId, max_turns: String(defaults.maxTurns) } },
        });
      }
      const startTime = new Date();
      const outcome = await loop.runTurn({
        conversationId,
        turnIndex: nextTurnIndex,
        history: messages,
        userMessage: request.message,
        model: request.model,
        maxIterations: request.maxIterations,
        maxTokens: request.maxTokens,
        maxTurnTokens: request.maxTurnTokens,
        maxToolResultChars: request.maxToolResultChars,
        signal,
        parentCall: children.parent,
        emit: events.emit,
      });
      await store.appendTurn(conversationId, { turnIndex: nextTurnIndex, userMessage: request.message, result: outcome.result, startTime }, outcome.newMessages);
      log.info(
        {
          conversationId,
          turnIndex: nextTurnIndex,
          stopReason: outcome.result.stopReason,
          toolCalls: outcome.result.toolCalls?.length ?? 0,
          durationMs: Math.round(Number(outcome.result.durationMs ?? 0)),
        },
        'turn completed',
      );
      return outcome.result;
    } catch (error) {
      const grpc = toTurnError(error, signal, failedTurn);
      log.warn({ conversationId: claimed, code: grpc.code, message: grpc.message }, 'turn failed');
      throw grpc;
    } finally {
      children.release();
      events.flush();
      if (claimed) await turns.release(claimed);
    }
  }

  /** Resolves (or creates) the conversation and takes its turn lease; throws NOT_FOUND / ABORTED. */
  async function claim(requestedId: string, onConversation?: (conversationId: string) => void): Promise<{ conversationId: string; created: boolean }> {
    turns.assertAdmitting(); // before a new conversation is created for a turn that could not run
    if (requestedId !== '') {
      if (!(await store.exists(requestedId))) {
        throw notFound('conversation', requestedId, `conversation "${requestedId}" does not exist; leave conversation_id empty to start one`);
      }
      onConversation?.(requestedId);
      await turns.claim(requestedId);
      return { conversationId: requestedId, created: false };
    }
    const conversationId = `conv_${randomUUID()}`;
    await store.createConversation(conversationId);
    onConversation?.(conversationId);
    await turns.claim(conversationId);
    return { conversationId, created: true };
  }

  function writer<T extends StreamChatResponse | ConverseResponse>(
    call: ServerWritableStream<unknown, T> | ServerDuplexStream<unknown, T>,
  ): TurnEventWriter {
    return createTurnEventWriter((event) => {
      if (!call.cancelled) call.write(event as T);
    });
  }

  function failStream(call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>, error: GrpcError): void {
    if (!call.cancelled) call.emit('error', error);
  }

  return {
    Chat(call, callback) {
      const { signal, release } = callSignal(call);
      // Chat answers with the whole turn: its events go nowhere.
      runTurn(call.request, call, signal, createTurnEventWriter(() => undefined))
        .then(
          (result) => callback(null, { result }),
          (error: GrpcError) => callback(error),
        )
        .finally(release);
    },

    StreamChat(call: ServerWritableStream<StreamChatRequest__Output, StreamChatResponse>) {
      const { signal, release } = callSignal(call);
      runTurn(call.request, call, signal, writer(call))
        .then(
          () => call.end(),
          (error: GrpcError) => failStream(call, error),
        )
        .finally(release);
    },

    Converse(call: ServerDuplexStream<ConverseRequest__Output, ConverseResponse>) {
      const { signal, release } = callSignal(call);
      call.on('close', release);
      const events = writer(call);
      const pending: ConverseRequest__Output[] = [];
      // The stream's conversation: the first one a turn found or made, even if that turn then
      // failed (busy, model error…) — the next message goes on with it.
      let streamConversationId = '';
      const joinConversation = (conversationId: string): void => {
        if (streamConversationId === '') streamConversationId = conversationId;
      };
      let running = false;
      let inputEnded = false;
      let ended = false;

      // A failed turn is that turn's end, not the session's: it is reported in the stream and the
      // next message runs. Only the call's own end (cancelled, past its deadline) ends the stream.
      const turnFailed = (conversationId: string, error: GrpcError): void => {
        const details = decodeErrorDetails(error);
        // A draining replica: end the stream, so the caller reconnects to another one at once.
        if (signal.aborted || details.errorInfo?.reason === 'SHUTTING_DOWN') {
          ended = true;
          failStream(call, error);
          return;
        }
        if (!call.cancelled) {
          call.write({
            turnFailed: {
              conversationId,
              code: error.code,
              message: error.details,
              reason: details.errorInfo?.reason ?? '',
              fieldViolations: details.fieldViolations ?? [],
              ...(details.retryDelayMs === undefined ? {} : { retryDelay: durationOf(details.retryDelayMs) }),
            },
          });
        }
      };

      // Turns of one stream run one after another, in the order the messages arrived.
      const next = (): void => {
        if (running || ended) return;
        const request = pending.shift();
        if (call.isPaused() && pending.length < MAX_QUEUED_TURNS_PER_STREAM) call.resume();
        if (!request) {
          if (inputEnded) call.end();
          return;
        }
        if (streamConversationId !== '' && request.conversationId !== '' && request.conversationId !== streamConversationId) {
          turnFailed(streamConversationId, invalidArgument([{ field: 'conversation_id', description: `must be empty or "${streamConversationId}" on this stream` }]));
          next();
          return;
        }
        running = true;
        const conversationId = request.conversationId || streamConversationId;
        runTurn({ ...request, conversationId }, call, signal, events, joinConversation).then(
          () => undefined,
          // Named only once found or made: a turn for a conversation that does not exist names none.
          (error: GrpcError) => turnFailed(streamConversationId, error),
        ).finally(() => {
          running = false;
          next();
        });
      };
      call.on('data', (request: ConverseRequest__Output) => {
        pending.push(request);
        if (pending.length >= MAX_QUEUED_TURNS_PER_STREAM) call.pause();
        next();
      });
      call.on('end', () => {
        inputEnded = true;
        next();
      });
    },

    GetConversation(call, callback) {
      void getConversation(call.request.conversationId).then(
        (response) => callback(null, response),
        (error: unknown) => {
          if (isGrpcError(error)) return callback(error);
          const unavailable = storeUnavailable(error);
          if (!unavailable) log.error({ err: error, conversationId: call.request.conversationId }, 'reading a conversation failed');
          callback(unavailable ?? grpcError(grpcStatus.INTERNAL, 'reading the conversation failed'));
        },
      );
    },
  };

  async function getConversation(conversationId: string): Promise<GetConversationResponse> {
    const violation = validateConversationId(conversationId) ?? (conversationId === '' ? { field: 'conversation_id', description: 'is required' } : undefined);
    if (violation) throw invalidArgument([violation]);
    const conversation = await store.get(conversationId);
    if (!conversation) throw notFound('conversation', conversationId, `conversation "${conversationId}" does not exist`);
    return {
      conversation: {
        conversationId,
        createTime: timestamp(conversation.createTime),
        updateTime: timestamp(conversation.updateTime),
        turns: conversation.turns.map((turn) => ({
          userMessage: turn.userMessage,
          result: turn.result,
          startTime: timestamp(turn.startTime),
        })),
      },
    };
  }
}
