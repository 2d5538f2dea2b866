// A trace's rows as a tree (parent = first of span_parents), children in start order, rendered as
// an indented tree with each span's type, duration, service and scores. A trace with holes says so:
// a span without an end (still running, or its process stopped mid-span) or whose parent is not in
// the store (not sent yet, or dropped) is marked, and a last line counts them — a trace that looks
// whole but is not sends its reader looking for a bug that is not there.
import { objectAt, spanEnd, spanId, spanName, spanParent, spanStart, spanType } from './span-fields.js';
import type { SpanRow } from './trace-reader.js';

export interface SpanNode {
  row: SpanRow;
  name: string;
  type: string;
  spanId: string;
  start: number | undefined;
  end: number | undefined;
  /** The parent span named by the row but not in the trace. */
  missingParent?: string;
  children: SpanNode[];
}

export function buildSpanTree(rows: SpanRow[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const row of rows) {
    const id = spanId(row) ?? '';
    nodes.set(id, {
      row,
      spanId: id,
      name: spanName(row) || '(unnamed)',
      type: spanType(row) ?? '',
      start: spanStart(row),
      end: spanEnd(row),
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parentId = spanParent(node.row);
    const parent = parentId ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else {
      if (parentId) node.missingParent = parentId;
      roots.push(node);
    }
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
  else if (node.start !== undefined) parts.push('(no end recorded)');
  const metadata = objectAt(node.row, 'metadata') ?? {};
  const service = metadata['service.name'];
  if (typeof service === 'string') parts.push(`(${service})`);
  const scores = Object.entries(objectAt(node.row, 'scores') ?? {}).filter(([, v]) => typeof v === 'number');
  if (scores.length > 0) parts.push(scores.map(([k, v]) => `${k}=${(v as number).toFixed(2)}`).join(' '));
  const metrics = objectAt(node.row, 'metrics');
  const tokens = metrics?.tokens;
  const cached = metrics?.prompt_cached_tokens;
  if (typeof tokens === 'number') parts.push(typeof cached === 'number' && cached > 0 ? `${tokens} tokens (${cached} cached)` : `${tokens} tokens`);
  if (node.row.error !== undefined && node.row.error !== null) parts.push('ERROR');
  if (node.missingParent) parts.push(`(parent span ${node.missingParent.slice(0, 16)} not recorded)`);
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
  const gaps = incompleteness(roots);
  if (gaps) lines.push(gaps);
  return lines.join('\n');
}

/** The line that says what a trace is missing, or undefined when nothing is. */
function incompleteness(roots: SpanNode[]): string | undefined {
  let unended = 0;
  let orphans = 0;
  const count = (node: SpanNode): void => {
    if (node.start !== undefined && node.end === undefined) unended++;
    if (node.missingParent) orphans++;
    node.children.forEach(count);
  };
  roots.forEach(count);
  if (unended === 0 && orphans === 0) return undefined;
  const parts = [
    ...(unended > 0 ? [`${unended} span${unended === 1 ? '' : 's'} without an end (still running, or its process stopped mid-span)`] : []),
    ...(orphans > 0 ? [`${orphans} span${orphans === 1 ? "'s" : "s'"} parent not recorded (not sent yet, or dropped: see the services' logs for dropped spans)`] : []),
  ];
  return `incomplete trace: ${parts.join('; ')}`;
}
