// `tracemesh conversations list|show|delete`: the conversations the conversation service stores — its
// own record of them (ListConversations, ListTurns, DeleteConversation), not their traces (`query`
// and `trace` read those).
// Conversations hold patient data: `delete` is how one is removed for good.
import type { Command } from 'commander';
import type { Timestamp__Output } from '../../../../gen/ts/google/protobuf/Timestamp.js';
import type { ConversationSummary__Output } from '../../../../gen/ts/tracemesh/conversation/v1/ConversationSummary.js';
import { renderTable } from '../../analytics/text-table.js';
import type { Turn__Output } from '../../../../gen/ts/tracemesh/conversation/v1/Turn.js';
import type { ToolCall__Output } from '../../../../gen/ts/tracemesh/conversation/v1/ToolCall.js';
import { fromStruct } from '../../../../lib/grpc/struct.js';
import { createConversationClient, deleteConversation, listConversations, listTurns } from '../../conversation-client.js';
import { describeFailure } from '../grpc-failure.js';
import { positiveInteger } from '../number-arguments.js';

/** The most `list` prints without --all: one page of the service's largest. */
const DEFAULT_LIMIT = 50;

function when(time: Timestamp__Output | null): string {
  return time ? new Date(Number(time.seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ') : '-';
}

/** A Timestamp as protobuf's JSON form has it (RFC 3339), not as {seconds: "…", nanos: …}. */
function rfc3339(time: Timestamp__Output | null): string | null {
  return time ? new Date(Number(time.seconds) * 1000 + Math.floor(time.nanos / 1_000_000)).toISOString() : null;
}

/** A summary for --json: its times in RFC 3339. */
function summaryJson(summary: ConversationSummary__Output): object {
  return { ...summary, createTime: rfc3339(summary.createTime), updateTime: rfc3339(summary.updateTime) };
}

/**
 * A turn for --json, as grpcurl and the Python client show it: tool arguments and results as JSON
 * objects (the Node client hands out Structs, {"fields": {"weight": {"numberValue": 180…}}}) and
 * the start time in RFC 3339. A failed call has no result.
 */
function turnJson(turn: Turn__Output): object {
  const toolCall = ({ toolCallId, toolName, arguments: args, result, ...call }: ToolCall__Output): object => ({
    toolCallId,
    toolName,
    arguments: fromStruct(args),
    ...(result ? { result: fromStruct(result) } : {}),
    ...call,
  });
  return {
    userMessage: turn.userMessage,
    startTime: rfc3339(turn.startTime),
    result: turn.result ? { ...turn.result, toolCalls: turn.result.toolCalls.map(toolCall) } : null,
  };
}

export function registerConversationsCommand(program: Command): void {
  const conversations = program.command('conversations').description('list, show or delete the conversations the conversation service stores');
  conversations
    .command('list')
    .description('stored conversations, most recently updated first')
    .option('--limit <n>', `how many to print (default ${DEFAULT_LIMIT})`, (value: string) => positiveInteger(value, '--limit'), DEFAULT_LIMIT)
    .option('--all', 'print every one (pages through them all)')
    .option('--json', 'print them as JSON lines')
    .option('--target <host:port>', 'the conversation service (default CONVERSATION_TARGET, else 127.0.0.1:CONVERSATION_PORT)')
    .action(async (options: { limit: number; all?: boolean; json?: boolean; target?: string }) => {
      const client = createConversationClient(options.target);
      const found: ConversationSummary__Output[] = [];
      try {
        let pageToken = '';
        do {
          const wanted = options.all ? 500 : Math.min(500, options.limit - found.length);
          const page = await listConversations(client, { pageSize: wanted, pageToken });
          found.push(...page.conversations);
          pageToken = page.nextPageToken;
        } while (pageToken !== '' && (options.all || found.length < options.limit));
      } catch (error) {
        process.stderr.write(`tracemesh conversations list: ${describeFailure(error)}\n`);
        process.exitCode = 1;
        return;
      } finally {
        client.close();
      }
      const shown = options.all ? found : found.slice(0, options.limit);
      if (options.json) {
        for (const summary of shown) process.stdout.write(`${JSON.stringify(summaryJson(summary))}\n`);
        return;
      }
      if (shown.length === 0) {
        process.stdout.write('(no conversations)\n');
        return;
      }
      process.stdout.write(
        `${renderTable(shown, [
          { header: 'updated (UTC)', cell: (row) => when(row.updateTime) },
          { header: 'conversation', cell: (row) => row.conversationId },
          { header: 'turns', cell: (row) => String(row.turnCount), align: 'right' },
          { header: 'first message', cell: (row) => row.firstUserMessage, maxWidth: 70 },
        ])}\n`,
      );
    });
  conversations
    .command('show')
    .description("one conversation's turns, oldest first: each message, answer, tool calls and trace (pages through them all)")
    .argument('<conversation_id>', 'the conversation')
    .option('--json', 'print each turn as a JSON line')
    .option('--target <host:port>', 'the conversation service (default CONVERSATION_TARGET, else 127.0.0.1:CONVERSATION_PORT)')
    .action(async (conversationId: string, options: { json?: boolean; target?: string }) => {
      const client = createConversationClient(options.target);
      let shown = 0;
      try {
        let pageToken = '';
        do {
          // Printed page by page: a long conversation starts showing at once and is never held whole.
          const page = await listTurns(client, conversationId, { pageToken });
          for (const turn of page.turns) process.stdout.write(options.json ? `${JSON.stringify(turnJson(turn))}\n` : describeTurn(turn, shown++ > 0));
          pageToken = page.nextPageToken;
        } while (pageToken !== '');
      } catch (error) {
        process.stderr.write(`tracemesh conversations show ${conversationId}: ${describeFailure(error)}\n`);
        process.exitCode = 1;
        return;
      } finally {
        client.close();
      }
      if (shown === 0 && !options.json) process.stdout.write('(no turns yet)\n');
    });
  conversations
    .command('delete')
    .description('delete conversations and all their turns, for good (refused while a turn of one runs)')
    .argument('<conversation_id...>', 'the conversations to delete')
    .option('--target <host:port>', 'the conversation service (default CONVERSATION_TARGET, else 127.0.0.1:CONVERSATION_PORT)')
    .action(async (ids: string[], options: { target?: string }) => {
      const client = createConversationClient(options.target);
      try {
        for (const id of ids) {
          try {
            await deleteConversation(client, id);
            process.stdout.write(`deleted ${id}\n`);
          } catch (error) {
            process.stderr.write(`tracemesh conversations delete ${id}: ${describeFailure(error)}\n`);
            process.exitCode = 1;
          }
        }
      } finally {
        client.close();
      }
    });
}

/** A turn as text: a header line (index, time, stop reason, tool calls, trace), the message, the answer. */
function describeTurn(turn: Turn__Output, blankLineBefore: boolean): string {
  const result = turn.result;
  const calls = result?.toolCalls ?? [];
  const tools = calls.length === 0 ? 'no tools' : calls.map((call) => (call.isError ? `${call.toolName} ✗ ${call.errorCode}` : call.toolName)).join(', ');
  const header = [
    `turn ${result?.turnIndex ?? '?'}`,
    when(turn.startTime),
    (result?.stopReason ?? '').replace('STOP_REASON_', '').toLowerCase(),
    tools,
    `trace ${result?.trace?.rootSpanId || '(not recorded)'}`,
  ].join(' · ');
  return `${blankLineBefore ? '\n' : ''}── ${header}\nyou> ${turn.userMessage}\n\n${result?.text ?? ''}\n`;
}
