// The peer's conversation server, as the seed built it: a node:http server (keep-alive) with
// POST /api/chat {message, conversation_id?} → {conversation_id, text, stop_reason, tool_calls}.
// It runs the same tool-use loop with the same SDK and the same offline model as the mesh, but
// non-streaming (messages.create), with the mesh's prompt-cache markers (the model's work is then the
// same for both), with the tool calls of a response made one after another
// (fetch to the worker, span context in `x-bt-parent-span`), history in memory, and the seed's
// Braintrust spans: server_process_turn > claude_messages_create | worker_execute_tool.
import type { MessageParam, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type Anthropic from '@anthropic-ai/sdk';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { isJsonObject } from '../../../lib/json.js';
import { createModelClient } from '../../../lib/llm/model-client.js';
import { traced } from '../../../lib/tracing/spans.js';
import { initTracing } from '../../../lib/tracing/tracing.js';
import { withPromptCache } from '../../../services/conversation/prompt-caching.js';
import { SYSTEM_PROMPT } from '../../../services/conversation/system-prompt.js';
import { BT_PARENT_HEADER, headerValue, readJson, sendJson, serveUntilStopped } from './http-json.js';

const tracing = initTracing('peer-conversation');
const model = createModelClient();
const workerUrl = process.env.PEER_WORKER_URL ?? '';
const MAX_ITERATIONS = 6;
const conversations = new Map<string, MessageParam[]>();

const toolsResponse = (await (await fetch(`${workerUrl}/tools`)).json()) as { tools: Anthropic.Tool[] };
const tools = toolsResponse.tools;

async function executeTool(use: ToolUseBlock): Promise<ToolResultBlockParam> {
  return traced({ name: 'worker_execute_tool', type: 'function', event: { input: { tool_name: use.name, arguments: use.input }, metadata: { tool_call_id: use.id } } }, async (span) => {
    const response = await fetch(`${workerUrl}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [BT_PARENT_HEADER]: await span.export() },
      body: JSON.stringify({ tool_name: use.name, tool_call_id: use.id, arguments: use.input }),
    });
    const answer = (await response.json()) as { result?: unknown; error?: string };
    span.log({ output: answer.result ?? { error: answer.error } });
    return response.ok
      ? { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(answer.result) }
      : { type: 'tool_result', tool_use_id: use.id, is_error: true, content: `Tool error: ${answer.error ?? response.status}` };
  });
}

async function processTurn(message: string, conversationId: string, parent: string | undefined): Promise<unknown> {
  const history = conversations.get(conversationId) ?? [];
  return traced({ name: 'server_process_turn', type: 'task', ...(parent ? { parent } : {}), event: { input: { conversation_id: conversationId, message } } }, async (span) => {
    const messages: MessageParam[] = [...history, { role: 'user', content: message }];
    const toolCalls: string[] = [];
    let text = '';
    let stopReason: string | null = null;
    for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      const response = await traced({ name: 'claude_messages_create', type: 'llm', event: { input: [{ role: 'system', content: SYSTEM_PROMPT }, ...messages], metadata: { iteration } } }, async (llm) => {
        // The mesh's prompt-cache markers (when on), so the offline model does the same work for both.
        const created = await model.client.messages.create({
          model: model.defaultModel,
          max_tokens: 2048,
          ...withPromptCache(model.promptCache, SYSTEM_PROMPT, messages),
          tools,
        });
        llm.log({ output: { role: created.role, content: created.content }, metrics: { prompt_tokens: created.usage.input_tokens, completion_tokens: created.usage.output_tokens } });
        return created;
      });
      messages.push({ role: 'assistant', content: response.content });
      text = response.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      stopReason = response.stop_reason;
      if (response.stop_reason !== 'tool_use') break;
      const results: ToolResultBlockParam[] = [];
      // The seed's loop: one tool call after the other.
      for (const use of response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use')) {
        toolCalls.push(use.name);
        results.push(await executeTool(use));
      }
      messages.push({ role: 'user', content: results });
    }
    conversations.set(conversationId, messages);
    span.log({ output: { text, stop_reason: stopReason, tool_calls: toolCalls } });
    return { conversation_id: conversationId, text, stop_reason: stopReason, tool_calls: toolCalls };
  });
}

const server = createServer({ keepAlive: true }, (req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/chat') {
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  readJson(req)
    .then((body) => {
      if (!isJsonObject(body) || typeof body.message !== 'string' || body.message.trim() === '') return { status: 400, body: { error: 'message is required' } };
      const conversationId = typeof body.conversation_id === 'string' && body.conversation_id !== '' ? body.conversation_id : `conv_${randomUUID()}`;
      return processTurn(body.message, conversationId, headerValue(req, BT_PARENT_HEADER)).then((answer) => ({ status: 200, body: answer }));
    })
    .then(
      (answer) => sendJson(res, answer.status, answer.body),
      (error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }),
    );
});
serveUntilStopped(server, 'peer-conversation', tracing);
