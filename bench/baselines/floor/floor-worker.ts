// The floor's worker process: a bare grpc-js ToolWorkerService that answers each ExecuteTool with
// the result the mesh's worker gave for that tool call (FLOOR_SCRIPT) — no registry, no schema
// validation, no tool, no span. Run by the harness: node --import tsx bench/baselines/floor/floor-worker.ts
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ToolWorkerServiceHandlers } from '../../../gen/ts/tracemesh/toolworker/v1/ToolWorkerService.js';
import { toolWorkerServiceDefinition } from '../../../lib/grpc/protos.js';
import { announceReady } from '../../../lib/process/ready.js';
import { loadRecordedTurn } from './recorded-turn.js';

const script = loadRecordedTurn(process.env.FLOOR_SCRIPT ?? '');
const results = new Map(script.toolCalls.map((call) => [call.toolCallId, call]));

const handlers: ToolWorkerServiceHandlers = {
  ListTools(_call, callback) {
    callback(null, { tools: [] });
  },
  ExecuteTool(call, callback) {
    const recorded = results.get(call.request.toolCallId);
    if (!recorded) {
      callback({ code: status.NOT_FOUND, details: `no recorded tool call ${call.request.toolCallId}` });
      return;
    }
    callback(null, { toolName: recorded.toolName, toolCallId: recorded.toolCallId, result: recorded.result ?? { fields: {} }, durationMs: 0 });
  },
};

const server = new Server({ 'grpc.max_concurrent_streams': 1000 });
server.addService(toolWorkerServiceDefinition, handlers);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announceReady({ service: 'floor-worker', address: `127.0.0.1:${port}`, port });
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
