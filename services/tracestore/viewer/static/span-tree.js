// @ts-check
// A trace's rows as a tree (parent = first of span_parents; a span whose parent is missing is a
// top-level node), children in start order, plus what the page draws per span: its kind (RPC spans
// are told apart from plain functions by their rpc.* attributes), label, timing and error.

/** @typedef {import('./api.js').SpanRow} SpanRow */
/**
 * Braintrust's span types (the SDK's spanTypeAttributeValues), plus rpc (OTel RPC spans) and other.
 * @typedef {'llm' | 'tool' | 'task' | 'function' | 'eval' | 'score' | 'classifier' | 'preprocessor' | 'facet' | 'automation' | 'review' | 'rpc' | 'other'} SpanKind
 */

/**
 * @typedef {object} SpanNode
 * @property {SpanRow} row
 * @property {string} key unique per row (span_id, else the row id)
 * @property {string} name
 * @property {string} label shorter name for the tree (RPC methods without their package)
 * @property {SpanKind} kind
 * @property {string} rpcSide "client" / "server" for RPC spans, else ""
 * @property {string} service the process that recorded it, when known
 * @property {number | null} start unix seconds
 * @property {number | null} end
 * @property {boolean} failed
 * @property {number} depth
 * @property {SpanNode | null} parent
 * @property {SpanNode[]} children
 */

/** @type {readonly SpanKind[]} */
export const SPAN_KINDS = ['llm', 'tool', 'task', 'function', 'eval', 'score', 'classifier', 'preprocessor', 'facet', 'automation', 'review', 'rpc', 'other'];

/**
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
export function objectOf(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? /** @type {Record<string, unknown>} */ (value) : {};
}

/**
 * @param {unknown} value
 * @returns {number | null}
 */
function finiteNumber(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * @param {SpanRow} row
 * @returns {SpanKind}
 */
export function kindOf(row) {
  const metadata = objectOf(row.metadata);
  if ('rpc.system.name' in metadata || 'rpc.system' in metadata || 'rpc.method' in metadata) return 'rpc';
  const type = objectOf(row.span_attributes).type;
  return typeof type === 'string' && /** @type {readonly string[]} */ (SPAN_KINDS).includes(type) ? /** @type {SpanKind} */ (type) : 'other';
}

/**
 * @param {SpanRow} row
 * @returns {boolean}
 */
export function hasError(row) {
  return row.error !== undefined && row.error !== null && row.error !== '';
}

/**
 * @param {SpanRow} row
 * @returns {SpanNode}
 */
function nodeOf(row) {
  const attributes = objectOf(row.span_attributes);
  const metadata = objectOf(row.metadata);
  const metrics = objectOf(row.metrics);
  const name = typeof attributes.name === 'string' ? attributes.name : '(unnamed span)';
  const kind = kindOf(row);
  return {
    row,
    key: String(row.span_id ?? row.id ?? ''),
    name,
    // An RPC span reads as its method ("ExecuteTool"); the full name stays in the tooltip and details.
    label: kind === 'rpc' ? name.slice(name.lastIndexOf('/') + 1) || name : name,
    kind,
    rpcSide: kind === 'rpc' && typeof metadata['otel.kind'] === 'string' ? metadata['otel.kind'] : '',
    service: typeof metadata['service.name'] === 'string' ? metadata['service.name'] : '',
    start: finiteNumber(metrics.start),
    end: finiteNumber(metrics.end),
    failed: hasError(row),
    depth: 0,
    parent: null,
    children: [],
  };
}

/**
 * @param {SpanRow[]} rows
 * @returns {SpanNode[]} the top-level nodes
 */
export function buildSpanTree(rows) {
  /** @type {Map<string, SpanNode>} */
  const byKey = new Map();
  for (const row of rows) {
    const node = nodeOf(row);
    byKey.set(node.key, node);
  }
  /** @type {SpanNode[]} */
  const roots = [];
  for (const node of byKey.values()) {
    const parents = node.row.span_parents;
    const parentKey = Array.isArray(parents) && typeof parents[0] === 'string' ? parents[0] : undefined;
    const parent = parentKey === undefined ? undefined : byKey.get(parentKey);
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  sortAndSetDepth(roots, 0);
  return roots;
}

/**
 * @param {SpanNode[]} nodes
 * @param {number} depth
 */
function sortAndSetDepth(nodes, depth) {
  nodes.sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity));
  for (const node of nodes) {
    node.depth = depth;
    sortAndSetDepth(node.children, depth + 1);
  }
}

/**
 * Depth-first order: the order of the rows on the page.
 * @param {SpanNode[]} roots
 * @returns {SpanNode[]}
 */
export function flattenTree(roots) {
  /** @type {SpanNode[]} */
  const ordered = [];
  /** @param {SpanNode} node */
  const visit = (node) => {
    ordered.push(node);
    node.children.forEach(visit);
  };
  roots.forEach(visit);
  return ordered;
}

/**
 * The trace's time window: first start to last end (a span still running counts to its start).
 * @param {SpanNode[]} nodes
 * @returns {{ start: number, end: number } | null}
 */
export function timeWindow(nodes) {
  let start = Infinity;
  let end = -Infinity;
  for (const node of nodes) {
    if (node.start === null) continue;
    start = Math.min(start, node.start);
    end = Math.max(end, node.end ?? node.start);
  }
  return Number.isFinite(start) ? { start, end: Math.max(end, start) } : null;
}

/**
 * Where a span's bar sits in the waterfall, as fractions of the window (0…1).
 * @param {SpanNode} node
 * @param {{ start: number, end: number }} window
 * @returns {{ left: number, width: number, running: boolean } | null}
 */
export function barPosition(node, window) {
  if (node.start === null) return null;
  const span = window.end - window.start;
  if (span <= 0) return { left: 0, width: 1, running: node.end === null };
  const end = node.end ?? window.end;
  return {
    left: (node.start - window.start) / span,
    width: Math.max(0, end - node.start) / span,
    running: node.end === null,
  };
}

/**
 * @param {SpanNode} node
 * @returns {number | null} seconds
 */
export function durationOf(node) {
  return node.start !== null && node.end !== null ? node.end - node.start : null;
}
