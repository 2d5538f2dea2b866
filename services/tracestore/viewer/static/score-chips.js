// @ts-check
// A trace's or span's scores as small name/value chips (the first few; the rest in a "+N" chip).
// Given each score's lowest span value too (a trace's chips), a chip whose worst span is below its
// mean says so ("0.63 · min 0.25"): one bad turn must not hide behind a fair average.
import { h } from './dom.js';
import { formatScore } from './format.js';

const MAX_SCORE_CHIPS = 4;

/**
 * @param {Record<string, number>} scores the means (or a span's own values)
 * @param {Record<string, number>} [lowest] each score's lowest span value
 */
export function scoreChips(scores, lowest = {}) {
  const entries = Object.entries(scores);
  const chips = entries.slice(0, MAX_SCORE_CHIPS).map(([name, value]) => {
    const min = belowMean(value, lowest[name]);
    return h(
      'span',
      { class: min === undefined ? 'score-chip' : 'score-chip has-low', title: describe(name, value, lowest[name]) },
      h('span', { class: 'score-name' }, name),
      h('span', { class: 'score-value' }, formatScore(value)),
      min === undefined ? null : h('span', { class: 'score-min' }, `min ${formatScore(min)}`),
    );
  });
  if (entries.length > MAX_SCORE_CHIPS) {
    const rest = entries.slice(MAX_SCORE_CHIPS);
    chips.push(h('span', { class: 'score-chip more', title: rest.map(([name, value]) => describe(name, value, lowest[name], formatScore)).join('\n') }, `+${rest.length}`));
  }
  return h('div', { class: 'score-chips' }, chips);
}

/**
 * The lowest value when it is below the mean (equal means every span scored the same).
 * @param {number} mean
 * @param {number | undefined} min
 */
function belowMean(mean, min) {
  return min !== undefined && min < mean - 1e-9 ? min : undefined;
}

/**
 * @param {string} name
 * @param {number} value
 * @param {number | undefined} min
 * @param {(value: number) => string} [format]
 */
function describe(name, value, min, format = String) {
  return min === undefined ? `${name}: ${format(value)}` : `${name}: mean ${format(value)}, lowest span ${format(min)}`;
}
