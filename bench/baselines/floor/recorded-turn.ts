// A turn as the mesh streamed it, recorded once per run so the floor can replay it: the same
// events, the same tool calls with the same arguments and results, hence the same messages on the
// same hops — with none of the work (no model, no tools, no store, no tracing) behind them.
import { readFileSync, writeFileSync } from 'node:fs';
import { streamTurn, type ChatEvent, type ConversationServiceClient } from '../../../clients/node/conversation-client.js';
import type { Struct__Output } from '../../../gen/ts/google/protobuf/Struct.js';

export interface RecordedToolCall {
  toolName: string;
  toolCallId: string;
  arguments: Struct__Output | null;
  result: Struct__Output | null;
}

export interface RecordedTurn {
  message: string;
  events: ChatEvent[];
  toolCalls: RecordedToolCall[];
}

export async function recordTurn(client: ConversationServiceClient, message: string): Promise<RecordedTurn> {
  const events: ChatEvent[] = [];
  await streamTurn(client, message, { onEvent: (event) => events.push(event) });
  const toolCalls = events.flatMap((event): RecordedToolCall[] => {
    const call = event.toolCallFinished?.toolCall;
    return call ? [{ toolName: call.toolName, toolCallId: call.toolCallId, arguments: call.arguments, result: call.result }] : [];
  });
  return { message, events, toolCalls };
}

export function saveRecordedTurn(path: string, turn: RecordedTurn): void {
  writeFileSync(path, JSON.stringify(turn));
}

export function loadRecordedTurn(path: string): RecordedTurn {
  return JSON.parse(readFileSync(path, 'utf8')) as RecordedTurn;
}
