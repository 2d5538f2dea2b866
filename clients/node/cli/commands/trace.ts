// `tracemesh trace <root_span_id>`: the trace as an indented tree (or its rows as JSON), or with
// --open the address of its page in the trace viewer.
import type { Command } from 'commander';
import { localTraceStoreUrl, tracingConfig } from '../../../../lib/config.js';
import { TraceBackend } from '../../trace-reader.js';
import { buildSpanTree, renderSpanTree } from '../../trace-tree.js';
import { nonNegativeNumber } from '../number-arguments.js';
import { waitForTrace } from '../trace-waiter.js';

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('print a trace from the trace backend as a tree')
    .argument('<root_span_id>', 'the trace id (TurnResult.trace.root_span_id)')
    .option('--json', 'print the span rows as JSON')
    .option('--wait <seconds>', 'wait up to this long for the trace to arrive', (value: string) => nonNegativeNumber(value, '--wait'), 0)
    .option('--open', 'print the URL of the trace in the trace viewer instead')
    .action(async (rootSpanId: string, options: { json?: boolean; wait: number; open?: boolean }) => {
      if (options.open) {
        printViewerLocation(rootSpanId);
        return;
      }
      const backend = new TraceBackend();
      const waitMs = options.wait * 1000;
      const rows = waitMs > 0 ? await waitForTrace(backend, rootSpanId, { timeoutMs: waitMs }) : await backend.fetchTrace(rootSpanId);
      if (rows.length === 0) {
        process.stderr.write(`no spans found for trace ${rootSpanId}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderSpanTree(buildSpanTree(rows))}\n`);
    });
}

// Prints the address rather than starting a browser: the shell may be remote, the URL works anywhere.
function printViewerLocation(rootSpanId: string): void {
  const config = tracingConfig();
  if (config.backend === 'braintrust') {
    process.stdout.write(`trace ${rootSpanId} is in the Braintrust UI: project "${config.projectName}" at ${config.appUrl} (its logs, filtered by this trace id)\n`);
    return;
  }
  process.stdout.write(`${localTraceStoreUrl().replace(/\/+$/, '')}/ui/trace/${encodeURIComponent(rootSpanId)}\n`);
  // The token is not put in the URL (terminal scrollback, shell history): the page asks for it.
  if (process.env.TRACESTORE_TOKEN?.trim()) {
    process.stderr.write('the trace store requires TRACESTORE_TOKEN: the page asks for it (or append #token=<token> to the URL)\n');
  }
}
