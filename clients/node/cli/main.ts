// The `tracemesh` command line. Configuration: flags first, then the environment, then a `.env`
// file in the working directory (which never overrides a variable already set).
import { config as loadDotenv } from 'dotenv';
import { Command } from 'commander';
import { registerChatCommand } from './commands/chat.js';
import { registerConversationsCommand } from './commands/conversations.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDatasetCommand } from './commands/dataset.js';
import { registerQueryCommand } from './commands/query.js';
import { registerTraceCommand } from './commands/trace.js';
import { registerUpCommand } from './commands/up.js';
import { registerEvalCommand } from './commands/eval.js';

loadDotenv({ quiet: true });

// When whoever reads stdout goes away (`tracemesh chat … | head -1`, `trace … --json | head`), the
// next write fails with EPIPE. A Unix tool would die of SIGPIPE there, silently; Node ignores
// SIGPIPE, so the stream's 'error' would crash the CLI with a stack trace. Instead: writes to the
// closed stdout go nowhere from then on (the stream is destroyed, later writes fail silently), the
// commands are told through `stdoutClosed` (chat cancels its running turn's call and starts no
// more), and the command ends normally with status 0. 0 rather than 141 (128 + SIGPIPE, what a
// process killed by the signal reports): nothing was killed and nothing failed — the reader
// chose to stop reading — and with `set -o pipefail` a script's `tracemesh … | head` keeps working.
const stdoutClosed = new AbortController();
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error; // as before: any other failure to write is a crash
  stdoutClosed.abort();
});

const program = new Command('tracemesh')
  .description('Claude agents whose tools live in other gRPC services, every step in one trace')
  .showHelpAfterError();
registerUpCommand(program);
registerChatCommand(program, { stdoutClosed: stdoutClosed.signal });
registerTraceCommand(program);
registerConversationsCommand(program);
registerDemoCommand(program);
registerQueryCommand(program);
registerDatasetCommand(program);
registerEvalCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A command that fails says why in one line (a service that could not start adds its own output).
  process.stderr.write(`tracemesh: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
