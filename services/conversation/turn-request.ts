// Validation of what a caller asks for: every field of Chat/StreamChat/Converse requests is checked
// here, and each problem becomes a field violation in an INVALID_ARGUMENT.
import { createHash } from 'node:crypto';
import type { TurnOptions__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnOptions.js';
import { invalidArgument, type FieldViolation } from '../../lib/grpc/errors.js';

export const LIMITS = {
  maxMessageChars: 32_000,
  maxConversationIdChars: 128,
  maxRequestIdChars: 128,
  maxIterations: 20,
  maxTokens: 32_000,
  maxModelNameChars: 128,
} as const;

const CONVERSATION_ID = /^[A-Za-z0-9._:-]+$/;

export interface TurnDefaults {
  model: string;
  maxIterations: number;
  maxTokens: number;
  maxTurnTokens: number;
  maxTurns: number;
  maxToolResultChars: number;
}

export interface ValidTurnRequest {
  /** Empty: start a new conversation. */
  conversationId: string;
  /** The caller's idempotency key; empty when it sent none. */
  requestId: string;
  message: string;
  model: string;
  /** The caller named the model (options.model), rather than leaving the service's default. */
  modelChosenByCaller: boolean;
  maxIterations: number;
  maxTokens: number;
  maxTurnTokens: number;
  maxToolResultChars: number;
}

export interface TurnRequestFields {
  conversationId: string;
  message: string;
  /** Absent from callers that predate it (same as empty). */
  requestId?: string;
  options: TurnOptions__Output | null;
}

export function validateConversationId(conversationId: string, field = 'conversation_id'): FieldViolation | undefined {
  if (conversationId.length > LIMITS.maxConversationIdChars) {
    return { field, description: `is longer than ${LIMITS.maxConversationIdChars} characters` };
  }
  if (conversationId.length > 0 && !CONVERSATION_ID.test(conversationId)) {
    return { field, description: 'may only contain letters, digits, ".", "_", ":" and "-"' };
  }
  return undefined;
}

/** A request_id: a UUID is best; the same characters as a conversation id are allowed. */
function validateRequestId(requestId: string): FieldViolation | undefined {
  if (requestId.length > LIMITS.maxRequestIdChars) return { field: 'request_id', description: `is longer than ${LIMITS.maxRequestIdChars} characters` };
  if (requestId.length > 0 && !CONVERSATION_ID.test(requestId)) {
    return { field: 'request_id', description: 'may only contain letters, digits, ".", "_", ":" and "-" (a UUID is best)' };
  }
  return undefined;
}

/**
 * The id of the conversation a turn with this request_id starts: made from the key, so that every
 * try of the turn (a retry after a lost answer, a redelivered queue message) lands in the same
 * conversation, where its lease and stored turn say whether it ran — never in a second one.
 */
export function conversationIdForRequest(requestId: string): string {
  const hex = createHash('sha256').update(`tracemesh request_id\0${requestId}`).digest('hex');
  return `conv_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function validateTurnRequest(request: TurnRequestFields, defaults: TurnDefaults): ValidTurnRequest {
  const violations: FieldViolation[] = [];
  const idViolation = validateConversationId(request.conversationId);
  if (idViolation) violations.push(idViolation);
  const requestId = request.requestId ?? '';
  const requestIdViolation = validateRequestId(requestId);
  if (requestIdViolation) violations.push(requestIdViolation);
  const message = request.message.trim();
  if (message.length === 0) violations.push({ field: 'message', description: 'must not be empty' });
  if (request.message.length > LIMITS.maxMessageChars) {
    violations.push({ field: 'message', description: `is longer than ${LIMITS.maxMessageChars} characters` });
  }
  const options = request.options;
  const maxIterations = options?.maxIterations || defaults.maxIterations;
  if (maxIterations > LIMITS.maxIterations) {
    violations.push({ field: 'options.max_iterations', description: `must be at most ${LIMITS.maxIterations}` });
  }
  const maxTokens = options?.maxTokens || defaults.maxTokens;
  if (maxTokens > LIMITS.maxTokens) violations.push({ field: 'options.max_tokens', description: `must be at most ${LIMITS.maxTokens}` });
  const model = options?.model?.trim() || defaults.model;
  if (model.length > LIMITS.maxModelNameChars) {
    violations.push({ field: 'options.model', description: `is longer than ${LIMITS.maxModelNameChars} characters` });
  }
  if (violations.length > 0) throw invalidArgument(violations);
  return { conversationId: request.conversationId, requestId, message, model, modelChosenByCaller: Boolean(options?.model?.trim()), maxIterations, maxTokens, maxTurnTokens: defaults.maxTurnTokens, maxToolResultChars: defaults.maxToolResultChars };
}
