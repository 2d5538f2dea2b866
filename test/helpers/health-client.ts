// A grpc.health.v1 client for tests: Check (a status name, or "error:<CODE>"), Watch, and waiting
// for a wanted status.
import { setTimeout as delay } from 'node:timers/promises';
import { credentials, loadPackageDefinition, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

export interface HealthClient extends Client {
  Check(request: { service: string }, options: { deadline: number }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
  Watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

const healthPackage = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
  grpc: { health: { v1: { Health: new (target: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient } } };
};

export function healthClient(address: string): HealthClient {
  return new healthPackage.grpc.health.v1.Health(address, credentials.createInsecure());
}

/** The serving status ("SERVING", "NOT_SERVING"…), or "error:<CODE>" when the check itself fails. */
export function checkHealth(health: HealthClient, service = ''): Promise<string> {
  return new Promise((resolve) =>
    health.Check({ service }, { deadline: Date.now() + 3_000 }, (error, response) => resolve(error ? `error:${status[error.code]}` : (response?.status ?? ''))),
  );
}

/** Polls until the status is `wanted` or the time is up; returns the last status seen. */
export async function waitForHealth(health: HealthClient, wanted: string, timeoutMs = 15_000): Promise<string> {
  let last = '';
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    last = await checkHealth(health);
    if (last === wanted) return last;
    await delay(100);
  }
  return last;
}
