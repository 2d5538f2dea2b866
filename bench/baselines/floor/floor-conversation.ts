// The floor's conversation process: a bare grpc-js ConversationService.StreamChat that replays a
// recorded turn (FLOOR_SCRIPT) — it streams the recorded events in order and, where the mesh ran a
// round of tool calls, sends the same ExecuteTool calls to FLOOR_WORKER_TARGET in parallel and
// waits for all of them before streaming on. The hops, fan-out and messages of a mesh turn; no
// model, no tools, no store, no tracing. Run by the harness (see ../../harness/stacks.ts).
import { credentials, Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import type { ConversationServiceHandlers } from '../../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { StreamChatRequest__Output } from '../../../gen/ts/tracemesh/conversation/v1/StreamChatRequest.js';
import type { StreamChatResponse } from '../../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { ExecuteToolResponse__Output } from '../../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import { conversationServiceDefinition, ToolWorkerServiceClient } from '../../../lib/grpc/protos.js';
import { announceReady } from '../../../lib/process/ready.js';
import { loadRecordedTurn, type RecordedToolCall } from './recorded-turn.js';

const script = loadRecordedTurn(process.env.FLOOR_SCRIPT ?? '');
const worker = new ToolWorkerServiceClient(process.env.FLOOR_WORKER_TARGET ?? '', credentials.createInsecure());
const callsById = new Map(script.toolCalls.map((call) => [call.toolCallId, call]));

function executeTool(call: RecordedToolCall): Promise<ExecuteToolResponse__Output> {
  return new Promise((resolve, reject) => {
    worker.ExecuteTool(
      { toolName: call.toolName, toolCallId: call.toolCallId, arguments: call.arguments ?? { fields: {} } },
      { deadline: new Date(Date.now() + 30_000) },
      (error, response) => (error || !response ? reject(error ?? new Error('empty response')) : resolve(response)),
    );
  });
}

async function replay(call: ServerWritableStream<StreamChatRequest__Output, StreamChatResponse>): Promise<void> {
  const round: RecordedToolCall[] = [];
  let firstDeltaSent = false;
  for (const event of script.events) {
    const started = event.toolCallStarted ? callsById.get(event.toolCallStarted.toolCallId) : undefined;
    if (started) round.push(started);
    else if (round.length > 0) {
      // The round of tool calls is complete: fan it out, as the agent loop does.
      await Promise.all(round.map(executeTool));
      round.length = 0;
    }
    if (call.cancelled) return;
    call.write(event as StreamChatResponse);
    if (event.textDelta && !firstDeltaSent) {
      // The first token leaves on its own, as a model's first token does (not queued behind the
      // rest of the recording): the time-to-first-token scenario times this hop.
      firstDeltaSent = true;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const handlers: Pick<ConversationServiceHandlers, 'StreamChat'> = {
  StreamChat(call) {
    replay(call).then(
      () => call.end(),
      (error: unknown) => call.emit('error', { code: 13, details: String(error) }),
    );
  },
};

const server = new Server({ 'grpc.max_concurrent_streams': 1000 });
server.addService(conversationServiceDefinition, handlers);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announceReady({ service: 'floor-conversation', address: `127.0.0.1:${port}`, port });
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
