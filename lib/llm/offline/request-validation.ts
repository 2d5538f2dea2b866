// Validates and normalises a Messages request body the way the real API would judge it, so a bug in
// the agent loop (a tool_result without its tool_use, a missing max_tokens) fails offline exactly
// as it would against Claude: with a 400 invalid_request_error naming the offending field.
import { z } from 'zod';
import type { JsonObject } from '../../json.js';
import { isJsonObject } from '../../json.js';
import { promptUnitsOf } from './prompt-cache.js';
import type { MessagesRequest, RequestBlock, RequestMessage, ToolDefinition } from './wire-types.js';
import { InvalidRequestError } from './wire-types.js';

const KNOWN_BLOCK_TYPES = new Set(['text', 'tool_use', 'tool_result']);

const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});
const otherBlockSchema = z.object({ type: z.literal('unsupported'), original_type: z.string() });

// Unknown block types (image, document, thinking…) are legal on the wire; the model just can't read them.
const blockSchema = z.preprocess(
  (value) =>
    isJsonObject(value) && typeof value.type === 'string' && !KNOWN_BLOCK_TYPES.has(value.type)
      ? { type: 'unsupported', original_type: value.type }
      : value,
  z.discriminatedUnion('type', [textBlockSchema, toolUseBlockSchema, toolResultBlockSchema, otherBlockSchema]),
);

const requestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(blockSchema)]) })).min(1),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()).optional(),
        type: z.string().optional(),
      }),
    )
    .optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']) }).optional(),
  stream: z.boolean().optional(),
});

type ParsedBlock = z.infer<typeof blockSchema>;

/** Parses the raw body text; throws InvalidRequestError with an API-style message. */
export function parseMessagesRequestText(bodyText: string): MessagesRequest {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw new InvalidRequestError('The request body is not valid JSON.');
  }
  return parseMessagesRequest(body);
}

export function parseMessagesRequest(body: unknown): MessagesRequest {
  if (!isJsonObject(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new InvalidRequestError(`${where}${issue?.message ?? 'invalid request'}`);
  }
  const raw = parsed.data;
  const messages: RequestMessage[] = raw.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map(normaliseBlock),
  }));
  const tools: ToolDefinition[] = (raw.tools ?? []).map((t) => ({
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.input_schema !== undefined ? { input_schema: asJsonObject(t.input_schema) } : {}),
  }));
  const request: MessagesRequest = {
    model: raw.model,
    max_tokens: raw.max_tokens,
    messages,
    tools,
    stream: raw.stream ?? false,
  };
  if (raw.system !== undefined) request.system = typeof raw.system === 'string' ? raw.system : raw.system.map((b) => b.text).join('\n');
  if (raw.tool_choice) request.tool_choice = raw.tool_choice.type;
  checkConversationShape(request.messages);
  const promptUnits = promptUnitsOf(body);
  if (promptUnits) request.promptUnits = promptUnits;
  return request;
}

function normaliseBlock(block: ParsedBlock): RequestBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: asJsonObject(block.input) };
    case 'tool_result': {
      const content = block.content ?? '';
      const text = typeof content === 'string' ? content : content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : [])).join('\n');
      return { type: 'tool_result', tool_use_id: block.tool_use_id, text, is_error: block.is_error ?? false };
    }
    case 'unsupported':
      return { type: 'unsupported', original_type: block.original_type };
  }
}

// The body came from JSON.parse, so every value in it is already JSON.
function asJsonObject(value: Record<string, unknown>): JsonObject {
  return value as JsonObject;
}

/** The conversation rules the API enforces and the offline model relies on. */
function checkConversationShape(messages: readonly RequestMessage[]): void {
  messages.forEach((message, i) => {
    if (message.content.length === 0) {
      throw new InvalidRequestError(`messages.${i}: all messages must have non-empty content`);
    }
    const results = message.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0) {
      if (message.role !== 'user') throw new InvalidRequestError(`messages.${i}: tool_result blocks are only allowed in user messages`);
      const previous = messages[i - 1];
      const offered = new Set(previous?.role === 'assistant' ? previous.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : []);
      results.forEach((result) => {
        if (!offered.has(result.tool_use_id)) {
          throw new InvalidRequestError(
            `messages.${i}.content.${message.content.indexOf(result)}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${result.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
      });
    }
    const uses = message.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    if (uses.length > 0) {
      if (message.role !== 'assistant') throw new InvalidRequestError(`messages.${i}: tool_use blocks are only allowed in assistant messages`);
      const next = messages[i + 1];
      const answered = new Set(next ? next.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : []);
      const missing = uses.filter((id) => !answered.has(id));
      if (next && missing.length > 0) {
        throw new InvalidRequestError(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
    }
  });
  const last = messages[messages.length - 1];
  if (last?.role !== 'user') {
    throw new InvalidRequestError(`messages.${messages.length - 1}: the offline model needs the last message to come from the user (assistant prefill is not supported)`);
  }
}
