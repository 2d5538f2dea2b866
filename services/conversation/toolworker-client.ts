// The conversation service's view of its tool workers: a grpc-js channel to TOOLWORKER_TARGET
// (one address, a list or a DNS name) with round-robin balancing and retries of UNAVAILABLE, the
// tool list (from ListTools, cached and refreshed off the turns' path), and tool calls that carry
// the handler's call as `parent` so the caller's deadline and cancellation reach the worker.
import type Anthropic from '@anthropic-ai/sdk';
import { Metadata, type ChannelOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { ExecuteToolResponse__Output } from '../../gen/ts/tracemesh/toolworker/v1/ExecuteToolResponse.js';
import type { ListToolsResponse__Output } from '../../gen/ts/tracemesh/toolworker/v1/ListToolsResponse.js';
import type { ToolWorkerServiceClient as GeneratedClient } from '../../gen/ts/tracemesh/toolworker/v1/ToolWorkerService.js';
import { BUILT_IN_TOOL_SERVICE, securityConfig } from '../../lib/config.js';
import { meshClientSetup } from '../../lib/grpc/client-channel.js';
import { TOOLWORKER_SERVICE_NAME, ToolWorkerServiceClient } from '../../lib/grpc/protos.js';
import type { ServerCall } from '../../lib/grpc/server-call.js';
import { fromStruct, toStruct } from '../../lib/grpc/struct.js';
import type { JsonObject } from '../../lib/json.js';
import type { Logger } from '../../lib/logging.js';
import { withoutTracing } from '../../lib/tracing/housekeeping-context.js';

export interface ToolWorkerClientOptions {
  target: string;
  /** The tool service's name, for logs (default: the built-in workers). */
  service?: string;
  /** The bearer token its calls carry: undefined, the mesh's own; null, none (ToolServiceConfig.authToken). */
  authToken?: string | null;
  /** TLS: undefined, as the mesh; true, TLS (the mesh's CA and certificate if set, else the system's roots); false, plaintext. */
  tls?: boolean;
  /** The longest one tool call may take (the caller's deadline may cut it shorter). */
  toolTimeoutMs: number;
  /** How long a fetched tool list is used before it is fetched again. */
  toolListTtlMs: number;
  log: Logger;
}

const serviceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [
    {
      name: [{ service: TOOLWORKER_SERVICE_NAME }],
      // Tool calls are retried only while no worker has answered (UNAVAILABLE); the ~3 s of backoff
      // rides out a worker restart or a pod being replaced. A worker's own error answer carries a
      // negative retry pushback (toolworker-service.ts), so it is never tried again.
      retryPolicy: {
        maxAttempts: 5,
        initialBackoff: '0.2s',
        maxBackoff: '2s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    },
  ],
};

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify(serviceConfig),
  'grpc.enable_retries': 1,
  // A restarted or replaced worker is picked up within a second or two, not after a long backoff.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
};

export class ToolWorkerClient {
  private readonly client: GeneratedClient;
  private cached: { tools: Anthropic.Tool[]; fetchedAt: number } | undefined;
  private refreshing: Promise<unknown> | undefined;
  private failedRefreshes = 0;

  constructor(private readonly options: ToolWorkerClientOptions) {
    // Every call to a worker runs inside a worker_execute_tool (or server_process_turn) span.
    const security = securityConfig();
    const authToken = options.authToken === undefined ? security.authToken : (options.authToken ?? undefined);
    const tls = options.tls === undefined ? security.tls : options.tls ? (security.tls ?? { certFile: undefined, keyFile: undefined, caFile: undefined }) : undefined;
    const setup = meshClientSetup(options.target, CHANNEL_OPTIONS, { ...security, authToken, tls }, 'with-collector');
    this.client = new ToolWorkerServiceClient(options.target, setup.credentials, setup.options);
  }

  private deadline(): Date {
    return new Date(Date.now() + this.options.toolTimeoutMs);
  }

  /**
   * The tools to offer the model. Once a list is known, a turn never waits for ListTools: an
   * expired list is served while one refresh (at a time, whatever the number of turns) fetches the
   * next, and kept while the workers cannot be reached. Only before the first list (startup, when
   * the service is not SERVING yet) does a call wait, under its own parent call's deadline.
   */
  async listTools(parent?: ServerCall): Promise<Anthropic.Tool[]> {
    if (!this.cached) return this.fetchTools(parent);
    this.refreshIfExpired(this.cached);
    return this.cached.tools;
  }

  /** The known list without waiting (a refresh starts in the background); undefined until the service first answers. */
  knownTools(): Anthropic.Tool[] | undefined {
    if (!this.cached) {
      this.refreshInBackground();
      return undefined;
    }
    this.refreshIfExpired(this.cached);
    return this.cached.tools;
  }

  private refreshIfExpired(cached: { fetchedAt: number }): void {
    if (Date.now() - cached.fetchedAt >= this.options.toolListTtlMs) this.refreshInBackground();
  }

  private refreshInBackground(): void {
    if (this.refreshing) return;
    // Outside the turn that happened to notice the expiry: not its work, and nobody's trace.
    this.refreshing = withoutTracing(() => this.fetchTools(undefined))
      .then(() => {
        this.failedRefreshes = 0;
      })
      .catch((error: unknown) => {
        // The first failure, then one in 30: a service that stays down is not a log line every few seconds.
        if (this.failedRefreshes++ % 30 !== 0) return;
        this.options.log.warn(
          { err: error, toolService: this.options.service ?? BUILT_IN_TOOL_SERVICE, failedRefreshes: this.failedRefreshes },
          this.cached ? 'ListTools failed; using the last known tool list' : 'ListTools failed; this service offers no tools until it answers',
        );
      })
      .finally(() => {
        this.refreshing = undefined;
      });
  }

  private async fetchTools(parent: ServerCall | undefined): Promise<Anthropic.Tool[]> {
    const response = await new Promise<ListToolsResponse__Output>((resolve, reject) => {
      this.client.ListTools({}, new Metadata(), { deadline: this.deadline(), ...(parent ? { parent } : {}) }, (error, value) =>
        error || !value ? reject(error ?? new Error('empty ListTools response')) : resolve(value),
      );
    });
    const tools = response.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: fromStruct(tool.inputSchema) as Anthropic.Tool.InputSchema,
    }));
    this.cached = { tools, fetchedAt: Date.now() };
    return tools;
  }

  /** One tool call; `signal` cancels it (the worker sees CANCELLED, the caller an error with that code). */
  execute(
    toolCall: { id: string; name: string; input: JsonObject },
    parent: ServerCall | undefined,
    signal?: AbortSignal,
  ): Promise<ExecuteToolResponse__Output> {
    return new Promise((resolve, reject) => {
      let call: ClientUnaryCall | undefined;
      const cancel = (): void => call?.cancel();
      call = this.client.ExecuteTool(
        { toolName: toolCall.name, toolCallId: toolCall.id, arguments: toStruct(toolCall.input) },
        new Metadata(),
        { deadline: this.deadline(), ...(parent ? { parent } : {}) },
        (error: ServiceError | null, value?: ExecuteToolResponse__Output) => {
          signal?.removeEventListener('abort', cancel);
          if (error || !value) reject(error ?? new Error('empty ExecuteTool response'));
          else resolve(value);
        },
      );
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Resolves once the channel is connected (or rejects at the deadline). */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(new Date(Date.now() + timeoutMs), (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): void {
    this.client.close();
  }
}
