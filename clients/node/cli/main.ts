// The `tracemesh` command line. Configuration: flags first, then the environment, then a `.env`
// file in the working directory (which never overrides a variable already set).
import { config as loadDotenv } from 'dotenv';
import { Command } from 'commander';
import { registerChatCommand } from './commands/chat.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDatasetCommand } from './commands/dataset.js';
import { registerQueryCommand } from './commands/query.js';
import { registerTraceCommand } from './commands/trace.js';
import { registerUpCommand } from './commands/up.js';
import { registerEvalCommand } from './commands/eval.js';

loadDotenv({ quiet: true });

const program = new Command('tracemesh')
  .description('Claude agents whose tools live in other gRPC services, every step in one trace')
  .showHelpAfterError();
registerUpCommand(program);
registerChatCommand(program);
registerTraceCommand(program);
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
