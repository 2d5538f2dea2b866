// @ts-check
// How a comparison with the base experiment reads: a change marked better (green, ▲) or worse
// (red, ▼) — for scores higher is better, for durations and tokens lower is — and the number of
// cases that improved and regressed. Colour is never the only sign: each mark has an arrow and words.
import { h } from './dom.js';
import { formatDelta } from './format.js';

/**
 * @param {number} diff this minus the base
 * @param {'higher' | 'lower'} better
 * @param {(diff: number) => string} [format]
 */
export function deltaMark(diff, better = 'higher', format = formatDelta) {
  const direction = Math.abs(diff) < 1e-9 ? 'unchanged' : (diff > 0) === (better === 'higher') ? 'improved' : 'regressed';
  // The arrow says which way the number moved; the colour and words say whether that is good.
  const arrow = direction === 'unchanged' ? '' : diff > 0 ? '▲' : '▼';
  const words = { improved: 'better than the base', regressed: 'worse than the base', unchanged: 'same as the base' }[direction];
  return h(
    'span',
    { class: `delta ${direction}`, 'data-change': direction, title: `${format(diff)}: ${words}` },
    arrow ? h('span', { 'aria-hidden': 'true' }, `${arrow} `) : null,
    format(diff),
    h('span', { class: 'visually-hidden' }, ` (${words})`),
  );
}

/**
 * "↑2 ↓1": cases improved and regressed against their base cases.
 * @param {number} improvements
 * @param {number} regressions
 */
export function changeCounts(improvements, regressions) {
  const label = `${improvements} improved, ${regressions} regressed`;
  return h(
    'span',
    { class: 'change-counts', title: label },
    h('span', { class: 'count improved', 'aria-hidden': 'true' }, `↑${improvements}`),
    h('span', { class: 'count regressed', 'aria-hidden': 'true' }, `↓${regressions}`),
    h('span', { class: 'visually-hidden' }, label),
  );
}
