// Client side of the bridge: an interceptor that opens an OTel CLIENT span per call, injects the
// span context into the call's metadata (both header forms), and runs the call's callbacks in the
// context that was active when the call was created. Without that last part, callbacks of calls
// queued while a channel connects run in another request's trace.
import {
  InterceptingCall,
  ListenerBuilder,
  RequesterBuilder,
  status as grpcStatus,
  type Interceptor,
  type StatusObject,
} from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import { statusName } from '../grpc/status-codes.js';
import { injectTraceHeaders } from './trace-headers.js';
import { tracing } from './tracing.js';

/** host and port of a grpc-js target such as "127.0.0.1:50052" or "dns:///toolworker:50052". */
export function serverAddress(target: string): { address: string; port?: number } {
  const withoutScheme = target.replace(/^(dns|ipv4|ipv6|unix|unix-abstract|vsock):(\/\/[^/]*\/)?/i, '');
  const first = withoutScheme.split(',')[0] ?? withoutScheme;
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(first);
  return match ? { address: match[1] ?? first, port: Number(match[2]) } : { address: first };
}

function endClientSpan(span: Span, status: StatusObject): void {
  const name = statusName(status.code);
  span.setAttribute(ATTR_RPC_STATUS_CODE, name);
  if (status.code !== grpcStatus.OK) {
    span.setAttribute(ATTR_ERROR_TYPE, name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: status.details });
  }
  span.end();
}

/** An interceptor for clients of `target`; every call gets a CLIENT span and trace headers. */
export function tracingClientInterceptor(target: string): Interceptor {
  const { address, port } = serverAddress(target);
  return (options, nextCall) => {
    const callerContext = context.active();
    const method = options.method_definition.path.replace(/^\//, '');
    const span = tracing().tracer.startSpan(
      method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC,
          [ATTR_RPC_METHOD]: method,
          [ATTR_SERVER_ADDRESS]: address,
          ...(port === undefined ? {} : { [ATTR_SERVER_PORT]: port }),
        },
      },
      callerContext,
    );
    const callContext = trace.setSpan(callerContext, span);
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        injectTraceHeaders(callContext, metadata, tracing().projectName || 'tracemesh');
        const inCallerContext = new ListenerBuilder()
          .withOnReceiveMetadata((received, nextMetadata) => context.with(callerContext, () => nextMetadata(received)))
          .withOnReceiveMessage((message, nextMessage) => context.with(callerContext, () => nextMessage(message)))
          .withOnReceiveStatus((status, nextStatus) => {
            endClientSpan(span, status);
            context.with(callerContext, () => nextStatus(status));
          })
          .build();
        next(metadata, inCallerContext);
      })
      .build();
    return new InterceptingCall(nextCall(options), requester);
  };
}
