// @ts-check
// How numbers and times read on the page: durations in ms / s / min, start times in the
// viewer's locale, token counts with separators, scores with two decimals, changes with their sign.

/**
 * @param {number | null | undefined} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const ms = seconds * 1000;
  // Span times have millisecond precision: equal start and end mean "under a millisecond".
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * A point on the trace's time axis: "0 ms" at its start, then like a duration.
 * @param {number | null} seconds since the trace started
 */
export function formatOffset(seconds) {
  return seconds === 0 ? '0 ms' : formatDuration(seconds);
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * @param {number | null | undefined} unixSeconds
 * @param {string} [fallbackIso] the row's `created` when it has no metrics.start
 * @returns {string}
 */
export function formatStartTime(unixSeconds, fallbackIso) {
  const date = typeof unixSeconds === 'number' ? new Date(unixSeconds * 1000) : fallbackIso ? new Date(fallbackIso) : undefined;
  return date && !Number.isNaN(date.getTime()) ? DATE_TIME.format(date) : '—';
}

/**
 * @param {number | null | undefined} unixSeconds
 * @param {string} [fallbackIso]
 * @returns {string} ISO 8601, for <time datetime>
 */
export function isoTime(unixSeconds, fallbackIso) {
  if (typeof unixSeconds === 'number') return new Date(unixSeconds * 1000).toISOString();
  return fallbackIso ?? '';
}

const INTEGER = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** @param {number} value */
export function formatCount(value) {
  return INTEGER.format(value);
}

/** @param {number} value */
export function formatScore(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * A change between two means or two scores: "+0.10", "−0.13" (a real minus sign), "±0" when equal.
 * @param {number} diff
 */
export function formatDelta(diff) {
  if (Math.abs(diff) < 1e-9) return '±0';
  const digits = Math.abs(diff) < 0.01 ? 3 : 2;
  return `${diff > 0 ? '+' : '−'}${Math.abs(diff).toFixed(digits)}`;
}
