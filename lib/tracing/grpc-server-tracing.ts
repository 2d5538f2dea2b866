// Server side of the bridge: every handler is wrapped at registration. The wrapper continues the
// caller's trace from the metadata (a valid x-bt-parent-span first, then traceparent; malformed
// headers are logged and ignored), opens an OTel SERVER span, binds the call object to that
// context (so 'data', 'end' and 'cancelled' listeners run in it) and runs the handler inside it.
// A grpc-js server interceptor cannot do this: unary and server-streaming handlers run outside it.
import type { EventEmitter } from 'node:events';
import {
  status as grpcStatus,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logging.js';
import { earlyEndOf } from '../grpc/server-call.js';
import { isServerFault, statusName } from '../grpc/status-codes.js';
import { instanceId } from '../process/instance-id.js';
import { extractIncomingContext } from './trace-headers.js';
import { tracing } from './tracing.js';

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

function endServerSpan(span: Span, code: number, message?: string): void {
  const name = statusName(code);
  span.setAttribute(ATTR_RPC_STATUS_CODE, name);
  if (isServerFault(code)) {
    span.setAttribute(ATTR_ERROR_TYPE, name);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

function errorCode(error: Partial<ServiceError> | null | undefined): number {
  return typeof error?.code === 'number' ? error.code : grpcStatus.UNKNOWN;
}

interface SpanFinisher {
  readonly ended: boolean;
  /** Ends the span with the status the call finished with; later calls do nothing. */
  finish(code: number, message?: string): void;
}

function spanFinisher(span: Span): SpanFinisher {
  let ended = false;
  return {
    get ended() {
      return ended;
    },
    finish(code, message) {
      if (ended) return;
      ended = true;
      endServerSpan(span, code, message);
    },
  };
}

function wrapHandler(
  method: string,
  responseStream: boolean,
  handler: UntypedHandleCall,
  log: Logger,
): UntypedHandleCall {
  const instance = instanceId();
  const wrapped = (call: AnyCall, callback?: sendUnaryData<unknown>): void => {
    const incoming = extractIncomingContext(call.metadata);
    if (incoming.rejected.length > 0) {
      log.warn({ method, rejected: incoming.rejected }, 'ignoring malformed trace headers; this call starts a new trace');
    }
    const span = tracing().tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC,
          [ATTR_RPC_METHOD]: method,
          ...peerAttributes(call.getPeer()),
          // Which replica served the call (several workers behind one target).
          'service.instance.id': instance,
          'tracemesh.parent_source': incoming.source,
        },
      },
      incoming.context,
    );
    const spanEnd = spanFinisher(span);
    const finish = spanEnd.finish;
    const handlerContext = trace.setSpan(incoming.context, span);
    context.bind(handlerContext, call);
    const events = call as unknown as EventEmitter;
    // grpc-js emits 'cancelled' when any call's stream closes, after a normal end too: only a call
    // still open was cancelled, and only then is its status (an Error built with a stack) worked out.
    events.on('cancelled', () => {
      if (spanEnd.ended) return;
      const ended = earlyEndOf(call);
      finish(ended.code, ended.details);
    });

    if (!responseStream) {
      const reply: sendUnaryData<unknown> = (error, value, trailer, flags) => {
        finish(error ? errorCode(error) : grpcStatus.OK, error?.details);
        callback?.(error, value, trailer, flags);
      };
      context.with(handlerContext, () => (handler as (c: AnyCall, cb: sendUnaryData<unknown>) => void)(call, reply));
      return;
    }
    // Streaming responses: an 'error' event carries the status; 'finish' follows every end.
    let failure: Partial<ServiceError> | undefined;
    events.on('error', (error: Partial<ServiceError>) => (failure = error));
    events.on('finish', () => finish(failure ? errorCode(failure) : grpcStatus.OK, failure?.message));
    context.with(handlerContext, () => (handler as (c: AnyCall) => void)(call));
  };
  return wrapped as UntypedHandleCall;
}

/** Wraps every handler of `implementation` (keyed by method name, as grpc-js registers them). */
export function traceServiceHandlers<T extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: T,
  log: Logger,
): T {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (!handler) continue;
    wrapped[name] = wrapHandler(
      method.path.replace(/^\//, ''),
      method.responseStream,
      handler,
      log,
    );
  }
  return wrapped as T;
}

/** grpc-js's peer ("127.0.0.1:51234", "[::1]:51234", "unix:/run/x.sock") as the conventions' address and port. */
export function peerAttributes(peer: string): Record<string, string | number> {
  // An IPv6 address comes bracketed; any other host has no colon of its own.
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(peer);
  if (!match || peer.startsWith('unix:')) return { [ATTR_NETWORK_PEER_ADDRESS]: peer };
  return { [ATTR_NETWORK_PEER_ADDRESS]: match[1] ?? match[2] ?? peer, [ATTR_NETWORK_PEER_PORT]: Number(match[3]) };
}
