// The `tracemesh` command line.
import { Command } from 'commander';
import { registerChatCommand } from './commands/chat.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerTraceCommand } from './commands/trace.js';
import { registerUpCommand } from './commands/up.js';

const program = new Command('tracemesh')
  .description('Claude agents whose tools live in other gRPC services, every step in one trace')
  .showHelpAfterError();
registerUpCommand(program);
registerChatCommand(program);
registerTraceCommand(program);
registerDemoCommand(program);

await program.parseAsync(process.argv);
