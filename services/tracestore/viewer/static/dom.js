// @ts-check
// A tiny element builder. Text always goes in as text nodes, never as HTML, so span inputs and
// outputs (model text, tool arguments) cannot inject markup.

/**
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} AttributeValue
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * `h('button', { class: 'x', type: 'button', onclick: fn }, 'Label')`. Attributes that are
 * false/null/undefined are left out; `true` sets an empty attribute; `on…` functions are listeners.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces everything inside `parent`.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * A name like `follows_medical_structure` as text that may wrap after each underscore or dot
 * (`<wbr>` elements between text nodes), so narrow table headers need not be as wide as the name.
 * @param {string} text
 * @returns {Child[]}
 */
export function breakable(text) {
  return text.split(/(?<=[_.])/).flatMap((part, index) => (index === 0 ? [part] : [document.createElement('wbr'), part]));
}
