// gRPC status codes by name, for errors, logs and span attributes.
import { status } from '@grpc/grpc-js';

export function statusName(code: number): string {
  return status[code] ?? `CODE_${code}`;
}

/** Server-side codes that mean the server failed (the others are the caller's doing). */
const SERVER_FAULTS = new Set<number>([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

export function isServerFault(code: number): boolean {
  return SERVER_FAULTS.has(code);
}
