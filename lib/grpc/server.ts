// A grpc-js server as every tracemesh service runs it: message-size and stream limits, keepalive,
// grpc.health.v1 (NOT_SERVING until the service says it is ready, and again while shutting down),
// reflection, and a graceful shutdown that lets in-flight calls finish before forcing.
import { Server, type ChannelOptions } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { connectionAgeConfig, securityConfig, shutdownGraceMs, type SecurityConfig } from '../config.js';
import type { Logger } from '../logging.js';
import { listenFailure } from '../process/startup-failure.js';
import { addReflection } from './reflection-service.js';
import { serverCredentials } from './transport-security.js';

export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The options every mesh server runs with (read when the server starts: a bad setting fails its start). */
function serverOptions(): ChannelOptions {
  const { maxAgeMs, graceMs } = connectionAgeConfig();
  return {
    // Connections are recycled now and then (GOAWAY: new calls go to a new connection, those in
    // flight finish on the old one), so clients re-resolve DNS and spread onto replicas that were
    // added under steady load. No grace limit unless one is set: a turn may take minutes with a
    // real model and a `Converse` stream is a whole chat session — a fixed grace cut both off with
    // UNAVAILABLE "Connection dropped".
    'grpc.max_connection_age_ms': maxAgeMs,
    ...(graceMs === undefined ? {} : { 'grpc.max_connection_age_grace_ms': graceMs }),
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': 1000,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  };
}

export interface ServiceServer {
  server: Server;
  health: HealthImplementation;
  port: number;
  address: string;
  /** Sets the health of this service ('' is the whole server) — SERVING once dependencies are ready. */
  setServing(status: ServingStatus): void;
  /** Stops accepting calls and waits up to `graceMs` (default TRACEMESH_SHUTDOWN_GRACE_MS) for in-flight ones. */
  shutdown(graceMs?: number): Promise<void>;
}

export interface StartServerOptions {
  host: string;
  port: number;
  /** Fully-qualified names of the services added through `register`. */
  services: string[];
  register(server: Server): void;
  log: Logger;
  security?: SecurityConfig;
  /** The settings that choose this server's address, named when it cannot listen there. */
  addressSettings?: string[];
}

export async function startServer(options: StartServerOptions): Promise<ServiceServer> {
  const server = new Server(serverOptions());
  // Read at start, like every setting: a bad value must fail the start, not the shutdown.
  const defaultGraceMs = shutdownGraceMs();
  const health = new HealthImplementation(
    Object.fromEntries(['', ...options.services].map((name) => [name, 'NOT_SERVING' as ServingStatus])),
  );
  const security = options.security ?? securityConfig();
  options.register(server);
  health.addToServer(server);
  addReflection(server, options.services, security.authToken);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, serverCredentials(security), (error, bound) =>
      error ? reject(listenFailure(error, `${options.host}:${options.port}`, options.addressSettings ?? [])) : resolve(bound),
    );
  });
  const address = `${options.host}:${port}`;
  const setServing = (status: ServingStatus): void => {
    for (const name of ['', ...options.services]) health.setStatus(name, status);
  };

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (graceMs = defaultGraceMs): Promise<void> => {
    shuttingDown ??= new Promise<void>((resolve) => {
      setServing('NOT_SERVING');
      const force = setTimeout(() => {
        options.log.warn({ graceMs }, 'calls still running after the grace period; forcing shutdown');
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return shuttingDown;
  };

  return { server, health, port, address, setServing, shutdown };
}
