// llm_judge — the seed's LLM-as-judge: a rubric prompt (clinical accuracy, completeness of the
// assessment, appropriate recommendations) sent through the same model provider as the agent
// (Claude with a key; the offline model, which judges deterministically, without). The reply's
// score is clamped to [0, 1]. A failed call or an answer with no readable score gives score null
// and the reason in metadata.error — the eval carries on. An empty answer scores 0 without a call.
import { createModelClient, type ModelClient } from '../../../../lib/llm/model-client.js';
import { parseJudgeVerdict } from './judge-verdict.js';
import { queryText, responseText } from './response-text.js';
import type { CaseScorer, ScorerArgs } from './scorer-types.js';
import { defineScorer, errorMessage, roundScore } from './scorer-types.js';

export interface JudgeOptions {
  /** Defaults to createModelClient() (made on first use). */
  client?: ModelClient;
  /** Defaults to the client's default model. */
  model?: string;
  maxTokens?: number;
  timeoutMs?: number;
}

export function judgePrompt(query: string, response: string): string {
  return [
    "You are grading a clinical assistant's answer to a clinician's question.",
    'Rate the response from 0 to 1 based on:',
    '- Clinical accuracy',
    '- Completeness of assessment',
    '- Appropriate recommendations and follow-up',
    '',
    ...(query ? [`Question: ${query}`, ''] : []),
    '<response>',
    response,
    '</response>',
    '',
    'Give your reasoning in at most three sentences, then end with a line of the form "Score: <a number between 0 and 1>".',
  ].join('\n');
}

export function llmJudgeScorer(options: JudgeOptions = {}): CaseScorer {
  let client: ModelClient | undefined = options.client;
  return defineScorer('llm_judge', async ({ input, output }: ScorerArgs) => {
    const response = responseText(output);
    if (response.trim() === '') return { score: 0, metadata: { reason: 'empty response' } };
    client ??= createModelClient();
    const model = options.model ?? client.defaultModel;
    let reply: string;
    try {
      const message = await client.client.messages.create(
        { model, max_tokens: options.maxTokens ?? 400, messages: [{ role: 'user', content: judgePrompt(queryText(input), response) }] },
        { timeout: options.timeoutMs ?? 60_000 },
      );
      reply = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    } catch (error) {
      return { score: null, metadata: { model, error: `the judge call failed: ${errorMessage(error)}` } };
    }
    const verdict = parseJudgeVerdict(reply);
    if (!verdict.ok) return { score: null, metadata: { model, error: verdict.error, answer: reply.slice(0, 500) } };
    return { score: roundScore(verdict.score), metadata: { model, reasoning: verdict.reasoning, clamped: verdict.clamped } };
  });
}
