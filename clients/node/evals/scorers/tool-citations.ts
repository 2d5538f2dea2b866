// What an answer can cite from a tool's output, and whether it did.
// Citable: numbers (not booleans, not 0/±1, not under bookkeeping keys — ids, ranks, counts,
// distances, relevance/similarity scores — which no answer would repeat), and titles (string values
// under title / label / name / condition / drug keys). At most 12 facts per output, first found first.
// Cited: a number written in the answer that rounds to the fact at the answer's precision (162.56 is
// cited by "162.6"; a fraction under 10 needs a decimal, so "0" does not cite 0.3); a title found in
// the answer, or at least 60% of its longer words.
import { asRecord } from '../../span-fields.js';
import { numbersIn } from './response-text.js';

export interface CitableFact {
  kind: 'number' | 'title';
  /** How the fact reads: the number or the title. */
  text: string;
  value: number | undefined;
}

const MAX_FACTS = 12;
const BOOKKEEPING_KEY = /(?:^|_)(?:id|ids|rank|index|count|total|n_results|limit|distance|similarity|relevance|score|version|page)$/i;
const TITLE_KEY = /^(?:title|label|name|condition|drug|generic_name|brand_name)$/i;

export function citableFacts(output: unknown): CitableFact[] {
  const facts: CitableFact[] = [];
  const seen = new Set<string>();
  const add = (fact: CitableFact): void => {
    const key = `${fact.kind}:${fact.text.toLowerCase()}`;
    if (facts.length >= MAX_FACTS || seen.has(key)) return;
    seen.add(key);
    facts.push(fact);
  };
  const visit = (value: unknown, key: string): void => {
    if (facts.length >= MAX_FACTS) return;
    if (typeof value === 'number') {
      if (Number.isFinite(value) && Math.abs(value) !== 1 && value !== 0 && !BOOKKEEPING_KEY.test(key)) add({ kind: 'number', text: String(value), value });
    } else if (typeof value === 'string') {
      if (TITLE_KEY.test(key) && value.trim().length >= 3) add({ kind: 'title', text: value.trim(), value: undefined });
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else {
      const record = asRecord(value);
      if (record) for (const [childKey, child] of Object.entries(record)) visit(child, childKey);
    }
  };
  visit(output, '');
  return facts;
}

function numberCited(value: number, written: ReturnType<typeof numbersIn>): boolean {
  const needsDecimal = !Number.isInteger(value) && Math.abs(value) < 10;
  return written.some((token) => {
    if (needsDecimal && token.decimals === 0) return false;
    return Math.abs(token.value - value) <= 0.5 * 10 ** -token.decimals + 1e-9;
  });
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function titleCited(title: string, answer: string): boolean {
  const normalisedAnswer = ` ${normalise(answer)} `;
  const normalisedTitle = normalise(title);
  if (normalisedTitle !== '' && normalisedAnswer.includes(` ${normalisedTitle} `)) return true;
  const words = normalisedTitle.split(' ').filter((word) => word.length >= 4);
  if (words.length < 2) return false;
  const found = words.filter((word) => normalisedAnswer.includes(` ${word} `)).length;
  return found / words.length >= 0.6;
}

export function citedFacts(facts: readonly CitableFact[], answer: string): CitableFact[] {
  const written = numbersIn(answer);
  return facts.filter((fact) => (fact.kind === 'number' ? numberCited(fact.value ?? NaN, written) : titleCited(fact.text, answer)));
}
