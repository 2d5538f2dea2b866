// Reading a model's answer as text: where the answer is in a task's output, its words, headings
// and numbers. Shared by the rule-based scorers so they all see the same answer the same way.
import { asRecord } from '../../span-fields.js';

const ANSWER_FIELDS = ['final_response', 'response', 'answer', 'text', 'output'] as const;

/** The answer in a task output: a string, or the first string field named like an answer. */
export function responseText(output: unknown): string {
  if (typeof output === 'string') return output;
  const record = asRecord(output);
  if (!record) return '';
  for (const field of ANSWER_FIELDS) {
    const value = record[field];
    if (typeof value === 'string') return value;
  }
  return '';
}

/** The patient query of a case input ({patient_query} or a plain string). */
export function queryText(input: unknown): string {
  if (typeof input === 'string') return input;
  const record = asRecord(input);
  for (const field of ['patient_query', 'query', 'message', 'question'] as const) {
    const value = record?.[field];
    if (typeof value === 'string') return value;
  }
  return '';
}

/** Words: whitespace-separated tokens holding a letter or digit (markdown marks are not words). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

export interface Heading {
  text: string;
  /** Character offset of the heading's line. */
  offset: number;
}

/**
 * Section headings: markdown `#` lines, lines that are a bold label (`**Plan**`, `**Plan:** …`)
 * and short lines ending in a colon (`Assessment:`).
 */
export function headingsOf(text: string): Heading[] {
  const headings: Heading[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const heading =
      /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1] ??
      /^\s*(?:\*\*|__)([^*_\n]{2,60}?):?(?:\*\*|__)/.exec(line)?.[1] ??
      /^\s*([A-Z][\w /&-]{2,40}):\s*$/.exec(line)?.[1];
    if (heading !== undefined) headings.push({ text: heading.trim(), offset });
    offset += line.length + 1;
  }
  return headings;
}

export interface NumberToken {
  value: number;
  decimals: number;
}

/** Every number written in the text (thousands separators allowed), with its decimal places. */
export function numbersIn(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  for (const match of text.matchAll(/(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])-?\d+(?:\.\d+)?/g)) {
    const raw = match[0].replace(/,/g, '');
    const decimals = raw.includes('.') ? raw.length - raw.indexOf('.') - 1 : 0;
    tokens.push({ value: Number(raw), decimals });
  }
  return tokens;
}
