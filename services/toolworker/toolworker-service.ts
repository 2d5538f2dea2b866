// ToolWorkerService: lists the registry's tools and executes one tool call per ExecuteTool. Each
// call is a Braintrust span named after the tool (type "tool") with its input, output and the
// tool's online scores, nested under the caller's worker_execute_tool span.
import { status as grpcStatus } from '@grpc/grpc-js';
import type { ExecuteToolRequest__Output } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolRequest.js';
import type { ExecuteToolResponse } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import type { ToolWorkerServiceHandlers } from '../../gen/ts/tracemesh/toolworker/v1/ToolWorkerService.js';
import { toolConcurrencyLimits } from '../../lib/config.js';
import { grpcError, invalidArgument, isGrpcError, notFound, type GrpcError } from '../../lib/grpc/errors.js';
import { callSignal } from '../../lib/grpc/server-call.js';
import { statusName } from '../../lib/grpc/status-codes.js';
import { fromStruct, toStruct } from '../../lib/grpc/struct.js';
import type { Logger } from '../../lib/logging.js';
import { LoggedFailure, traced } from '../../lib/tracing/spans.js';
import { endWithError, startExecuteToolSpan } from './execute-tool-span.js';
import { ToolConcurrency } from './tool-concurrency.js';
import { ToolArgumentError, type ToolOutcome } from './tool.js';
import type { ToolRegistry } from './tool-registry.js';

const MAX_TOOL_NAME_LENGTH = 128;
/** gRPC's retry pushback (A6): a negative value means "do not retry this call". */
const NO_RETRY_PUSHBACK = { key: 'grpc-retry-pushback-ms', value: '-1' } as const;

function toGrpcError(toolName: string, error: unknown): GrpcError {
  if (isGrpcError(error)) return error;
  if (error instanceof ToolArgumentError) {
    return invalidArgument([{ field: error.field, description: error.description }], `${toolName}: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return grpcError(grpcStatus.INTERNAL, `${toolName} failed: ${message}`, {
    errorInfo: { reason: 'TOOL_FAILED', domain: 'toolworker.tracemesh', metadata: { tool: toolName } },
  });
}

export function createToolWorkerHandlers(
  registry: ToolRegistry,
  log: Logger,
  concurrency: ToolConcurrency = new ToolConcurrency(toolConcurrencyLimits()),
): ToolWorkerServiceHandlers {
  async function execute(request: ExecuteToolRequest__Output, signal: AbortSignal): Promise<ExecuteToolResponse> {
    const toolName = request.toolName.trim();
    if (toolName.length === 0) throw invalidArgument([{ field: 'tool_name', description: 'is required' }]);
    if (toolName.length > MAX_TOOL_NAME_LENGTH) {
      throw invalidArgument([{ field: 'tool_name', description: `is longer than ${MAX_TOOL_NAME_LENGTH} characters` }]);
    }
    const tool = registry.get(toolName);
    if (!tool) {
      const known = registry.list().map((t) => t.name).join(', ');
      throw notFound('tool', toolName, `unknown tool "${toolName}" (this worker has: ${known})`);
    }
    const args = fromStruct(request.arguments);
    // traced() leaves a thrown status on the span as "INVALID_ARGUMENT: …", without a Node stack.
    return traced(
      { name: tool.name, type: 'tool', event: { input: args, metadata: { tool_call_id: request.toolCallId } } },
      async (span): Promise<ExecuteToolResponse> => {
        const started = performance.now();
        const violations = registry.validate(tool.name, args);
        if (violations.length > 0) {
          throw invalidArgument(violations, `${tool.name}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`);
        }
        const genAiSpan = startExecuteToolSpan(tool.name, tool.description, request.toolCallId);
        let outcome: ToolOutcome;
        try {
          outcome = await concurrency.run(tool.name, signal, async () => tool.execute(args, { signal, log }));
          genAiSpan?.end();
        } catch (error) {
          const failed = toGrpcError(tool.name, error);
          endWithError(genAiSpan, failed);
          // Logged here, every status as "CODE: …": a tool's own bug (INTERNAL) keeps the tool's
          // stack, not that of the status made from it — that is where to look.
          const text = failed.code === grpcStatus.INTERNAL && error instanceof Error ? `${failed.details}\n\n${error.stack ?? ''}` : failed.details;
          span.log({ error: `${statusName(failed.code)}: ${text}`, metadata: { error_code: statusName(failed.code) } });
          throw new LoggedFailure(failed);
        }
        const durationMs = performance.now() - started;
        span.log({
          output: outcome.output,
          scores: outcome.scores,
          metadata: { ...outcome.metadata, tool_call_id: request.toolCallId },
          metrics: { duration_ms: durationMs },
        });
        return {
          toolName: tool.name,
          toolCallId: request.toolCallId,
          result: toStruct(outcome.output),
          scores: outcome.scores ?? {},
          durationMs,
        };
      },
    );
  }

  return {
    ListTools(_call, callback) {
      callback(null, {
        tools: registry.list().map((tool) => ({
          name: tool.name,
          description: tool.description,
          inputSchema: toStruct(tool.inputSchema),
        })),
      });
    },
    ExecuteTool(call, callback) {
      const { signal, release } = callSignal(call);
      execute(call.request, signal).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const grpc = toGrpcError(call.request.toolName, error);
          log.warn({ tool: call.request.toolName, code: grpc.code, message: grpc.message }, 'tool call failed');
          // This worker answered: its UNAVAILABLE (a dependency down, e.g. Chroma) is the tool's
          // outcome, not a worker to route around. A negative retry pushback tells the caller's
          // retry policy, which retries UNAVAILABLE to ride out a worker restart, not to try again
          // (it made a hung Chroma cost a turn five searches' timeouts).
          grpc.metadata.set(NO_RETRY_PUSHBACK.key, NO_RETRY_PUSHBACK.value);
          callback(grpc);
        },
      ).finally(release);
    },
  };
}
