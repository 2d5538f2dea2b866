// `tracemesh trace <root_span_id>`: the trace as an indented tree (or its rows as JSON).
import type { Command } from 'commander';
import { TraceBackend } from '../../trace-reader.js';
import { buildSpanTree, renderSpanTree } from '../../trace-tree.js';
import { waitForTrace } from '../trace-waiter.js';

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('print a trace from the trace backend as a tree')
    .argument('<root_span_id>', 'the trace id (TurnResult.trace.root_span_id)')
    .option('--json', 'print the span rows as JSON')
    .option('--wait <seconds>', 'wait up to this long for the trace to arrive', '0')
    .action(async (rootSpanId: string, options: { json?: boolean; wait: string }) => {
      const backend = new TraceBackend();
      const waitMs = Number(options.wait) * 1000;
      const rows = waitMs > 0 ? await waitForTrace(backend, rootSpanId, { timeoutMs: waitMs }) : await backend.fetchTrace(rootSpanId);
      if (rows.length === 0) {
        process.stderr.write(`no spans found for trace ${rootSpanId}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderSpanTree(buildSpanTree(rows))}\n`);
    });
}
