// The offline model as an LLM judge. A request with no tools whose last user message asks for a
// score between 0 and 1 for a response (in <response>…</response>, or after "Response:") gets a
// deterministic verdict computed from the response text, with the reasons behind it:
//   structure        0.30 × the share of assessment / recommendations / follow-up sections present
//   specificity      0.20 × min(1, distinct figures cited / 8)
//   length           0.15 × 1 within 100–500 words, scaled down outside
//   recommendations  0.25 × min(1, concrete action items / 4)
//   safety-netting   0.10 × 1 when it says when to seek urgent care
// The reply is the reasons then "Score: x", or only the number when the prompt asks for only that.
import type { MessagesRequest, RequestMessage } from './wire-types.js';

const RUBRIC_CUE = /\b(?:rate|score|grade|evaluate|judge)\b/i;
const RANGE_CUE = /between 0(?:\.0)? and 1(?:\.0)?|from 0(?:\.0)? to 1(?:\.0)?|\b0\s*[-–]\s*1\b/i;
const ONLY_A_NUMBER = /\b(?:return|reply with|respond with|answer with|give)\s+(?:only|just)\s+(?:a|the)\s+(?:number|score)\b/i;

const SECTIONS = [
  { label: 'assessment', pattern: /\b(?:assessment|impression|evaluation|findings|diagnos[ie]s|differential)\b/i },
  { label: 'recommendations', pattern: /\b(?:recommendations?|plan|management|treatment)\b/i },
  { label: 'follow-up', pattern: /\b(?:follow[- ]?up|recheck|monitoring|review the results)\b/i },
] as const;
const ACTION = /\b(?:check|order|start|consider|refer|recheck|review|seek|treat|avoid|aim|add|repeat|measure|screen|monitor|prescribe|reduce|increase|begin|continue|stop|schedule|test|lifestyle)\w*/i;
const SAFETY_NET = /\bseek (?:urgent|same[- ]day|immediate|emergency|prompt)\b|\bcall 911\b|\bemergency (?:care|department|room)\b|\bsame[- ]day care\b|\bred[- ]flags?\b/i;

function lastUserText(messages: readonly RequestMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  }
  return '';
}

/** The response a rubric prompt asks to grade, or undefined when the prompt holds none. */
function responseUnderReview(prompt: string): string | undefined {
  const tagged = /<response>([\s\S]*?)<\/response>/i.exec(prompt);
  if (tagged) return tagged[1]?.trim();
  const labelled = /\bResponse:\s*([\s\S]*?)(?:\n\s*(?:Return|Give|Reply|Respond|Answer|Output)\b[^\n]*)?\s*$/i.exec(prompt);
  const text = labelled?.[1]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

interface Assessment {
  score: number;
  reasons: string[];
}

function words(text: string): number {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

function assess(response: string): Assessment {
  const present = SECTIONS.filter((section) => section.pattern.test(response)).map((section) => section.label);
  const figures = new Set(response.match(/(?<![\w.])\d+(?:\.\d+)?/g) ?? []).size;
  const wordCount = words(response);
  const lengthCredit = wordCount === 0 ? 0 : wordCount < 100 ? wordCount / 100 : wordCount <= 500 ? 1 : Math.max(0, 1 - (wordCount - 500) / 500);
  const actions = response.split('\n').filter((line) => /^\s*(?:[-*•]|\d+[.)])\s+/.test(line) && ACTION.test(line)).length;
  const safetyNet = SAFETY_NET.test(response);

  const score = 0.3 * (present.length / SECTIONS.length) + 0.2 * Math.min(1, figures / 8) + 0.15 * lengthCredit + 0.25 * Math.min(1, actions / 4) + 0.1 * (safetyNet ? 1 : 0);
  const missing = SECTIONS.map((s) => s.label).filter((label) => !present.includes(label));
  return {
    score: Math.round(score * 100) / 100,
    reasons: [
      missing.length === 0
        ? 'Structure: assessment, recommendations and follow-up are all present.'
        : `Structure: ${present.length} of 3 expected sections; missing ${missing.join(' and ')}.`,
      `Specificity: ${figures} distinct figure${figures === 1 ? '' : 's'} cited; length ${wordCount} words (100–500 is the target).`,
      `Recommendations: ${actions} concrete action item${actions === 1 ? '' : 's'}; ${safetyNet ? 'says when to seek urgent care' : 'no advice on when to seek urgent care'}.`,
    ],
  };
}

/** The judge's reply text, or undefined when the request is not a request to judge a response. */
export function judgeReply(request: MessagesRequest): string | undefined {
  if (request.tools.length > 0) return undefined;
  const prompt = lastUserText(request.messages);
  if (!RUBRIC_CUE.test(prompt) || !RANGE_CUE.test(prompt)) return undefined;
  const response = responseUnderReview(prompt);
  if (response === undefined) return undefined;
  const { score, reasons } = assess(response);
  return ONLY_A_NUMBER.test(prompt) ? String(score) : `${reasons.join(' ')}\nScore: ${score}`;
}
