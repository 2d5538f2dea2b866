// What the offline model needs to know about a request's conversation: the user's words (for
// facts), whether this turn follows earlier ones, and which tool results answer which tool calls.
import type { PatientFacts } from './patient-facts.js';
import { emptyFacts, FactsByText, factsFromTexts } from './patient-facts.js';
import type { ScriptedCall } from './scripted-calls.js';
import { parseScriptedCalls } from './scripted-calls.js';
import type { ToolOutcome } from './tool-results.js';
import { readToolOutcome } from './tool-results.js';
import type { MessagesRequest, RequestMessage, ToolUseBlock } from './wire-types.js';

export interface ConversationView {
  /** Facts from every user text of the conversation, later turns overriding earlier ones. */
  facts: PatientFacts;
  /** Facts from the current question alone: what this turn adds. */
  latestFacts: PatientFacts;
  /** Facts from every user text before the current question. */
  earlierFacts: PatientFacts;
  /** True when the model already answered something earlier in this conversation. */
  isFollowUp: boolean;
  /** The last user message carries tool results: time to answer, never to call tools again. */
  answeringToolResults: boolean;
  /** Results in the last user message, in order. */
  currentOutcomes: ToolOutcome[];
  /** Results from earlier rounds, oldest first. */
  earlierOutcomes: ToolOutcome[];
  /** `[[call …]]` directives in the last user message. */
  scriptedCalls: ScriptedCall[];
  invalidScriptedCalls: string[];
}

export function viewConversation(request: MessagesRequest): ConversationView {
  const { messages } = request;
  const lastIndex = messages.length - 1;
  const questionIndex = findLastIndex(messages, (m) => m.role === 'user' && userText(m).trim() !== '');
  const texts = messages.map((m, i) => ({ i, text: m.role === 'user' ? parseScriptedCalls(userText(m)).rest : '' })).filter((t) => t.text.trim() !== '');
  const earlierTexts = texts.filter((t) => t.i < questionIndex).map((t) => t.text);
  const latestText = texts.find((t) => t.i === questionIndex)?.text;
  const lastMessage = messages[lastIndex];
  const scripted = lastMessage ? parseScriptedCalls(userText(lastMessage)) : { calls: [], invalid: [] };

  const currentOutcomes: ToolOutcome[] = [];
  const earlierOutcomes: ToolOutcome[] = [];
  messages.forEach((message, i) => {
    if (message.role !== 'user') return;
    const uses = toolUsesOf(messages[i - 1]);
    for (const block of message.content) {
      if (block.type !== 'tool_result') continue;
      const outcome = readToolOutcome(uses.get(block.tool_use_id)?.name, block);
      (i === lastIndex ? currentOutcomes : earlierOutcomes).push(outcome);
    }
  });

  const read = new FactsByText();
  return {
    facts: factsFromTexts(texts.map((t) => t.text), read),
    latestFacts: latestText === undefined ? emptyFacts() : factsFromTexts([latestText], read),
    earlierFacts: factsFromTexts(earlierTexts, read),
    isFollowUp: messages.some((m, i) => m.role === 'assistant' && i < questionIndex),
    answeringToolResults: lastMessage?.content.some((b) => b.type === 'tool_result') ?? false,
    currentOutcomes,
    earlierOutcomes,
    scriptedCalls: scripted.calls,
    invalidScriptedCalls: scripted.invalid,
  };
}

function userText(message: RequestMessage): string {
  return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
}

function toolUsesOf(message: RequestMessage | undefined): Map<string, ToolUseBlock> {
  const uses = new Map<string, ToolUseBlock>();
  if (message?.role === 'assistant') for (const b of message.content) if (b.type === 'tool_use') uses.set(b.id, b);
  return uses;
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}
