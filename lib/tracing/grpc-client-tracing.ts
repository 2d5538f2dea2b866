// Client side of the bridge: an interceptor that opens an OTel CLIENT span per call, injects the
// span context into the call's metadata (both header forms), and runs the call's callbacks in the
// context that was active when the call was created. Without that last part, callbacks of calls
// queued while a channel connects run in another request's trace.
//
// Calls a Braintrust span of ours already stands for (worker_execute_tool around ExecuteTool) can
// skip the CLIENT span unless an OTLP collector is configured, where RPC conventions expect both
// sides: the server span then nests directly under the Braintrust span. One span fewer per tool
// call to make, export and store, and no doubled "ExecuteTool" in the Braintrust view.
import {
  InterceptingCall,
  ListenerBuilder,
  RequesterBuilder,
  status as grpcStatus,
  type Interceptor,
  type Requester,
  type StatusObject,
} from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
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
import { otlpCollectorConfigured } from './otel-only-spans.js';
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

/** 'always', or only when an OTLP collector is configured ('with-collector'). */
export type ClientSpanPolicy = 'always' | 'with-collector';

/** An interceptor for clients of `target`: trace headers on every call, and a CLIENT span as `policy` says. */
export function tracingClientInterceptor(target: string, policy: ClientSpanPolicy = 'always'): Interceptor {
  const { address, port } = serverAddress(target);
  const withSpans = policy === 'always' || otlpCollectorConfigured();
  return (options, nextCall) => {
    const callerContext = context.active();
    if (!withSpans) return new InterceptingCall(nextCall(options), propagatingRequester(callerContext, callerContext));
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
    const requester = propagatingRequester(callerContext, trace.setSpan(callerContext, span), (status) => endClientSpan(span, status));
    return new InterceptingCall(nextCall(options), requester);
  };
}

/** Trace headers naming `headerContext`'s span; the call's callbacks run in the caller's context. */
function propagatingRequester(callerContext: Context, headerContext: Context, onStatus?: (status: StatusObject) => void): Requester {
  return new RequesterBuilder()
    .withStart((metadata, listener, next) => {
      injectTraceHeaders(headerContext, metadata, tracing().projectName || 'tracemesh');
      const inCallerContext = new ListenerBuilder()
        .withOnReceiveMetadata((received, nextMetadata) => context.with(callerContext, () => nextMetadata(received)))
        .withOnReceiveMessage((message, nextMessage) => context.with(callerContext, () => nextMessage(message)))
        .withOnReceiveStatus((status, nextStatus) => {
          onStatus?.(status);
          context.with(callerContext, () => nextStatus(status));
        })
        .build();
      next(metadata, inCallerContext);
    })
    .build();
}
