// A failed call, explained on one line: status name, message and the google.rpc details.
import { decodeErrorDetails, isGrpcError } from '../../../lib/grpc/errors.js';
import { statusName } from '../../../lib/grpc/status-codes.js';

/**
 * grpc-js's own messages, without its diagnostics: an empty "Resolution note: " at the end of a
 * connection failure, and the per-stage timings after "Deadline exceeded after 0.999s".
 */
export function withoutClientDiagnostics(message: string): string {
  return message.replace(/[.,]?\s*Resolution note:\s*$/, '').replace(/^(Deadline exceeded after [\d.]+s),.*$/s, '$1');
}

export function describeFailure(error: unknown): string {
  if (!isGrpcError(error)) return error instanceof Error ? error.message : String(error);
  const details = decodeErrorDetails(error);
  const parts = [`${statusName(error.code)}: ${withoutClientDiagnostics(error.details || error.message)}`];
  for (const violation of details.fieldViolations ?? []) parts.push(`  field ${violation.field}: ${violation.description}`);
  if (details.errorInfo) parts.push(`  reason ${details.errorInfo.reason} (${details.errorInfo.domain})`);
  return parts.join('\n');
}
