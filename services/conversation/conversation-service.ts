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
import type { ListConversationsRequest__Output } from '../../gen/ts/tracemesh/conversation/v1/ListConversationsRequest.js';
import type { ListConversationsResponse } from '../../gen/ts/tracemesh/conversation/v1/ListConversationsResponse.js';
import type { ListTurnsRequest__Output } from '../../gen/ts/tracemesh/conversation/v1/ListTurnsRequest.js';
import type { ListTurnsResponse } from '../../gen/ts/tracemesh/conversation/v1/ListTurnsResponse.js';
import type { Turn } from '../../gen/ts/tracemesh/conversation/v1/Turn.js';
import type { TurnResult } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { decodeErrorDetails, durationOf, grpcError, invalidArgument, isGrpcError, notFound, type FieldViolation, type GrpcError } from '../../lib/grpc/errors.js';
import { callSignal, childCallParent, type ServerCall } from '../../lib/grpc/server-call.js';
import type { Logger } from '../../lib/logging.js';
import { traced } from '../../lib/tracing/spans.js';
import type { AgentLoop } from './agent-loop.js';
import { ConversationGoneError, DuplicateRequestError, type ConversationStore, type StoredTurn, type TurnOfRequest } from './store/conversation-store.js';
import { conversationsPageCursor, conversationsPageToken, turnsPageAfter, turnsPageToken } from './page-tokens.js';
import { storeUnavailable, toTurnError, type FailedTurn } from './turn-errors.js';
import { createTurnEventWriter, type TurnEventWriter } from './turn-event-writer.js';
import type { TurnTracker } from './turn-tracker.js';
import {
  conversationIdForRequest,
  validateConversationId,
  validateTurnRequest,
  type TurnDefaults,
  type TurnRequestFields,
  type ValidTurnRequest,
} from './turn-request.js';

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

/** Page sizes (AIP-158): 0 asks for the default; more than the most is taken as the most. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** Turns are larger (tool calls and their results): smaller pages keep a page under a client's 4 MB limit. */
const DEFAULT_TURNS_PAGE_SIZE = 20;
const MAX_TURNS_PAGE_SIZE = 100;
/** The RetryInfo delay of a delete refused while a turn runs, as for a second concurrent turn. */
const RETRY_AFTER_BUSY_MS = 1_000;
const DOMAIN = 'conversation.tracemesh';

function turnMessage(turn: StoredTurn): Turn {
  return { userMessage: turn.userMessage, result: turn.result, startTime: timestamp(turn.startTime) };
}

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
      const { conversationId, created, earlier: foundBeforeClaim } = await claim(request, onConversation);
      claimed = conversationId;
      if (request.requestId !== '') {
        // Holding the lease, no other try of this request runs here: a stored turn is the answer
        // (one found before the claim stays: a stored turn only goes with its conversation).
        const earlier = foundBeforeClaim ?? (await store.turnOfRequest(request.requestId));
        if (earlier) return replay(earlier, request, conversationId, events);
      }
      // A conversation made for this turn has no history to read (one store round trip fewer before the model call).
      const { messages, nextTurnIndex } = created ? { messages: [], nextTurnIndex: 0 } : await store.history(conversationId);
      failedTurn = { conversationId, previousTurns: nextTurnIndex, model: request.model, modelChosenByCaller: request.modelChosenByCaller };
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
      const turn = { turnIndex: nextTurnIndex, userMessage: request.message, result: outcome.result, startTime, ...(request.requestId === '' ? {} : { requestId: request.requestId }) };
      await store.appendTurn(conversationId, turn, outcome.newMessages).catch((error: unknown) => {
        // Deleted while the turn ran (its lease had lapsed): the turn is dropped, the conversation stays deleted.
        if (error instanceof ConversationGoneError) throw notFound('conversation', conversationId, error.message);
        // A try of the same request in another conversation stored first (see sameRequest).
        if (error instanceof DuplicateRequestError) throw requestIdReused('was used meanwhile for a turn of another conversation; a request_id names one turn');
        throw error;
      });
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

  /**
   * A turn already completed for this request_id, answered again instead of run again (AIP-155):
   * the stored result, marked replayed — a stream gets turn_started and turn_completed. The same
   * key for a different turn (another message, conversation or model) is the caller's mistake.
   */
  function replay(earlier: TurnOfRequest, request: ValidTurnRequest, conversationId: string, events: TurnEventWriter): TurnResult {
    assertSameTurn(earlier, request, conversationId);
    const result: TurnResult = { ...earlier.turn.result, replayed: true };
    // The retry's own trace says what answered it (else it held an RPC span with nothing under
    // it): a span naming the run whose result this is — that run's trace has the model calls and tools.
    traced(
      {
        name: 'server_replay_turn',
        type: 'task',
        event: {
          input: { conversation_id: conversationId, turn_index: earlier.turn.turnIndex, message: request.message, request_id: request.requestId },
          output: { response: result.text },
          metadata: { replayed: true, replay_of_root_span_id: result.trace?.rootSpanId ?? '', replay_of_span_id: result.trace?.spanId ?? '' },
        },
      },
      () => undefined,
    );
    events.emit({ turnStarted: { conversationId, turnIndex: earlier.turn.turnIndex, trace: result.trace, replayed: true } });
    events.emit({ turnCompleted: { result } });
    log.info({ conversationId, turnIndex: earlier.turn.turnIndex, requestId: request.requestId }, 'turn answered from its earlier try (repeated request_id)');
    return result;
  }

  /** Throws INVALID_ARGUMENT unless `earlier` is the turn this request repeats (same conversation and message, and model if named). */
  function assertSameTurn(earlier: TurnOfRequest, request: ValidTurnRequest, conversationId: string): void {
    if (earlier.conversationId !== conversationId) {
      throw requestIdReused(`was used for a turn of conversation "${earlier.conversationId}"; a request_id names one turn`);
    }
    if (earlier.turn.userMessage !== request.message) throw requestIdReused('was used for a turn with another message; make a new request_id for each new turn');
    // A model the caller names is part of the request; the service's default may change between tries.
    const answeredBy = earlier.turn.result.model ?? '';
    if (request.modelChosenByCaller && answeredBy !== '' && answeredBy !== request.model) {
      throw requestIdReused(`was used for a turn answered by model "${answeredBy}", not "${request.model}"; make a new request_id for each new turn`);
    }
  }

  function requestIdReused(description: string): GrpcError {
    return invalidArgument([{ field: 'request_id', description }]);
  }

  /**
   * Resolves (or creates) the conversation and takes its turn lease; throws NOT_FOUND / ABORTED.
   * A new conversation of a request with a request_id is the one every try of it uses.
   */
  async function claim(
    request: ValidTurnRequest,
    onConversation?: (conversationId: string) => void,
  ): Promise<{ conversationId: string; created: boolean; earlier?: TurnOfRequest }> {
    turns.assertAdmitting(); // before a new conversation is created for a turn that could not run
    const requestedId = request.conversationId;
    if (requestedId === '' && request.requestId !== '') {
      const conversationId = conversationIdForRequest(request.requestId);
      // A key whose turn is stored already is checked before the key's conversation is made or
      // joined: a key reused for another turn left an empty conversation behind, and a Converse
      // stream went on in the key's conversation — perhaps another caller's. (A retry of the turn
      // passes, and is answered under the lease as before.)
      const earlier = await store.turnOfRequest(request.requestId);
      if (earlier) assertSameTurn(earlier, request, conversationId);
      const created = await store.createConversation(conversationId);
      onConversation?.(conversationId);
      await turns.claim(conversationId);
      return { conversationId, created, ...(earlier ? { earlier } : {}) };
    }
    if (requestedId !== '') {
      if (!(await store.exists(requestedId))) {
        throw notFound('conversation', requestedId, `conversation "${requestedId}" does not exist; leave conversation_id empty to start one`);
      }
      onConversation?.(requestedId);
      try {
        await turns.claim(requestedId);
      } catch (error) {
        // Deleted between the check and the claim: the claim found no row, which is not a busy conversation.
        if (isGrpcError(error) && error.code === grpcStatus.ABORTED && !(await store.exists(requestedId))) {
          throw notFound('conversation', requestedId, `conversation "${requestedId}" does not exist; leave conversation_id empty to start one`);
        }
        throw error;
      }
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

    ListTurns(call, callback) {
      void listTurns(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(storeFailure(error, 'listing turns failed', { conversationId: call.request.conversationId })),
      );
    },

    ListConversations(call, callback) {
      void listConversations(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(storeFailure(error, 'listing conversations failed', {})),
      );
    },

    DeleteConversation(call, callback) {
      const { conversationId } = call.request;
      void deleteConversation(conversationId).then(
        () => callback(null, {}),
        (error: unknown) => callback(storeFailure(error, 'deleting the conversation failed', { conversationId })),
      );
    },
  };

  /** A failed store call as a status: gRPC errors as they are, an unreachable store UNAVAILABLE, anything else INTERNAL (logged). */
  function storeFailure(error: unknown, what: string, context: Record<string, string>): GrpcError {
    if (isGrpcError(error)) return error;
    const unavailable = storeUnavailable(error);
    if (!unavailable) log.error({ err: error, ...context }, what);
    return unavailable ?? grpcError(grpcStatus.INTERNAL, what);
  }

  async function listConversations(request: ListConversationsRequest__Output): Promise<ListConversationsResponse> {
    const violations: FieldViolation[] = [];
    if (request.pageSize < 0) violations.push({ field: 'page_size', description: 'must not be negative' });
    const after = request.pageToken === '' ? undefined : conversationsPageCursor(request.pageToken);
    if (request.pageToken !== '' && !after) violations.push({ field: 'page_token', description: 'is not a page token this service gave; pass next_page_token as it came' });
    if (violations.length > 0) throw invalidArgument(violations);
    const pageSize = Math.min(request.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    // One more than the page: whether it exists says whether there is a next page.
    const rows = await store.listConversations(pageSize + 1, after);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return {
      conversations: page.map((row) => ({
        conversationId: row.conversationId,
        createTime: timestamp(row.createTime),
        updateTime: timestamp(row.updateTime),
        turnCount: row.turnCount,
        firstUserMessage: row.firstUserMessage,
      })),
      nextPageToken: rows.length > pageSize && last ? conversationsPageToken(last.cursor) : '',
    };
  }

  async function listTurns(request: ListTurnsRequest__Output): Promise<ListTurnsResponse> {
    const { conversationId } = request;
    const violations: FieldViolation[] = [];
    const idViolation = validateConversationId(conversationId) ?? (conversationId === '' ? { field: 'conversation_id', description: 'is required' } : undefined);
    if (idViolation) violations.push(idViolation);
    if (request.pageSize < 0) violations.push({ field: 'page_size', description: 'must not be negative' });
    const after = request.pageToken === '' ? -1 : turnsPageAfter(request.pageToken, conversationId);
    if (after === undefined) violations.push({ field: 'page_token', description: 'is not a page token this service gave for this conversation; pass next_page_token as it came' });
    if (violations.length > 0 || after === undefined) throw invalidArgument(violations);
    const pageSize = Math.min(request.pageSize || DEFAULT_TURNS_PAGE_SIZE, MAX_TURNS_PAGE_SIZE);
    // One more than the page: whether it exists says whether there is a next page.
    const rows = await store.listTurns(conversationId, pageSize + 1, after);
    if (!rows) throw notFound('conversation', conversationId, `conversation "${conversationId}" does not exist`);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return { turns: page.map(turnMessage), nextPageToken: rows.length > pageSize && last ? turnsPageToken(conversationId, last.turnIndex) : '' };
  }

  async function deleteConversation(conversationId: string): Promise<void> {
    const violation = validateConversationId(conversationId) ?? (conversationId === '' ? { field: 'conversation_id', description: 'is required' } : undefined);
    if (violation) throw invalidArgument([violation]);
    const outcome = await store.deleteConversation(conversationId);
    if (outcome === 'not_found') throw notFound('conversation', conversationId, `conversation "${conversationId}" does not exist`);
    if (outcome === 'busy') {
      // ABORTED as for a second concurrent turn: the same delete succeeds once the running turn ends.
      throw grpcError(grpcStatus.ABORTED, `a turn is running on conversation "${conversationId}"; retry the delete when it has finished`, {
        errorInfo: { reason: 'TURN_IN_PROGRESS', domain: DOMAIN, metadata: { conversation_id: conversationId } },
        retryDelayMs: RETRY_AFTER_BUSY_MS,
      });
    }
    log.info({ conversationId }, 'conversation deleted');
  }

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
        turns: conversation.turns.map(turnMessage),
      },
    };
  }
}
