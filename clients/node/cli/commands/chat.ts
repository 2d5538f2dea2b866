// `tracemesh chat [messages...]`: one conversation, each message a streamed turn; with no
// messages it reads turns from stdin, one a line (typed at a prompt, or piped), until an empty
// line or the end of the input (Ctrl-D).
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { initTracing } from '../../../../lib/tracing/tracing.js';
import { createConversationClient } from '../../conversation-client.js';
import { TracedConversation } from '../../traced-conversation.js';
import { ChatPrinter } from '../chat-printer.js';
import { nonNegativeInteger, positiveNumber } from '../number-arguments.js';
import { describeFailure } from '../grpc-failure.js';

/**
 * Enough tries to ride out a service restarting under `tracemesh up` (1.7–3.4 s measured) or a
 * turn of a few seconds on a busy conversation: waits of 0.25 s doubling (jittered) sum to 4–8 s.
 */
const DEFAULT_RETRIES = 5;

interface ChatOptions {
  conversation?: string;
  requestId?: string;
  retries: number;
  target?: string;
  deadline: number;
  json?: boolean;
}

export interface ChatCommandContext {
  /** Aborted when stdout's reader has gone away (EPIPE): the running turn is cancelled, no more start. */
  stdoutClosed?: AbortSignal;
}

/**
 * The turns: the arguments, or else stdin's lines in order. Lines that arrive while a turn is
 * still streaming (typed ahead, or all of a pipe at once) wait in the interface's async iterator
 * until the turn has finished; none is dropped. The `you> ` prompt is shown only on a terminal.
 */
async function* turnsFrom(messages: string[], onInterrupt: () => void): AsyncGenerator<string> {
  if (messages.length > 0) {
    yield* messages;
    return;
  }
  const terminal = process.stdin.isTTY === true;
  const input = createInterface({ input: process.stdin, output: terminal ? process.stderr : undefined, terminal, prompt: 'you> ' });
  // On a terminal readline reads Ctrl-C itself; without this it would just close the input.
  input.on('SIGINT', () => {
    onInterrupt();
    input.close();
  });
  // On a terminal, a line typed ahead (while an answer streamed) is shown again after the prompt
  // when its turn comes, so the transcript reads `you> …` before each answer.
  let received = 0;
  let taken = 0;
  input.on('line', () => received++);
  let atPrompt = false;
  try {
    if (terminal) input.prompt();
    atPrompt = terminal;
    for await (const raw of input) {
      if (terminal && !atPrompt) process.stderr.write(`you> ${raw}\n`);
      taken++;
      atPrompt = false;
      const line = raw.trim();
      if (line === '') return;
      yield line;
      if (terminal && received === taken) {
        input.prompt();
        atPrompt = true;
      }
    }
  } finally {
    if (atPrompt) process.stderr.write('\n'); // Ctrl-D at the prompt: what follows starts a line
    input.close();
  }
}

export function registerChatCommand(program: Command, context: ChatCommandContext = {}): void {
  program
    .command('chat')
    .description('chat with the mesh: each message is one streamed turn of the same conversation')
    .argument('[messages...]', 'the turns to send (omit to type them, or pipe them one a line)')
    .option('-c, --conversation <id>', 'continue an existing conversation')
    .option('--request-id <id>', 'idempotency key of the turn (one message): the same id again gets the stored answer, never a second run')
    .option('--retries <n>', 'tries again a turn that failed for a passing reason (service unavailable, conversation busy), with the same request id', (value: string) => nonNegativeInteger(value, '--retries'), DEFAULT_RETRIES)
    .option('--target <host:port>', 'the conversation service (default CONVERSATION_TARGET, else 127.0.0.1:CONVERSATION_PORT)')
    .option('--deadline <seconds>', 'deadline for each turn', (value: string) => positiveNumber(value, '--deadline'), 300)
    .option('--json', 'print every event as one JSON line (for scripts) instead of text')
    .action(async (messages: string[], options: ChatOptions) => {
      if (options.requestId !== undefined && messages.length !== 1) {
        process.stderr.write('--request-id names one turn: give exactly one message as an argument\n');
        process.exitCode = 1;
        return;
      }
      const tracing = initTracing('tracemesh-cli', undefined, { reportsExportItself: true });
      const client = createConversationClient(options.target);
      const conversation = new TracedConversation(client, { conversationId: options.conversation });
      const stdoutClosed = context.stdoutClosed ?? new AbortController().signal;
      const interrupt = new AbortController();
      process.once('SIGINT', () => interrupt.abort());
      // Either cancels the running turn's call.
      const signal = AbortSignal.any([interrupt.signal, stdoutClosed]);
      // Answers are told apart by a blank line on stdout, unless they share a terminal with the
      // prompt, whose `you> …` line already stands between them.
      const promptSeparatesTurns = messages.length === 0 && process.stdin.isTTY === true && process.stdout.isTTY === true;
      let failed = false;
      let turns = 0;
      // The turn being tried: after a failure, how to try it again without running it twice.
      let current: { message: string; requestId: string } | undefined;
      try {
        for await (const message of turnsFrom(messages, () => interrupt.abort())) {
          if (stdoutClosed.aborted) break;
          current = { message, requestId: options.requestId ?? randomUUID() };
          const printer = new ChatPrinter({ blankLineBefore: turns++ > 0 && !promptSeparatesTurns });
          const result = await conversation.turn(message, {
            onEvent: options.json ? (event) => process.stdout.write(`${JSON.stringify(event)}\n`) : printer.onEvent,
            deadlineMs: options.deadline * 1000,
            requestId: current.requestId,
            retries: options.retries,
            onRetry: (error, retry, delayMs) => printer.retrying(`${describeFailure(error).split('\n')[0] ?? ''} — trying again in ${(delayMs / 1000).toFixed(1)} s (${retry} of ${options.retries})`),
            signal,
          });
          if (!options.json) printer.summary(result);
        }
      } catch (error) {
        // A turn cancelled because nobody reads the answer any more is no failure (see main.ts).
        if (!stdoutClosed.aborted) {
          failed = true;
          process.stderr.write(`\n${describeFailure(error)}\n`);
          // The turn may have completed after all (its answer lost on the way): the same key gets
          // that answer, or runs the turn if it never completed — never twice.
          if (current) process.stderr.write(`request id: ${current.requestId} (to try this turn again, run at most once: the same message with --request-id ${current.requestId})\n`);
        }
      } finally {
        conversation.finish();
        client.close();
        const delivered = await tracing.flush(5_000);
        const { rowsDropped, spansDropped, rowsSent } = tracing.exportCounts();
        const failure = tracing.lastExportFailure();
        // A refused login makes the SDK drop its rows without counting them: none sent says it.
        if (turns > 0 && (!delivered || rowsDropped + spansDropped > 0 || (failure !== undefined && rowsSent === 0))) process.stderr.write(`${undeliveredSpansWarning(failure)}\n`);
      }
      // No turn (empty input): no trace worth opening.
      if (turns > 0 && conversation.rootSpanId) process.stderr.write(`trace: tracemesh trace ${conversation.rootSpanId}\n`);
      // After a failed turn the conversation goes on (the failed turn is not in its history): say how.
      if (failed && conversation.exists) process.stderr.write(`conversation: ${conversation.id} (go on with: tracemesh chat --conversation ${conversation.id})\n`);
      process.exitCode = failed ? 1 : 0;
    });
}

/** Why this run's spans may be missing from the trace backend, and what to check. */
function undeliveredSpansWarning(failure: string | undefined): string {
  if (!failure) return 'warning: the trace backend did not take the spans in time';
  const refused = / answered 40[13]\b|Unauthorized|Forbidden/.test(failure) ? ' (check TRACESTORE_TOKEN, or BRAINTRUST_API_KEY)' : '';
  return `warning: the trace backend did not take this run's spans: ${failure}${refused}`;
}
