// gRPC errors with google.rpc.Status details in the `grpc-status-details-bin` trailer, the rich
// error model every gRPC ecosystem decodes: BadRequest names the offending field, ErrorInfo gives
// a machine-readable reason, ResourceInfo names what was not found, RetryInfo says when trying
// again makes sense.
import { createRequire } from 'node:module';
import { Metadata, status as grpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const googleProtos = require('google-proto-files') as { getProtoPath: (...segments: string[]) => string };

const root = protobuf.loadSync([googleProtos.getProtoPath('rpc', 'status.proto'), googleProtos.getProtoPath('rpc', 'error_details.proto')]);
const StatusType = root.lookupType('google.rpc.Status');
const BadRequestType = root.lookupType('google.rpc.BadRequest');
const ErrorInfoType = root.lookupType('google.rpc.ErrorInfo');
const ResourceInfoType = root.lookupType('google.rpc.ResourceInfo');
const RetryInfoType = root.lookupType('google.rpc.RetryInfo');

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

export interface FieldViolation {
  field: string;
  description: string;
}

export interface ErrorDetails {
  fieldViolations?: FieldViolation[];
  errorInfo?: { reason: string; domain: string; metadata?: Record<string, string> };
  resourceInfo?: { resourceType: string; resourceName: string; description?: string };
  /** RetryInfo.retry_delay: the same call may succeed if made again after this long. */
  retryDelayMs?: number;
}

/** A status error as grpc-js handlers pass to callbacks or emit on streams. */
export type GrpcError = ServiceError;

/** A google.protobuf.Duration (as protobufjs and proto-loader take it). */
export function durationOf(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

function pack(type: protobuf.Type, value: object): { type_url: string; value: Uint8Array } {
  return { type_url: `${TYPE_URL_PREFIX}${type.fullName.replace(/^\./, '')}`, value: type.encode(type.fromObject(value)).finish() };
}

export function grpcError(code: grpcStatus, message: string, details: ErrorDetails = {}): GrpcError {
  const packed: Array<{ type_url: string; value: Uint8Array }> = [];
  if (details.fieldViolations?.length) packed.push(pack(BadRequestType, { fieldViolations: details.fieldViolations }));
  if (details.errorInfo) packed.push(pack(ErrorInfoType, details.errorInfo));
  if (details.resourceInfo) packed.push(pack(ResourceInfoType, details.resourceInfo));
  if (details.retryDelayMs !== undefined) packed.push(pack(RetryInfoType, { retryDelay: durationOf(details.retryDelayMs) }));
  const metadata = new Metadata();
  if (packed.length > 0) {
    const statusBytes = StatusType.encode(StatusType.fromObject({ code, message, details: packed })).finish();
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(statusBytes));
  }
  const error = new Error(message) as GrpcError;
  error.code = code;
  error.details = message;
  error.metadata = metadata;
  return error;
}

export function invalidArgument(violations: FieldViolation[], summary?: string): GrpcError {
  const message = summary ?? violations.map((v) => `${v.field}: ${v.description}`).join('; ');
  return grpcError(grpcStatus.INVALID_ARGUMENT, message, { fieldViolations: violations });
}

export function notFound(resourceType: string, resourceName: string, message: string): GrpcError {
  return grpcError(grpcStatus.NOT_FOUND, message, { resourceInfo: { resourceType, resourceName, description: message } });
}

/** Reads the details back from an error's trailers (for callers, logs and tests). */
export function decodeErrorDetails(error: Pick<StatusObject, 'metadata'> | Partial<ServiceError>): ErrorDetails {
  const raw = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!(raw instanceof Buffer)) return {};
  const decoded = StatusType.toObject(StatusType.decode(raw), { defaults: false }) as {
    details?: Array<{ type_url?: string; value?: Uint8Array }>;
  };
  const result: ErrorDetails = {};
  for (const any of decoded.details ?? []) {
    const typeName = (any.type_url ?? '').slice(TYPE_URL_PREFIX.length);
    const bytes = any.value ?? new Uint8Array();
    if (typeName === 'google.rpc.BadRequest') {
      const value = BadRequestType.toObject(BadRequestType.decode(bytes)) as { fieldViolations?: FieldViolation[] };
      result.fieldViolations = (value.fieldViolations ?? []).map((v) => ({ field: v.field, description: v.description }));
    } else if (typeName === 'google.rpc.ErrorInfo') {
      result.errorInfo = ErrorInfoType.toObject(ErrorInfoType.decode(bytes)) as ErrorDetails['errorInfo'];
    } else if (typeName === 'google.rpc.ResourceInfo') {
      result.resourceInfo = ResourceInfoType.toObject(ResourceInfoType.decode(bytes)) as ErrorDetails['resourceInfo'];
    } else if (typeName === 'google.rpc.RetryInfo') {
      const { retryDelay } = RetryInfoType.toObject(RetryInfoType.decode(bytes), { longs: Number }) as { retryDelay?: { seconds?: number; nanos?: number } };
      result.retryDelayMs = (retryDelay?.seconds ?? 0) * 1000 + Math.round((retryDelay?.nanos ?? 0) / 1e6);
    }
  }
  return result;
}

/** True for a grpc-js error object (it has a numeric status code). */
export function isGrpcError(error: unknown): error is GrpcError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}
