// @ts-check
// Pretty-printed JSON as DOM text with a class per token kind (keys, strings, numbers, literals),
// so it can be coloured. A "\n" inside a string is shown as a line break: model answers and
// prompts are long markdown and unreadable with escapes. A plain string value is shown as text.
import { h } from './dom.js';

const INDENT = '  ';

/**
 * @param {unknown} value
 * @returns {HTMLElement}
 */
export function renderJson(value) {
  if (typeof value === 'string') return h('pre', { class: 'json-view text-value' }, value);
  const pre = h('pre', { class: 'json-view' });
  writeValue(pre, value, '');
  return pre;
}

/**
 * @param {HTMLElement} out
 * @param {unknown} value
 * @param {string} indent
 */
function writeValue(out, value, indent) {
  if (value === null || value === undefined) {
    out.append(token('null', 'json-literal'));
  } else if (typeof value === 'string') {
    out.append(token(readableString(value), 'json-string'));
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    out.append(token(String(value), 'json-number'));
  } else if (typeof value === 'boolean') {
    out.append(token(String(value), 'json-literal'));
  } else if (Array.isArray(value)) {
    writeEntries(out, value.map((item) => [null, item]), indent, '[', ']');
  } else if (typeof value === 'object') {
    writeEntries(out, Object.entries(value), indent, '{', '}');
  } else {
    out.append(token(String(value), 'json-literal'));
  }
}

/**
 * @param {HTMLElement} out
 * @param {Array<[string | null, unknown]>} entries key null for array items
 * @param {string} indent
 * @param {string} open
 * @param {string} close
 */
function writeEntries(out, entries, indent, open, close) {
  if (entries.length === 0) {
    out.append(token(`${open}${close}`, 'json-punctuation'));
    return;
  }
  const inner = indent + INDENT;
  out.append(token(open, 'json-punctuation'), '\n');
  entries.forEach(([key, item], index) => {
    out.append(inner);
    if (key !== null) out.append(token(JSON.stringify(key), 'json-key'), token(': ', 'json-punctuation'));
    writeValue(out, item, inner);
    out.append(index < entries.length - 1 ? token(',', 'json-punctuation') : '', '\n');
  });
  out.append(indent, token(close, 'json-punctuation'));
}

/**
 * JSON string syntax, except that escaped newlines become real ones (an escaped backslash stays).
 * @param {string} value
 */
function readableString(value) {
  return JSON.stringify(value).replace(/\\\\|\\n/g, (escape) => (escape === '\\n' ? '\n' : escape));
}

/**
 * @param {string} text
 * @param {string} className
 */
function token(text, className) {
  return h('span', { class: className }, text);
}
