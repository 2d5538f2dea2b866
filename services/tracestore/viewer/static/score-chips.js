// @ts-check
// A trace's or span's scores as small name/value chips (the first few; the rest in a "+N" chip).
import { h } from './dom.js';
import { formatScore } from './format.js';

const MAX_SCORE_CHIPS = 4;

/** @param {Record<string, number>} scores */
export function scoreChips(scores) {
  const entries = Object.entries(scores);
  const chips = entries.slice(0, MAX_SCORE_CHIPS).map(([name, value]) =>
    h('span', { class: 'score-chip', title: `${name}: ${value}` }, h('span', { class: 'score-name' }, name), h('span', { class: 'score-value' }, formatScore(value))),
  );
  if (entries.length > MAX_SCORE_CHIPS) {
    const rest = entries.slice(MAX_SCORE_CHIPS);
    chips.push(h('span', { class: 'score-chip more', title: rest.map(([name, value]) => `${name}: ${formatScore(value)}`).join('\n') }, `+${rest.length}`));
  }
  return h('div', { class: 'score-chips' }, chips);
}
