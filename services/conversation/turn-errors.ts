// Why a turn failed, as the gRPC status a caller can act on. Model-provider failures keep their
// meaning (rate limited → RESOURCE_EXHAUSTED, overloaded or down → UNAVAILABLE, too slow →
// DEADLINE_EXCEEDED) and say so in an ErrorInfo; nothing leaks as a bare string or HTTP code.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError, isGrpcError, type GrpcError } from '../../lib/grpc/errors.js';
import { ModelStreamSilentError } from '../../lib/llm/idle-timeout-fetch.js';
import { ModelCallError } from './agent-loop.js';
import { StoreUnavailableError } from './store/conversation-store.js';

const DOMAIN = 'conversation.tracemesh';

function modelError(code: grpcStatus, reason: string, message: string, httpStatus?: number): GrpcError {
  return grpcError(code, message, {
    errorInfo: { reason, domain: DOMAIN, metadata: httpStatus === undefined ? {} : { provider_status: String(httpStatus) } },
  });
}

export function toTurnError(error: unknown, signal: AbortSignal): GrpcError {
  // A turn stopped because its call ended early fails as the call did (the deadline, or the caller
  // cancelling), whatever the stopped work threw on the way out (a tool call cancelled with it, the
  // model stream's abort).
  if (signal.aborted) return isGrpcError(signal.reason) ? signal.reason : grpcError(grpcStatus.CANCELLED, 'the turn was cancelled');
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
    const httpStatus = error.status;
    if (httpStatus === 429) return modelError(grpcStatus.RESOURCE_EXHAUSTED, 'MODEL_RATE_LIMITED', `the model provider is rate limiting: ${error.message}`, httpStatus);
    if (httpStatus === 529 || (httpStatus !== undefined && httpStatus >= 500)) {
      return modelError(grpcStatus.UNAVAILABLE, 'MODEL_UNAVAILABLE', `the model provider is unavailable: ${error.message}`, httpStatus);
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
