// Why a turn failed, as the gRPC status a caller can act on. Model-provider failures keep their
// meaning (rate limited → RESOURCE_EXHAUSTED, overloaded or down → UNAVAILABLE, too slow →
// DEADLINE_EXCEEDED) and say so in an ErrorInfo; nothing leaks as a bare string or HTTP code.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError, isGrpcError, type GrpcError } from '../../lib/grpc/errors.js';
import { ModelStreamSilentError } from '../../lib/llm/idle-timeout-fetch.js';
import { ModelCallAfterToolsError, ModelCallError } from './agent-loop.js';
import { StoreUnavailableError } from './store/conversation-store.js';

const DOMAIN = 'conversation.tracemesh';

function modelError(code: grpcStatus, reason: string, message: string, httpStatus?: number, retryDelayMs?: number): GrpcError {
  return grpcError(code, message, {
    errorInfo: { reason, domain: DOMAIN, metadata: httpStatus === undefined ? {} : { provider_status: String(httpStatus) } },
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
  });
}

/** When the provider said to try again (`retry-after-ms`, or `retry-after` in seconds or as a date), for a RetryInfo. */
function providerRetryDelayMs(error: APIError): number | undefined {
  const header = (name: string): string | null | undefined => error.headers?.get(name);
  const ms = Number(header('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = header('retry-after');
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The turn a failure belongs to, where its status depends on it. */
export interface FailedTurn {
  conversationId: string;
  /** Turns the conversation had before this one. */
  previousTurns: number;
  model: string;
  /** The caller named the model (TurnOptions.model) rather than taking the service's default. */
  modelChosenByCaller: boolean;
}

/** What the provider said, from its error envelope ({"type":"error","error":{"type","message"}}). */
function providerError(error: APIError): { type: string | undefined; message: string } {
  const body: unknown = error.error;
  const inner = typeof body === 'object' && body !== null ? (body as { error?: { type?: unknown; message?: unknown } }).error : undefined;
  return {
    type: typeof inner?.type === 'string' ? inner.type : undefined,
    message: typeof inner?.message === 'string' ? inner.message : error.message,
  };
}

/** The API's 404 for a model it does not have ("model: claude-…"). */
function isUnknownModel(error: APIError): boolean {
  const said = providerError(error);
  return error.status === 404 && said.type === 'not_found_error' && /^model:/i.test(said.message);
}

/** A model the caller named is their argument's fault; the service's own default is ours. */
function unknownModel(error: APIError, turn: FailedTurn | undefined): GrpcError {
  const errorInfo = { reason: 'MODEL_NOT_FOUND', domain: DOMAIN, metadata: { provider_status: '404', ...(turn ? { model: turn.model } : {}) } };
  const said = providerError(error).message;
  if (turn?.modelChosenByCaller) {
    return grpcError(grpcStatus.INVALID_ARGUMENT, `the model provider has no model "${turn.model}" (${said})`, {
      fieldViolations: [{ field: 'options.model', description: `is not a model the provider has (${said})` }],
      errorInfo,
    });
  }
  return grpcError(grpcStatus.INTERNAL, `this service's default model${turn ? ` "${turn.model}"` : ''} is not one the provider has (${said}); set ANTHROPIC_MODEL`, { errorInfo });
}

/** The API's 400 for a request beyond the model's context window ("prompt is too long: N tokens > M maximum"). */
function isContextWindowRejection(error: APIError): boolean {
  return error.status === 400 && /prompt is too long|exceed context limit/i.test(providerError(error).message);
}

/**
 * A conversation that has outgrown the model's context window fails every later turn the same
 * way, so the caller must start a new one (FAILED_PRECONDITION); a first turn whose first model
 * call does not fit is its message's fault (INVALID_ARGUMENT).
 */
function contextWindowExceeded(error: APIError, turn: FailedTurn | undefined): GrpcError {
  const why = providerError(error).message;
  if (!turn || turn.previousTurns === 0) {
    return grpcError(grpcStatus.INVALID_ARGUMENT, `the message does not fit the model's context window (${why})`, {
      fieldViolations: [{ field: 'message', description: `too long for the model's context window (${why})` }],
      errorInfo: { reason: 'CONTEXT_WINDOW_EXCEEDED', domain: DOMAIN, metadata: { provider_status: '400' } },
    });
  }
  return grpcError(
    grpcStatus.FAILED_PRECONDITION,
    `conversation "${turn.conversationId}" (${turn.previousTurns} turns) no longer fits the model's context window (${why}); start a new conversation`,
    {
      errorInfo: {
        reason: 'CONTEXT_WINDOW_EXCEEDED',
        domain: DOMAIN,
        metadata: { conversation_id: turn.conversationId, previous_turns: String(turn.previousTurns), provider_status: '400' },
      },
    },
  );
}

/**
 * The turn's tool results filled what the context window had left: not the caller's message, and
 * not for ever — the same message may fit with tools that answer with less.
 */
function toolResultsOverflow(error: APIError, toolResultChars: number, turn: FailedTurn | undefined): GrpcError {
  const why = providerError(error).message;
  const earlier = turn && turn.previousTurns > 0 ? `conversation "${turn.conversationId}" (${turn.previousTurns} turns) and ` : '';
  const advice = earlier ? '; ask for less, or start a new conversation' : '; ask for less';
  return grpcError(grpcStatus.RESOURCE_EXHAUSTED, `${earlier}this turn's tool results (${toolResultChars} characters) no longer fit the model's context window (${why})${advice}`, {
    errorInfo: {
      reason: 'CONTEXT_WINDOW_EXCEEDED',
      domain: DOMAIN,
      metadata: { provider_status: '400', tool_result_chars: String(toolResultChars), ...(turn ? { previous_turns: String(turn.previousTurns) } : {}) },
    },
  });
}

export function toTurnError(error: unknown, signal: AbortSignal, turn?: FailedTurn): GrpcError {
  // A turn stopped because its call ended early fails as the call did (the deadline, or the caller
  // cancelling), whatever the stopped work threw on the way out (a tool call cancelled with it, the
  // model stream's abort).
  if (signal.aborted) return isGrpcError(signal.reason) ? signal.reason : grpcError(grpcStatus.CANCELLED, 'the turn was cancelled');
  if (error instanceof ModelCallAfterToolsError) {
    const cause = error.cause;
    if (cause instanceof APIError && isContextWindowRejection(cause)) return toolResultsOverflow(cause, error.toolResultChars, turn);
    return toTurnError(cause, signal, turn);
  }
  if (isGrpcError(error)) return error;
  if (error instanceof APIUserAbortError) return grpcError(grpcStatus.CANCELLED, 'the turn was cancelled');
  if (error instanceof APIConnectionTimeoutError) {
    return modelError(grpcStatus.DEADLINE_EXCEEDED, 'MODEL_TIMEOUT', 'the model did not answer in time');
  }
  if (error instanceof ModelStreamSilentError) return modelError(grpcStatus.DEADLINE_EXCEEDED, 'MODEL_TIMEOUT', error.message);
  if (error instanceof APIConnectionError) {
    return modelError(grpcStatus.UNAVAILABLE, 'MODEL_UNREACHABLE', `the model endpoint could not be reached: ${error.message}`);
  }
  if (error instanceof APIError) {
    if (isContextWindowRejection(error)) return contextWindowExceeded(error, turn);
    if (isUnknownModel(error)) return unknownModel(error, turn);
    const httpStatus = error.status;
    if (httpStatus === 429) {
      return modelError(grpcStatus.RESOURCE_EXHAUSTED, 'MODEL_RATE_LIMITED', `the model provider is rate limiting: ${error.message}`, httpStatus, providerRetryDelayMs(error));
    }
    if (httpStatus === 529 || (httpStatus !== undefined && httpStatus >= 500)) {
      return modelError(grpcStatus.UNAVAILABLE, 'MODEL_UNAVAILABLE', `the model provider is unavailable: ${error.message}`, httpStatus, providerRetryDelayMs(error));
    }
    if (httpStatus === 401 || httpStatus === 403) {
      return modelError(grpcStatus.INTERNAL, 'MODEL_AUTH_FAILED', 'the model provider rejected this service\'s credentials', httpStatus);
    }
    if (httpStatus === undefined) {
      // An `event: error` in the middle of a stream: the answer is incomplete.
      return modelError(grpcStatus.UNAVAILABLE, 'MODEL_STREAM_FAILED', `the model stream failed: ${error.message}`);
    }
    return modelError(grpcStatus.INTERNAL, 'MODEL_REJECTED_REQUEST', `the model provider rejected the request: ${error.message}`, httpStatus);
  }
  if (error instanceof ModelCallError) {
    return modelError(grpcStatus.UNAVAILABLE, 'MODEL_STREAM_FAILED', `the model stream failed before the answer was complete: ${error.message}`);
  }
  const store = storeUnavailable(error);
  if (store) return store;
  const message = error instanceof Error ? error.message : String(error);
  return grpcError(grpcStatus.INTERNAL, `the turn failed: ${message}`, { errorInfo: { reason: 'TURN_FAILED', domain: DOMAIN } });
}

/** UNAVAILABLE (STORE_UNAVAILABLE) for a conversation store out of reach; undefined for anything else. */
export function storeUnavailable(error: unknown): GrpcError | undefined {
  if (!(error instanceof StoreUnavailableError)) return undefined;
  return grpcError(grpcStatus.UNAVAILABLE, error.message, { errorInfo: { reason: 'STORE_UNAVAILABLE', domain: DOMAIN } });
}
