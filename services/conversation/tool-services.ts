// The tool services a conversation offers the model: the built-in worker pool and any others named
// in TOOL_SERVICES (a team's own tools, in any language, behind ToolWorkerService). The model sees
// one list, the union of theirs; each call goes to the service that offered the tool. Only the
// built-in workers are needed to serve: another service's tools are offered once it has answered,
// so one team's service being down never takes the conversation service out. The list is sent
// first in every model request, so it stays the same bytes while the tools stay the same: a
// schema arrives as a protobuf Struct, a map whose key order the sender does not promise (Go's
// runtime shuffles it), and a refreshed list that only reorders keys or tools would otherwise
// change every prompt and cost the model API's prompt cache everything it holds.
import type Anthropic from '@anthropic-ai/sdk';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { ExecuteToolResponse__Output } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import type { ToolServiceConfig } from '../../lib/config.js';
import { decodeErrorDetails, grpcError, isGrpcError, notFound } from '../../lib/grpc/errors.js';
import type { ServerCall } from '../../lib/grpc/server-call.js';
import { canonicalJson, type JsonObject } from '../../lib/json.js';
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
  /** Problems already logged (a tool offered twice, an invalid definition): once each, not every turn. */
  private readonly reported = new Set<string>();
  /** Each service's list as last offered, with each tool's canonical form (keys sorted). */
  private readonly offered = new Map<string, { canonical: string[]; tools: Anthropic.Tool[] }>();

  constructor(
    configs: ToolServiceConfig[],
    options: Omit<ToolWorkerClientOptions, 'target'>,
    private readonly log: Logger,
  ) {
    this.services = configs.map((config) => ({
      name: config.name,
      client: new ToolWorkerClient({
        ...options,
        target: config.target,
        service: config.name,
        ...(config.authToken === undefined ? {} : { authToken: config.authToken }),
        ...(config.tls === undefined ? {} : { tls: config.tls }),
      }),
    }));
  }

  /**
   * Every service's tools (each list cached and refreshed by its client). Waits, and fails naming
   * the service, only while the built-in workers have never answered — before the conversation
   * service reports SERVING. The others are read without waiting: until one answers, it offers nothing.
   */
  async listTools(parent?: ServerCall): Promise<Anthropic.Tool[]> {
    const [builtIn, ...others] = this.services;
    const lists = [
      await builtIn!.client.listTools(parent).catch((error: unknown) => {
        throw withServiceName(error, builtIn!.name);
      }),
      ...others.map((service) => service.client.knownTools() ?? NO_TOOLS),
    ];
    if (!this.merged || lists.some((list, index) => list !== this.merged?.from[index])) this.merged = this.merge(lists);
    return this.merged.tools;
  }

  /** The services that have not answered ListTools yet. */
  unanswered(): string[] {
    return this.services.filter((service) => service.client.knownTools() === undefined).map((service) => service.name);
  }

  /**
   * The service's list as it offered it before when only key or tool order changed; otherwise its
   * new list, each tool it offered before (whatever its keys' order now) as it was offered then.
   */
  private steady(service: ToolService, list: Anthropic.Tool[]): Anthropic.Tool[] {
    const canonical = list.map(canonicalJson);
    const previous = this.offered.get(service.name);
    if (previous && sameMembers(previous.canonical, canonical)) return previous.tools;
    const before = new Map(previous?.canonical.map((form, i) => [form, previous.tools[i]!]));
    const tools = list.map((tool, i) => before.get(canonical[i]!) ?? tool);
    this.offered.set(service.name, { canonical, tools });
    return tools;
  }

  private merge(lists: Anthropic.Tool[][]): MergedTools {
    const tools: Anthropic.Tool[] = [];
    const owners = new Map<string, ToolService>();
    lists.forEach((list, index) => {
      const service = this.services[index]!;
      for (const tool of this.steady(service, list)) {
        const problem = toolDefinitionProblem(tool);
        if (problem) {
          this.reportOnce(`invalid:${service.name}:${tool.name}`, () =>
            this.log.warn({ tool: tool.name, toolService: service.name, problem }, 'a tool service offers a tool the model API would refuse; it is not offered'),
          );
          continue;
        }
        const owner = owners.get(tool.name);
        if (owner) {
          this.reportOnce(`duplicate:${tool.name}`, () =>
            this.log.warn({ tool: tool.name, owner: owner.name, ignored: service.name }, 'two tool services offer the same tool; calls go to the first'),
          );
          continue;
        }
        owners.set(tool.name, service);
        tools.push(tool);
      }
    });
    return { from: lists, tools, owners };
  }

  private reportOnce(key: string, report: () => void): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    report();
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
    return service.client.execute(toolCall, parent, signal).catch((error: unknown) => {
      // UNAVAILABLE names the service: grpc-js's own ("No connection established") names none.
      throw isGrpcError(error) && error.code === grpcStatus.UNAVAILABLE ? withServiceName(error, service.name) : error;
    });
  }

  close(): void {
    for (const service of this.services) service.client.close();
  }
}

const NO_TOOLS: Anthropic.Tool[] = [];

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((form, i) => form === sortedB[i]);
}

/** Anthropic's rule for tool names; a definition it refuses would fail every turn, not just this tool. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function toolDefinitionProblem(tool: Anthropic.Tool): string | undefined {
  if (!TOOL_NAME.test(tool.name)) return 'its name must be 1–64 letters, digits, _ or -';
  if (tool.input_schema?.type !== 'object') return 'its input_schema must be a JSON Schema of type "object"';
  return undefined;
}

/** The same status, its message saying which tool service failed to answer. */
function withServiceName(error: unknown, service: string): Error {
  if (isGrpcError(error)) return grpcError(error.code, `tool service "${service}": ${error.details || error.message}`, decodeErrorDetails(error));
  return new Error(`tool service "${service}": ${error instanceof Error ? error.message : String(error)}`);
}
