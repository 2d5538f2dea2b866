// `tracemesh trace <root_span_id>`: the trace as an indented tree (or its rows as JSON), or with
// --open the address of its page in the trace viewer.
import type { Command } from 'commander';
import { localTraceStoreUrl, tracingConfig } from '../../../../lib/config.js';
import { TraceBackend } from '../../trace-reader.js';
import { buildSpanTree, renderSpanTree } from '../../trace-tree.js';
import { nonNegativeNumber } from '../number-arguments.js';
import { waitForTrace } from '../trace-waiter.js';
import { describeBackendFailure } from '../../backend-failure.js';

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('print a trace from the trace backend as a tree')
    .argument('<root_span_id>', 'the trace id (TurnResult.trace.root_span_id, or an eval case\'s)')
    .option('--json', 'print the span rows as JSON')
    .option('--wait <seconds>', 'wait up to this long for the trace to arrive', (value: string) => nonNegativeNumber(value, '--wait'), 0)
    .option('--experiment <name>', "read the trace from this experiment (an eval case's trace) instead of the project logs")
    .option('--open', 'print the URL of the trace in the trace viewer instead')
    .action(async (rootSpanId: string, options: { json?: boolean; wait: number; experiment?: string; open?: boolean }) => {
      if (options.open) {
        printViewerLocation(rootSpanId);
        return;
      }
      try {
        const backend = new TraceBackend();
        const experimentId = options.experiment === undefined ? undefined : await experimentIdOf(backend, options.experiment);
        const waitMs = options.wait * 1000;
        const rows = waitMs > 0 ? await waitForTrace(backend, rootSpanId, { timeoutMs: waitMs, experimentId }) : await backend.fetchTrace(rootSpanId, experimentId);
        if (rows.length === 0) {
          const where = options.experiment === undefined ? `the logs of project "${tracingConfig().projectName}"` : `experiment "${options.experiment}"`;
          // An eval case's trace lives in its experiment, which the project logs do not hold.
          const hint = options.experiment === undefined ? ` (an eval case's trace is in its experiment: tracemesh trace ${rootSpanId} --experiment <name>)` : '';
          process.stderr.write(`no spans found for trace ${rootSpanId} in ${where}${hint}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderSpanTree(buildSpanTree(rows))}\n`);
      } catch (error) {
        process.stderr.write(`tracemesh trace: ${describeBackendFailure(error)}\n`);
        process.exitCode = 1;
      }
    });
}

/** An experiment named so in the project, or else (a UUID) taken as its id. */
async function experimentIdOf(backend: TraceBackend, nameOrId: string): Promise<string> {
  const id = await backend.experimentId(nameOrId);
  if (id !== undefined) return id;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nameOrId)) return nameOrId;
  throw new Error(`project "${tracingConfig().projectName}" has no experiment named "${nameOrId}"`);
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
