// Reading a judge model's reply: the last "Score: x" (x as 0.85, .85, 85% or 8.5/10), else a reply
// that is nothing but a number. Out-of-range numbers are clamped; anything else is no verdict.
import { clampScore } from './scorer-types.js';

export type JudgeVerdict =
  | { ok: true; score: number; clamped: boolean; reasoning: string }
  | { ok: false; error: string };

const NUMBER = String.raw`(-?\d*\.?\d+)\s*(%|\/\s*(\d+(?:\.\d+)?))?`;
const LABELLED = new RegExp(String.raw`\bscore\b\s*(?:\*\*)?\s*[:=]?\s*(?:\*\*)?\s*` + NUMBER, 'gi');
const BARE = new RegExp(String.raw`^\s*` + NUMBER + String.raw`\s*\.?\s*$`);

function valueOf(number: string, suffix: string | undefined, denominator: string | undefined): number {
  const value = Number(number);
  if (suffix === '%') return value / 100;
  if (denominator !== undefined) return value / Number(denominator);
  return value;
}

export function parseJudgeVerdict(reply: string): JudgeVerdict {
  const labelled = [...reply.matchAll(LABELLED)].pop();
  const bare = labelled ? undefined : BARE.exec(reply);
  const match = labelled ?? bare;
  if (!match || match[1] === undefined) {
    const shown = reply.trim().slice(0, 120);
    return { ok: false, error: shown === '' ? 'the judge gave an empty answer' : `no score in the judge's answer: "${shown}"` };
  }
  const value = valueOf(match[1], match[2]?.startsWith('/') ? undefined : match[2], match[3]);
  if (!Number.isFinite(value)) return { ok: false, error: `the judge's score "${match[0].trim()}" is not a number` };
  const score = clampScore(value);
  const reasoning = labelled ? reply.slice(0, labelled.index).trim() : '';
  return { ok: true, score, clamped: score !== value, reasoning };
}
