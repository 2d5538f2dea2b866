// The `tracemesh trace` tree: a trace with holes says so — a span without an end, a span whose
// parent is not in the store — instead of looking whole (a walkthrough killed a worker mid-call and
// a store mid-turn: the tree showed a bare extra root and a turn with no duration, and nothing said why).
import assert from 'node:assert/strict';
import { buildSpanTree, renderSpanTree } from '../../clients/node/trace-tree.js';
import type { SpanRow } from '../../clients/node/trace-reader.js';

function row(span: string, name: string, parent: string | undefined, start: number, end?: number): SpanRow {
  return {
    id: `row-${span}`,
    span_id: span,
    root_span_id: 'trace-1',
    ...(parent ? { span_parents: [parent] } : {}),
    span_attributes: { name, type: 'task' },
    metrics: { start, ...(end === undefined ? {} : { end }) },
  } as SpanRow;
}

describe('trace tree', () => {
  it('renders a whole trace with no note', () => {
    const text = renderSpanTree(buildSpanTree([row('a', 'server_process_turn', undefined, 1, 2), row('b', 'claude_messages_create', 'a', 1.1, 1.5)]));
    assert.match(text, /server_process_turn \[task\] 1000\.0 ms\n└─ claude_messages_create \[task\] 400\.0 ms$/);
    assert.doesNotMatch(text, /incomplete/);
  });

  it('marks a span without an end and one whose parent was not recorded, and counts them', () => {
    const text = renderSpanTree(
      buildSpanTree([
        row('a', 'server_process_turn', undefined, 1),
        row('b', 'claude_messages_create', 'a', 1.1, 1.5),
        row('c', 'diagnostics_sleep', 'lost-span-0123456789', 1.2),
      ]),
    );
    assert.match(text, /^server_process_turn \[task\] \(no end recorded\)$/m);
    assert.match(text, /^diagnostics_sleep \[task\] \(no end recorded\) \(parent span lost-span-012345 not recorded\)$/m);
    assert.match(text, /incomplete trace: 2 spans without an end \(still running, or its process stopped mid-span\); 1 span's parent not recorded/);
  });
});
