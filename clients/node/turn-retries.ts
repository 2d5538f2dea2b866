// Retrying a turn safely. Every try carries the same request_id, so the service runs the turn at
// most once: a retry of a turn that completed gets its stored result, one while the first try
// still runs waits (ABORTED TURN_IN_PROGRESS), one after a failed try runs it. Only failures that
// a later try can get past are retried — the service unreachable or shutting down (UNAVAILABLE), a
// busy conversation (ABORTED), a full replica or a provider's rate limit (RESOURCE_EXHAUSTED with
// a RetryInfo) — after the service's RetryInfo delay when it sent one, else a jittered backoff,
// and never past the turn's deadline: the deadline covers every try and the waits between them.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';
import { decodeErrorDetails, isGrpcError } from '../../lib/grpc/errors.js';
import { streamTurn, type ConversationServiceClient, type StreamTurnOptions, type TurnResult } from './conversation-client.js';

/** The first backoff without a RetryInfo; it doubles with each retry, up to the cap. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
const DEFAULT_DEADLINE_MS = 300_000;

export interface TurnRetryOptions {
  /** How many times a failed turn is tried again (0: never). */
  retries: number;
  /** Told before each retry: the failure, which retry this is (1, 2…), and the wait before it. */
  onRetry?: (error: ServiceError, retry: number, delayMs: number) => void;
}

/**
 * How long to wait before trying again after `error`, or undefined when another try cannot help
 * (a bad request, a conversation that does not exist, the caller's own deadline or cancel…).
 * `retry` counts the retries so far (0 before the first).
 */
export function retryDelayOf(error: unknown, retry: number): number | undefined {
  if (!isGrpcError(error)) return undefined;
  const details = decodeErrorDetails(error);
  const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** retry);
  // Half to all of the backoff: callers that failed together do not all come back together.
  const jittered = Math.round(backoff * (0.5 + Math.random() / 2));
  switch (error.code) {
    case status.UNAVAILABLE:
    case status.ABORTED:
      return details.retryDelayMs ?? jittered;
    case status.RESOURCE_EXHAUSTED:
      // Only with the service's say-so: too many turns in a conversation, or a context window, stays full.
      return details.retryDelayMs;
    default:
      return undefined;
  }
}

/**
 * streamTurn, tried again on passing failures with the same request_id (the caller's, or one made
 * here). Rejects with the last failure. Events of every try reach `onEvent`: a try that failed
 * after it started may have sent some; `onRetry` says when a new try begins.
 */
export async function streamTurnWithRetries(
  client: ConversationServiceClient,
  message: string,
  options: StreamTurnOptions & TurnRetryOptions,
): Promise<TurnResult> {
  const requestId = options.requestId ?? randomUUID();
  const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  for (let retry = 0; ; retry++) {
    try {
      return await streamTurn(client, message, { ...options, requestId, deadlineMs: deadline - Date.now() });
    } catch (error) {
      const delayMs = retry < options.retries ? retryDelayOf(error, retry) : undefined;
      // A wait that would end past the deadline leaves no time for the try it waits for.
      if (delayMs === undefined || Date.now() + delayMs >= deadline || options.signal?.aborted) throw error;
      options.onRetry?.(error as ServiceError, retry + 1, delayMs);
      try {
        await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        throw error; // cancelled while waiting: the failure is still the answer
      }
    }
  }
}
