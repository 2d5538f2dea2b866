// `diagnostics_sleep`: waits, then says which worker answered. An operator's tool for checking
// deadlines, cancellation, load balancing and fan-out on a live mesh (and the benchmark's fixed-
// latency tool); `padding_chars` makes its result as large as asked, to check how the mesh treats
// a tool that answers with too much. Registered only when TOOLWORKER_DIAGNOSTIC_TOOLS=1, so models in production never see it.
import type { Tool } from '../tool.js';
import { instanceId } from '../../../lib/process/instance-id.js';

export interface DiagnosticSleepArgs {
  ms: number;
  label?: string;
  padding_chars?: number;
}

export const diagnosticSleepTool: Tool<DiagnosticSleepArgs> = {
  name: 'diagnostics_sleep',
  description:
    'Diagnostics only: waits `ms` milliseconds, then returns which worker process answered. Use it to check deadlines, cancellation and how calls spread across workers.',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['ms'],
    properties: {
      ms: { type: 'integer', minimum: 0, maximum: 600000, description: 'How long to wait, in milliseconds.' },
      label: { type: 'string', maxLength: 200, description: 'Echoed back, to tell calls apart.' },
      padding_chars: { type: 'integer', minimum: 0, maximum: 3000000, description: 'Adds a `padding` string of this many characters to the result.' },
    },
  },
  async execute(args, context) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, args.ms);
      context.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(context.signal.reason instanceof Error ? context.signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
    return {
      output: {
        slept_ms: Math.round(performance.now() - started),
        worker: instanceId(),
        ...(args.label === undefined ? {} : { label: args.label }),
        ...(args.padding_chars === undefined ? {} : { padding: '.'.repeat(args.padding_chars) }),
      },
    };
  },
};
