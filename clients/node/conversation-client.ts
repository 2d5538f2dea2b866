// The typed Node client of ConversationService: the generated client, with the tracing
// interceptor (every call carries the caller's span context in both header forms), and helpers
// that stream a turn with a deadline and hand each event to the caller as it arrives.
import { Metadata, status, type ChannelOptions, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { ConverseRequest } from '../../gen/ts/tracemesh/conversation/v1/ConverseRequest.js';
import type { ConverseResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/ConverseResponse.js';
import type { GetConversationResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/GetConversationResponse.js';
import type { ListConversationsResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/ListConversationsResponse.js';
import type { ListTurnsResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/ListTurnsResponse.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { TurnOptions } from '../../gen/ts/tracemesh/conversation/v1/TurnOptions.js';
import type { TurnFailed__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnFailed.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { conversationTarget, type SecurityConfig } from '../../lib/config.js';
import { meshClientSetup } from '../../lib/grpc/client-channel.js';
import { grpcError } from '../../lib/grpc/errors.js';
import { ConversationServiceClient as GeneratedClient } from '../../lib/grpc/protos.js';

export type { ConversationServiceClient, StreamChatResponse__Output as ChatEvent, TurnResult__Output as TurnResult };

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
};

export function createConversationClient(target: string = conversationTarget(), security?: SecurityConfig): ConversationServiceClient {
  const setup = meshClientSetup(target, CHANNEL_OPTIONS, security);
  return new GeneratedClient(target, setup.credentials, setup.options);
}

export interface StreamTurnOptions {
  conversationId?: string;
  /**
   * The turn's idempotency key: send the same one when retrying the same turn, and a retry of a
   * turn that completed gets its stored result (`replayed`) instead of running it again.
   */
  requestId?: string;
  options?: TurnOptions;
  /** The whole turn's deadline (default 5 minutes). */
  deadlineMs?: number;
  /** Extra request metadata (e.g. an authorization header). */
  metadata?: Metadata;
  onEvent?: (event: StreamChatResponse__Output) => void;
  /** Aborting cancels the call. */
  signal?: AbortSignal;
}

export interface ConverseSession {
  /** The stream: `call.write({ message })` for each turn, `call.end()` when done (or `call.cancel()`). */
  call: ClientDuplexStream<ConverseRequest, ConverseResponse__Output>;
  /** Every event so far, in order. */
  events: ConverseResponse__Output[];
  /** The completed turns' results so far, in order. */
  results: TurnResult__Output[];
  /** The failed turns so far, in order (each with the status StreamChat would have ended with); the stream went on. */
  failures: TurnFailed__Output[];
  /** Resolves when the service ends the stream (after the caller's end); rejects with its error. */
  done: Promise<void>;
}

/** Opens a `Converse` stream: many turns of one conversation, run in the order they are written. */
export function openConverse(client: ConversationServiceClient, options: { deadlineMs?: number; metadata?: Metadata } = {}): ConverseSession {
  const call = client.Converse(options.metadata ?? new Metadata(), { deadline: new Date(Date.now() + (options.deadlineMs ?? 300_000)) });
  const events: ConverseResponse__Output[] = [];
  const results: TurnResult__Output[] = [];
  const failures: TurnFailed__Output[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (event: ConverseResponse__Output) => {
      events.push(event);
      if (event.turnCompleted?.result) results.push(event.turnCompleted.result);
      if (event.turnFailed) failures.push(event.turnFailed);
    });
    call.on('error', reject);
    call.on('end', resolve);
  });
  return { call, events, results, failures, done };
}

/** Streams one turn; resolves with its result once `turn_completed` arrives. */
export function streamTurn(client: ConversationServiceClient, message: string, options: StreamTurnOptions = {}): Promise<TurnResult__Output> {
  return new Promise((resolve, reject) => {
    // A signal aborted before the call: no turn runs at all (the 'abort' event will never come).
    if (options.signal?.aborted) {
      reject(grpcError(status.CANCELLED, 'the turn was cancelled before it started'));
      return;
    }
    const call: ClientReadableStream<StreamChatResponse__Output> = client.StreamChat(
      { conversationId: options.conversationId ?? '', message, options: options.options ?? null, requestId: options.requestId ?? '' },
      options.metadata ?? new Metadata(),
      { deadline: new Date(Date.now() + (options.deadlineMs ?? 300_000)) },
    );
    const onAbort = (): void => call.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let result: TurnResult__Output | undefined;
    call.on('data', (event: StreamChatResponse__Output) => {
      if (event.turnCompleted?.result) result = event.turnCompleted.result;
      options.onEvent?.(event);
    });
    call.on('error', (error: ServiceError) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    call.on('end', () => {
      options.signal?.removeEventListener('abort', onAbort);
      if (result) resolve(result);
      else reject(new Error('the stream ended without a completed turn'));
    });
  });
}

export function getConversation(client: ConversationServiceClient, conversationId: string, deadlineMs = 10_000): Promise<GetConversationResponse__Output> {
  return new Promise((resolve, reject) => {
    client.GetConversation({ conversationId }, { deadline: new Date(Date.now() + deadlineMs) }, (error, value) =>
      error || !value ? reject(error ?? new Error('empty response')) : resolve(value),
    );
  });
}

/** One page of stored conversations, most recently updated first; pass its nextPageToken back for the next (empty: no more). */
export function listConversations(
  client: ConversationServiceClient,
  page: { pageSize?: number; pageToken?: string } = {},
  deadlineMs = 10_000,
): Promise<ListConversationsResponse__Output> {
  return new Promise((resolve, reject) => {
    client.ListConversations({ pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' }, { deadline: new Date(Date.now() + deadlineMs) }, (error, value) =>
      error || !value ? reject(error ?? new Error('empty response')) : resolve(value),
    );
  });
}

/** One page of a conversation's turns, oldest first; pass its nextPageToken back for the next (empty: no more). */
export function listTurns(
  client: ConversationServiceClient,
  conversationId: string,
  page: { pageSize?: number; pageToken?: string } = {},
  deadlineMs = 10_000,
): Promise<ListTurnsResponse__Output> {
  return new Promise((resolve, reject) => {
    client.ListTurns({ conversationId, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' }, { deadline: new Date(Date.now() + deadlineMs) }, (error, value) =>
      error || !value ? reject(error ?? new Error('empty response')) : resolve(value),
    );
  });
}

/** Deletes a stored conversation and its turns; rejects NOT_FOUND, or ABORTED while a turn of it runs. */
export function deleteConversation(client: ConversationServiceClient, conversationId: string, deadlineMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    client.DeleteConversation({ conversationId }, { deadline: new Date(Date.now() + deadlineMs) }, (error) => (error ? reject(error) : resolve()));
  });
}
