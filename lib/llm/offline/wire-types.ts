// The part of the Anthropic Messages wire format the offline model reads and writes. Requests are
// normalised on the way in (request-validation.ts), so the model sees one clean shape whatever
// the caller sent (string or block content, tool_result content as string or text blocks).
import type { JsonObject } from '../../json.js';
import type { PromptUnit } from './prompt-cache.js';

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: JsonObject;
}

export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** The result's text blocks joined (images and other media are not readable offline). */
  text: string;
  is_error: boolean;
}

/** Any other block (image, document, thinking…): kept only so positions stay meaningful. */
export interface UnsupportedBlock {
  type: 'unsupported';
  original_type: string;
}

export type RequestBlock = TextBlock | ToolUseBlock | ToolResultBlock | UnsupportedBlock;

export interface RequestMessage {
  role: 'user' | 'assistant';
  content: RequestBlock[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  input_schema?: JsonObject;
}

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string;
  messages: RequestMessage[];
  tools: ToolDefinition[];
  /** Only 'none' changes anything offline: the model then never calls a tool. */
  tool_choice?: 'auto' | 'any' | 'tool' | 'none';
  stream: boolean;
  /** The prompt as cache units, when the request marks any cache_control breakpoint. */
  promptUnits?: PromptUnit[];
}

export type ReplyBlock = TextBlock | ToolUseBlock;
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens';

export interface Usage {
  /** Input tokens neither read from nor written to the prompt cache. */
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** What the model decided; the fetch layer turns it into a JSON Message or an SSE stream. */
export interface ModelReply {
  id: string;
  model: string;
  content: ReplyBlock[];
  stop_reason: StopReason;
  usage: Usage;
}

/** The non-streaming response body (an Anthropic `Message`). */
export interface MessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ReplyBlock[];
  stop_reason: StopReason;
  stop_sequence: null;
  usage: Usage;
}

export function toMessageResponse(reply: ModelReply): MessageResponse {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.content,
    stop_reason: reply.stop_reason,
    stop_sequence: null,
    usage: reply.usage,
  };
}

/** Thrown for a request the real API would reject with 400 invalid_request_error. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}
