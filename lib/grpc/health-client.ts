// A grpc.health.v1 client: Check one service's status, or wait until it reports the one wanted.
// `tracemesh up` waits for SERVING before it says "ready"; the tests check drains and start-ups.
import { setTimeout as delay } from 'node:timers/promises';
import { credentials as grpcCredentials, loadPackageDefinition, status, type ChannelCredentials, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

export interface HealthClient extends Client {
  Check(request: { service: string }, options: { deadline: number }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
  Watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

type HealthConstructor = new (target: string, channelCredentials: ChannelCredentials) => HealthClient;

let healthConstructor: HealthConstructor | undefined;

/** Health is open on every mesh server (no bearer token); TLS when the mesh uses it. */
export function healthClient(address: string, channelCredentials: ChannelCredentials = grpcCredentials.createInsecure()): HealthClient {
  healthConstructor ??= (
    loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: { Health: HealthConstructor } } } }
  ).grpc.health.v1.Health;
  return new healthConstructor(address, channelCredentials);
}

/** The serving status ("SERVING", "NOT_SERVING"…), or "error:<CODE>" when the check itself fails. */
export function checkHealth(health: HealthClient, service = ''): Promise<string> {
  return new Promise((resolve) =>
    health.Check({ service }, { deadline: Date.now() + 3_000 }, (error, response) => resolve(error ? `error:${status[error.code]}` : (response?.status ?? ''))),
  );
}

/** Polls every 100 ms until the status is `wanted`, the time is up or `signal` aborts; returns the last status seen. */
export async function waitForHealth(health: HealthClient, wanted: string, timeoutMs = 15_000, signal?: AbortSignal): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = await checkHealth(health);
  while (last !== wanted && Date.now() < end && !signal?.aborted) {
    await delay(100);
    last = await checkHealth(health);
  }
  return last;
}
