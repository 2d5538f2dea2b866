// The tool services a conversation offers the model: the built-in worker pool and any others named
// in TOOL_SERVICES (a team's own tools, in any language, behind ToolWorkerService). The model sees
// one list, the union of theirs; each call goes to the service that offered the tool.
import type Anthropic from '@anthropic-ai/sdk';
import type { ExecuteToolResponse__Output } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import type { ToolServiceConfig } from '../../lib/config.js';
import { decodeErrorDetails, grpcError, isGrpcError, notFound } from '../../lib/grpc/errors.js';
import type { ServerCall } from '../../lib/grpc/server-call.js';
import type { JsonObject } from '../../lib/json.js';
import type { Logger } from '../../lib/logging.js';
import { ToolWorkerClient, type ToolWorkerClientOptions } from './toolworker-client.js';

interface ToolService {
  name: string;
  client: ToolWorkerClient;
}

/** The merged list, kept while every service's own list is the same array as when it was merged. */
interface MergedTools {
  from: Anthropic.Tool[][];
  tools: Anthropic.Tool[];
  owners: Map<string, ToolService>;
}

export class ToolServices {
  private readonly services: ToolService[];
  private merged: MergedTools | undefined;
  /** Tool names already reported as offered twice, so the warning is logged once, not every turn. */
  private readonly reportedDuplicates = new Set<string>();

  constructor(
    configs: ToolServiceConfig[],
    options: Omit<ToolWorkerClientOptions, 'target'>,
    private readonly log: Logger,
  ) {
    this.services = configs.map((config) => ({ name: config.name, client: new ToolWorkerClient({ ...options, target: config.target }) }));
  }

  get names(): string[] {
    return this.services.map((service) => service.name);
  }

  /**
   * Every service's tools (each list cached and refreshed by its client). Fails, naming the service,
   * only while some service has never answered — before the conversation service reports SERVING.
   */
  async listTools(parent?: ServerCall): Promise<Anthropic.Tool[]> {
    const lists = await Promise.all(
      this.services.map((service) =>
        service.client.listTools(parent).catch((error: unknown) => {
          throw withServiceName(error, service.name);
        }),
      ),
    );
    if (!this.merged || lists.some((list, index) => list !== this.merged?.from[index])) this.merged = this.merge(lists);
    return this.merged.tools;
  }

  private merge(lists: Anthropic.Tool[][]): MergedTools {
    const tools: Anthropic.Tool[] = [];
    const owners = new Map<string, ToolService>();
    lists.forEach((list, index) => {
      const service = this.services[index]!;
      for (const tool of list) {
        const owner = owners.get(tool.name);
        if (owner) {
          if (!this.reportedDuplicates.has(tool.name)) {
            this.reportedDuplicates.add(tool.name);
            this.log.warn({ tool: tool.name, owner: owner.name, ignored: service.name }, 'two tool services offer the same tool; calls go to the first');
          }
          continue;
        }
        owners.set(tool.name, service);
        tools.push(tool);
      }
    });
    return { from: lists, tools, owners };
  }

  /** The name of the service that offers a tool (as of the last list). */
  serviceOf(toolName: string): string | undefined {
    return this.merged?.owners.get(toolName)?.name;
  }

  /** One tool call on the service that offers the tool; a tool none offers is NOT_FOUND here, without a round trip. */
  execute(
    toolCall: { id: string; name: string; input: JsonObject },
    parent: ServerCall | undefined,
    signal?: AbortSignal,
  ): Promise<ExecuteToolResponse__Output> {
    const service = this.merged?.owners.get(toolCall.name);
    if (!service) {
      const offered = this.merged?.tools.map((tool) => tool.name).join(', ') || 'none yet';
      return Promise.reject(notFound('tool', toolCall.name, `unknown tool "${toolCall.name}" (the tool services offer: ${offered})`));
    }
    return service.client.execute(toolCall, parent, signal);
  }

  close(): void {
    for (const service of this.services) service.client.close();
  }
}

/** The same status, its message saying which tool service failed to answer. */
function withServiceName(error: unknown, service: string): Error {
  if (isGrpcError(error)) return grpcError(error.code, `tool service "${service}": ${error.details || error.message}`, decodeErrorDetails(error));
  return new Error(`tool service "${service}": ${error instanceof Error ? error.message : String(error)}`);
}
