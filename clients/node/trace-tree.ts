// A trace's rows as a tree (parent = first of span_parents), children in start order, rendered as
// an indented tree with each span's type, duration, service and scores.
import type { JsonObject, JsonValue } from '../../lib/json.js';
import type { SpanRow } from './trace-reader.js';

export interface SpanNode {
  row: SpanRow;
  name: string;
  type: string;
  spanId: string;
  start: number | undefined;
  end: number | undefined;
  children: SpanNode[];
}

function objectField(row: SpanRow, key: string): JsonObject {
  const value = row[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function numberOf(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function buildSpanTree(rows: SpanRow[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const row of rows) {
    const spanId = row.span_id ?? row.id ?? '';
    const attributes = objectField(row, 'span_attributes');
    const metrics = objectField(row, 'metrics');
    nodes.set(spanId, {
      row,
      spanId,
      name: typeof attributes.name === 'string' ? attributes.name : '(unnamed)',
      type: typeof attributes.type === 'string' ? attributes.type : '',
      start: numberOf(metrics.start),
      end: numberOf(metrics.end),
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.row.span_parents?.[0];
    const parent = parentId ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode): number => (a.start ?? 0) - (b.start ?? 0);
  const sortTree = (list: SpanNode[]): void => {
    list.sort(byStart);
    for (const node of list) sortTree(node.children);
  };
  sortTree(roots);
  return roots;
}

function describeNode(node: SpanNode): string {
  const parts = [node.name];
  if (node.type) parts.push(`[${node.type}]`);
  if (node.start !== undefined && node.end !== undefined) parts.push(`${((node.end - node.start) * 1000).toFixed(1)} ms`);
  const metadata = objectField(node.row, 'metadata');
  const service = metadata['service.name'];
  if (typeof service === 'string') parts.push(`(${service})`);
  const scores = Object.entries(objectField(node.row, 'scores')).filter(([, v]) => typeof v === 'number');
  if (scores.length > 0) parts.push(scores.map(([k, v]) => `${k}=${(v as number).toFixed(2)}`).join(' '));
  const tokens = objectField(node.row, 'metrics').tokens;
  if (typeof tokens === 'number') parts.push(`${tokens} tokens`);
  if (node.row.error !== undefined && node.row.error !== null) parts.push('ERROR');
  return parts.join(' ');
}

export function renderSpanTree(roots: SpanNode[]): string {
  const lines: string[] = [];
  const walk = (node: SpanNode, prefix: string, isLast: boolean, isRoot: boolean): void => {
    lines.push(isRoot ? describeNode(node) : `${prefix}${isLast ? '└─ ' : '├─ '}${describeNode(node)}`);
    const childPrefix = isRoot ? '' : `${prefix}${isLast ? '   ' : '│  '}`;
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, false));
  };
  for (const root of roots) walk(root, '', true, true);
  return lines.join('\n');
}
