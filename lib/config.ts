// Configuration from the environment, in one place. Every process reads what it needs from here,
// so `tracemesh up`, the tests and a Kubernetes ConfigMap all speak the same variable names.
import { resolve } from 'node:path';

export const DEFAULT_PORTS = {
  conversation: 50051,
  toolworker: 50052,
  tracestore: 8790,
  chroma: 8000,
} as const;

/** A setting with a bad value: services print its message (which names the setting) and exit. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function intEnv(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function positiveIntEnv(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** A yes/no setting. Any other word is refused rather than read as "no": TRACEMESH_REDACT_PHI=enabled must not leave patient data unredacted. */
function booleanEnv(name: string, fallback: boolean): boolean {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new ConfigError(`${name} must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}, got "${raw}"`);
}

/** A TCP port (0: any free port). */
function portEnv(name: string, fallback: number): number {
  const port = intEnv(name, fallback);
  if (port > 65_535) throw new ConfigError(`${name} must be a port number (0–65535), got "${env(name)}"`);
  return port;
}

/** A positive integer setting, or undefined when it is not set (its default then lives with its user). */
function optionalPositiveIntEnv(name: string): number | undefined {
  return env(name) === undefined ? undefined : positiveIntEnv(name, 1);
}

/** The longest one query to the conversation database (PostgreSQL) may take, on the client's side. */
export function databaseQueryTimeoutMs(): number {
  return positiveIntEnv('TRACEMESH_DB_TIMEOUT_MS', 15_000);
}

/**
 * Servers recycle each connection after `maxAgeMs` (± 10 %) so clients find new replicas; calls
 * in flight then get `graceMs` to finish — unlimited unless TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS is set.
 */
export function connectionAgeConfig(): { maxAgeMs: number; graceMs: number | undefined } {
  return {
    maxAgeMs: positiveIntEnv('TRACEMESH_MAX_CONNECTION_AGE_MS', 5 * 60_000),
    graceMs: optionalPositiveIntEnv('TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS'),
  };
}

/** The trace store's BTQL reader threads and the longest a query may run (answered 504 past it), where set. */
export function tracestoreQueryConfig(): { threads?: number; timeoutMs?: number } {
  const threads = optionalPositiveIntEnv('TRACESTORE_QUERY_THREADS');
  const timeoutMs = optionalPositiveIntEnv('TRACESTORE_QUERY_TIMEOUT_MS');
  return { ...(threads === undefined ? {} : { threads }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

/** The most turns one conversation replica runs at once, where set (more are refused RESOURCE_EXHAUSTED). */
export function maxRunningTurns(): number | undefined {
  return optionalPositiveIntEnv('TRACEMESH_MAX_RUNNING_TURNS');
}

/** Per tool on one worker: calls run at once, and calls that may wait for a slot (0: refuse at once). */
export function toolConcurrencyLimits(): { perTool: number; queuePerTool: number } {
  return {
    perTool: positiveIntEnv('TOOLWORKER_MAX_CONCURRENT_PER_TOOL', 64),
    queuePerTool: intEnv('TOOLWORKER_QUEUE_PER_TOOL', 256),
  };
}

/** Days the trace store keeps project logs, where set (unset: for ever). */
export function tracestoreRetentionDays(): number | undefined {
  return optionalPositiveIntEnv('TRACESTORE_RETENTION_DAYS');
}

export function host(): string {
  return env('TRACEMESH_HOST') ?? '127.0.0.1';
}

export function dataDir(): string {
  return resolve(env('TRACEMESH_DATA_DIR') ?? '.tracemesh');
}

export function conversationPort(): number {
  return portEnv('CONVERSATION_PORT', DEFAULT_PORTS.conversation);
}

export function toolworkerPort(): number {
  return portEnv('TOOLWORKER_PORT', DEFAULT_PORTS.toolworker);
}

export function tracestorePort(): number {
  return portEnv('TRACESTORE_PORT', DEFAULT_PORTS.tracestore);
}

/** The port of the Chroma server `tracemesh up` starts (when CHROMA_URL does not name one). */
export function chromaPort(): number {
  return portEnv('CHROMA_PORT', DEFAULT_PORTS.chroma);
}

/** Where the tool worker reaches Chroma: an existing server, or the one the mesh launcher started. */
export function chromaUrl(): string {
  return env('CHROMA_URL') ?? `http://127.0.0.1:${chromaPort()}`;
}

export interface EmbeddingConfig {
  /** "openai": @chroma-core/openai (needs OPENAI_API_KEY); "local": the deterministic clinical TF-IDF embedding. */
  provider: 'local' | 'openai';
  openaiModel: string;
}

/** TRACEMESH_EMBEDDINGS picks the provider; unset, OPENAI_API_KEY selects OpenAI and its absence the local one. */
export function embeddingConfig(): EmbeddingConfig {
  const requested = env('TRACEMESH_EMBEDDINGS');
  if (requested !== undefined && requested !== 'local' && requested !== 'openai') {
    throw new ConfigError(`TRACEMESH_EMBEDDINGS must be "local" or "openai", got "${requested}"`);
  }
  const provider = requested ?? (env('OPENAI_API_KEY') ? 'openai' : 'local');
  if (provider === 'openai' && !env('OPENAI_API_KEY')) throw new ConfigError('TRACEMESH_EMBEDDINGS=openai needs OPENAI_API_KEY');
  return { provider, openaiModel: env('TRACEMESH_OPENAI_EMBEDDING_MODEL') ?? 'text-embedding-3-small' };
}

/** How long one knowledge-base search may take (embedding + Chroma query) before it fails. */
export function knowledgeQueryTimeoutMs(): number {
  return intEnv('TRACEMESH_KNOWLEDGE_TIMEOUT_MS', 5_000);
}

/** Where clients reach the conversation service: CONVERSATION_TARGET, else this machine on CONVERSATION_PORT (as `tracemesh up` used it). */
export function conversationTarget(): string {
  return env('CONVERSATION_TARGET') ?? `127.0.0.1:${conversationPort() || DEFAULT_PORTS.conversation}`;
}

/** Where the conversation service reaches its tool workers (a grpc-js target): TOOLWORKER_TARGET, else this machine on TOOLWORKER_PORT. */
export function toolworkerTarget(): string {
  return env('TOOLWORKER_TARGET') ?? `127.0.0.1:${toolworkerPort() || DEFAULT_PORTS.toolworker}`;
}

export interface ToolServiceConfig {
  /** How logs, spans and tool-call results name the service. */
  name: string;
  /** A grpc-js target serving tracemesh.toolworker.v1.ToolWorkerService. */
  target: string;
  /**
   * The bearer token its calls carry. The built-in workers get the mesh's own (undefined: as
   * securityConfig says); another team's service gets only TOOL_SERVICE_<NAME>_TOKEN, never the
   * mesh's token, which would let it call the mesh.
   */
  authToken?: string | null;
  /** TLS to it: undefined, as the mesh (TRACEMESH_TLS_*); TOOL_SERVICE_<NAME>_TLS says otherwise (on: the mesh's CA, else the system's roots). */
  tls?: boolean;
}

/** The name of the built-in clinical worker pool among the tool services. */
export const BUILT_IN_TOOL_SERVICE = 'toolworker';
const TOOL_SERVICE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Every tool service the conversation service offers the model tools from: the built-in worker pool
 * (TOOLWORKER_TARGET) first, then each `name=target` of TOOL_SERVICES (separated by spaces, since a
 * grpc-js target may itself hold commas). A tool offered by two services belongs to the first.
 */
export function toolServices(): ToolServiceConfig[] {
  const services: ToolServiceConfig[] = [{ name: BUILT_IN_TOOL_SERVICE, target: toolworkerTarget() }];
  for (const entry of (env('TOOL_SERVICES') ?? '').split(/\s+/).filter(Boolean)) {
    const separator = entry.indexOf('=');
    const name = separator < 0 ? '' : entry.slice(0, separator);
    const target = separator < 0 ? '' : entry.slice(separator + 1);
    if (!TOOL_SERVICE_NAME.test(name) || target === '') {
      throw new ConfigError(`TOOL_SERVICES entries are name=target (name: lower-case letters, digits, - or _), got "${entry}"`);
    }
    const problem = grpcTargetProblem(target);
    if (problem) throw new ConfigError(`TOOL_SERVICES: the target of "${name}" ${problem}, got "${target}"`);
    if (services.some((service) => service.name === name)) {
      throw new ConfigError(`TOOL_SERVICES names "${name}" twice${name === BUILT_IN_TOOL_SERVICE ? ' ("toolworker" is the built-in worker pool, TOOLWORKER_TARGET)' : ''}`);
    }
    const tlsSetting = toolServiceSetting(name, 'TLS');
    const tls = env(tlsSetting) === undefined ? {} : { tls: booleanEnv(tlsSetting, false) };
    services.push({ name, target, authToken: env(toolServiceSetting(name, 'TOKEN')) ?? null, ...tls });
  }
  return services;
}

/** A per-service setting of one of TOOL_SERVICES: ("lab-ref", "TOKEN") → TOOL_SERVICE_LAB_REF_TOKEN. */
export function toolServiceSetting(name: string, setting: 'TOKEN' | 'TLS'): string {
  return `TOOL_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_${setting}`;
}

const GRPC_SCHEMES = ['dns', 'ipv4', 'ipv6', 'unix', 'unix-abstract'];

/** Why a grpc-js target is unusable, for the mistakes people make; undefined when it looks right. */
function grpcTargetProblem(target: string): string | undefined {
  if (target.includes('=')) return 'holds "=": separate TOOL_SERVICES entries with spaces';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  if (scheme && /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !GRPC_SCHEMES.includes(scheme)) {
    return `is a URL; a gRPC target is host:port or ${GRPC_SCHEMES.map((s) => `${s}:`).join(', ')}`;
  }
  if (scheme && GRPC_SCHEMES.includes(scheme)) {
    if (scheme.startsWith('unix')) return undefined;
    const addresses = target.slice(scheme.length + 1).replace(/^\/\/[^/]*\//, '').split(',');
    return addresses.map(portProblem).find(Boolean);
  }
  return portProblem(target);
}

function portProblem(address: string): string | undefined {
  const port = /:(\d+)$/.exec(address)?.[1];
  if (port === undefined) return 'needs a port (host:port)';
  const value = Number(port);
  return value >= 1 && value <= 65_535 ? undefined : `has port ${port}, outside 1–65535`;
}

export interface ModelConfig {
  /** Set: real Claude through the Anthropic API. Unset: the offline model. */
  apiKey: string | undefined;
  baseURL: string | undefined;
  model: string;
  maxTokens: number;
  maxIterations: number;
  /** The most input plus output tokens one turn may use over all its model calls. */
  maxTurnTokens: number;
  /** The most turns one conversation may have. */
  maxTurns: number;
  /** The longest tool result (JSON characters) passed to the model; a longer one is an is_error result. */
  maxToolResultChars: number;
  /** Offline model: pause between streamed deltas, in milliseconds (0 = as fast as possible). */
  offlineDeltaDelayMs: number;
  /** Offline model: its context window in tokens (Claude's 200,000 unless set, e.g. smaller to try it). */
  offlineContextTokens: number;
  /** The longest wait for a streamed model response to begin (each of the SDK's tries). */
  timeoutMs: number;
  /** The longest silence within a model's streamed response before the call is given up. */
  idleTimeoutMs: number;
  /** Mark prompt-cache breakpoints (system prompt, latest message) on every model request. */
  promptCache: boolean;
}

export function modelConfig(): ModelConfig {
  return {
    apiKey: env('ANTHROPIC_API_KEY'),
    baseURL: env('ANTHROPIC_BASE_URL'),
    model: env('ANTHROPIC_MODEL') ?? 'claude-sonnet-4-6',
    maxTokens: positiveIntEnv('TRACEMESH_MAX_TOKENS', 2048),
    maxIterations: positiveIntEnv('TRACEMESH_MAX_ITERATIONS', 6),
    maxTurnTokens: positiveIntEnv('TRACEMESH_MAX_TURN_TOKENS', 200_000),
    maxTurns: positiveIntEnv('TRACEMESH_MAX_TURNS', 200),
    // ≈ 25,000 tokens: one result may take an eighth of Claude's context window, no more.
    maxToolResultChars: positiveIntEnv('TRACEMESH_MAX_TOOL_RESULT_CHARS', 100_000),
    offlineDeltaDelayMs: intEnv('OFFLINE_MODEL_DELTA_DELAY_MS', 4),
    offlineContextTokens: positiveIntEnv('OFFLINE_MODEL_CONTEXT_TOKENS', 200_000),
    // The SDK's own default is 10 minutes and covers only the wait for the response to begin; a
    // stream that stalls after that would wait for ever (lib/llm/idle-timeout-fetch.ts). Anthropic
    // sends `ping` events every 15-30 s through long silent stretches (extended thinking), so 90 s
    // without a byte means the stream is dead.
    timeoutMs: positiveIntEnv('TRACEMESH_MODEL_TIMEOUT_MS', 60_000),
    idleTimeoutMs: positiveIntEnv('TRACEMESH_MODEL_IDLE_TIMEOUT_MS', 90_000),
    promptCache: booleanEnv('TRACEMESH_PROMPT_CACHE', true),
  };
}

export interface TracingConfig {
  enabled: boolean;
  /** The Braintrust project every process logs into. */
  projectName: string;
  /** Braintrust when BRAINTRUST_API_KEY is set; otherwise the local trace store. */
  backend: 'braintrust' | 'local';
  apiKey: string;
  appUrl: string;
  /** Set when known up front (the local store); Braintrust's comes from the login response. */
  apiUrl: string | undefined;
  /** Span rows that may wait for the backend at once; more are dropped and counted (default 5000). */
  maxWaitingRows?: number;
}

/**
 * Span rows that may wait for the trace backend at once (lib/tracing/bounded-background-logger.ts):
 * a seed turn makes about 20, so this rides out an outage of a few seconds at full load and holds
 * tens of MB at most while a long one lasts. A healthy local store never had over 900 waiting
 * (concurrency 128).
 */
export const DEFAULT_MAX_WAITING_ROWS = 5_000;

export function localTraceStoreUrl(): string {
  return env('TRACESTORE_URL') ?? `http://127.0.0.1:${tracestorePort()}`;
}

export function tracingConfig(): TracingConfig {
  const projectName = env('BRAINTRUST_PROJECT') ?? 'tracemesh';
  const enabled = booleanEnv('TRACEMESH_TRACING', true);
  const maxWaitingRows = positiveIntEnv('TRACEMESH_TRACE_MAX_WAITING_ROWS', DEFAULT_MAX_WAITING_ROWS);
  const apiKey = env('BRAINTRUST_API_KEY');
  if (apiKey) {
    return {
      enabled,
      maxWaitingRows,
      projectName,
      backend: 'braintrust',
      apiKey,
      appUrl: env('BRAINTRUST_APP_URL') ?? 'https://www.braintrust.dev',
      apiUrl: env('BRAINTRUST_API_URL'),
    };
  }
  const local = localTraceStoreUrl();
  return { enabled, maxWaitingRows, projectName, backend: 'local', apiKey: env('TRACESTORE_TOKEN') ?? 'local', appUrl: local, apiUrl: local };
}

export interface TlsFiles {
  /** This process's certificate and key: served by servers, presented by clients (mTLS). */
  certFile: string | undefined;
  keyFile: string | undefined;
  /** CA bundle that signs the peers' certificates (clients verify servers with it). */
  caFile: string | undefined;
}

export interface SecurityConfig {
  /** Set: every call to the mesh's services must carry `authorization: Bearer <token>`. */
  authToken: string | undefined;
  /** Set: servers speak TLS (certificate and key needed) and clients connect with TLS. */
  tls: TlsFiles | undefined;
  /** Servers demand a client certificate signed by the CA (mTLS). */
  requireClientCertificate: boolean;
  /** Redact protected health information from span payloads before they leave the process. */
  redactPhi: boolean;
}

export function securityConfig(): SecurityConfig {
  const certFile = env('TRACEMESH_TLS_CERT');
  const keyFile = env('TRACEMESH_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError('TRACEMESH_TLS_CERT and TRACEMESH_TLS_KEY must be set together');
  }
  const caFile = env('TRACEMESH_TLS_CA');
  const clientAuth = env('TRACEMESH_TLS_CLIENT_AUTH');
  if (clientAuth !== undefined && clientAuth !== 'require' && clientAuth !== 'none') {
    throw new ConfigError(`TRACEMESH_TLS_CLIENT_AUTH must be "require" or "none", got "${clientAuth}"`);
  }
  const requireClientCertificate = clientAuth === 'require';
  if (requireClientCertificate && caFile === undefined) throw new ConfigError('TRACEMESH_TLS_CLIENT_AUTH=require needs TRACEMESH_TLS_CA');
  return {
    authToken: env('TRACEMESH_AUTH_TOKEN'),
    tls: certFile || caFile ? { certFile, keyFile, caFile } : undefined,
    requireClientCertificate,
    redactPhi: booleanEnv('TRACEMESH_REDACT_PHI', false),
  };
}

/** The longest one tool call may take (a caller's shorter deadline wins). */
export function toolTimeoutMs(): number {
  return intEnv('TRACEMESH_TOOL_TIMEOUT_MS', 30_000);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** pino's level for every process's logs. */
export function logLevel(): string {
  const level = env('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env('LOG_LEVEL')}"`);
  return level;
}

/** How long running calls may finish after SIGTERM. */
export function shutdownGraceMs(): number {
  return intEnv('TRACEMESH_SHUTDOWN_GRACE_MS', 10_000);
}

/** How often a process logs what the trace backend did not take (when something was dropped). */
export function exportReportMs(): number {
  return positiveIntEnv('TRACEMESH_EXPORT_REPORT_MS', 30_000);
}

/** Whether the tool worker also serves its diagnostic tools (a sleep tool the benchmark uses). */
export function diagnosticToolsEnabled(): boolean {
  return booleanEnv('TOOLWORKER_DIAGNOSTIC_TOOLS', false);
}
