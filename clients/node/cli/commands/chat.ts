// `tracemesh chat [messages...]`: one conversation, each message a streamed turn; with no
// messages it reads turns from the terminal until an empty line or Ctrl-D.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { initTracing } from '../../../../lib/tracing/tracing.js';
import { createConversationClient } from '../../conversation-client.js';
import { TracedConversation } from '../../traced-conversation.js';
import { ChatPrinter } from '../chat-printer.js';
import { positiveNumber } from '../number-arguments.js';
import { describeFailure } from '../grpc-failure.js';

interface ChatOptions {
  conversation?: string;
  target?: string;
  deadline: number;
  json?: boolean;
}

async function* turnsFrom(messages: string[]): AsyncGenerator<string> {
  if (messages.length > 0) {
    yield* messages;
    return;
  }
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const line = (await terminal.question('you> ').catch(() => '')).trim();
      if (line === '') return;
      yield line;
    }
  } finally {
    terminal.close();
  }
}

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('chat with the mesh: each message is one streamed turn of the same conversation')
    .argument('[messages...]', 'the turns to send (omit to type them interactively)')
    .option('-c, --conversation <id>', 'continue an existing conversation')
    .option('--target <host:port>', 'the conversation service (default CONVERSATION_TARGET or 127.0.0.1:50051)')
    .option('--deadline <seconds>', 'deadline for each turn', (value: string) => positiveNumber(value, '--deadline'), 300)
    .option('--json', 'print every event as one JSON line (for scripts) instead of text')
    .action(async (messages: string[], options: ChatOptions) => {
      const tracing = initTracing('tracemesh-cli');
      const client = createConversationClient(options.target);
      const conversation = new TracedConversation(client, { conversationId: options.conversation });
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      let failed = false;
      try {
        for await (const message of turnsFrom(messages)) {
          const printer = new ChatPrinter();
          const result = await conversation.turn(message, {
            onEvent: options.json ? (event) => process.stdout.write(`${JSON.stringify(event)}\n`) : printer.onEvent,
            deadlineMs: options.deadline * 1000,
            signal: abort.signal,
          });
          if (!options.json) printer.summary(result);
        }
      } catch (error) {
        failed = true;
        process.stderr.write(`\n${describeFailure(error)}\n`);
      } finally {
        conversation.finish();
        client.close();
        if (!(await tracing.flush(5_000))) process.stderr.write('warning: the trace backend did not take the spans in time\n');
      }
      if (conversation.rootSpanId) process.stderr.write(`trace: tracemesh trace ${conversation.rootSpanId}\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
