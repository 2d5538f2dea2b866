// A failed call, explained on one line: status name, message and the google.rpc details.
import { decodeErrorDetails, isGrpcError } from '../../../lib/grpc/errors.js';
import { statusName } from '../../../lib/grpc/status-codes.js';

export function describeFailure(error: unknown): string {
  if (!isGrpcError(error)) return error instanceof Error ? error.message : String(error);
  const details = decodeErrorDetails(error);
  const parts = [`${statusName(error.code)}: ${error.details || error.message}`];
  for (const violation of details.fieldViolations ?? []) parts.push(`  field ${violation.field}: ${violation.description}`);
  if (details.errorInfo) parts.push(`  reason ${details.errorInfo.reason} (${details.errorInfo.domain})`);
  return parts.join('\n');
}
