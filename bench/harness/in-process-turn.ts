// The work of a turn with nothing around it: the same SDK calls to the same offline model and the
// same tools (Chroma included) in this process — no hops, no store, no tracing, no framework. With
// the floor (hops only) it bounds from below what any mesh could do for this turn on this machine.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { isJsonObject } from '../../lib/json.js';
import { createModelClient, type ModelClient } from '../../lib/llm/model-client.js';
import { modelConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logging.js';
import { withPromptCache } from '../../services/conversation/prompt-caching.js';
import { SYSTEM_PROMPT } from '../../services/conversation/system-prompt.js';
import { createBuiltinRegistry } from '../../services/toolworker/tools/index.js';
import type { ToolRegistry } from '../../services/toolworker/tool-registry.js';

export class InProcessTurn {
  private readonly model: ModelClient;
  private readonly registry: ToolRegistry;
  private readonly tools: Anthropic.Tool[];

  constructor(chromaUrl: string) {
    process.env.CHROMA_URL = chromaUrl;
    this.model = createModelClient({ ...modelConfig(), apiKey: undefined, baseURL: undefined, offlineDeltaDelayMs: 0 });
    this.registry = createBuiltinRegistry();
    this.tools = this.registry.list().map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema as Anthropic.Tool.InputSchema }));
  }

  async run(message: string): Promise<void> {
    const log = createLogger('bench-in-process');
    const messages: MessageParam[] = [{ role: 'user', content: message }];
    for (let iteration = 0; iteration < 6; iteration++) {
      const response = await this.model.client.messages
        .stream({
          model: this.model.defaultModel,
          max_tokens: 2048,
          // The agent loop's prompt-cache markers, so the offline model does the same work for both.
          ...withPromptCache(this.model.promptCache, SYSTEM_PROMPT, messages),
          tools: this.tools,
        })
        .finalMessage();
      messages.push({ role: 'assistant', content: response.content });
      if (response.stop_reason !== 'tool_use') return;
      const uses = response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
      const results = await Promise.all(
        uses.map(async (use): Promise<ToolResultBlockParam> => {
          const tool = this.registry.get(use.name);
          const input = isJsonObject(use.input) ? use.input : {};
          const outcome = await tool?.execute(input, { signal: AbortSignal.timeout(30_000), log });
          return { type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(outcome?.output ?? {}) };
        }),
      );
      messages.push({ role: 'user', content: results });
    }
  }
}
