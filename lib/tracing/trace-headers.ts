// The span context in gRPC metadata, both ways. Outgoing: `traceparent`/`tracestate`/`baggage`
// (W3C, with `braintrust.parent` in baggage) and `x-bt-parent-span` (a Braintrust span export
// string), both naming the same parent span. Incoming: a valid `x-bt-parent-span` first, then
// `traceparent`; anything malformed is treated as absent so the call starts a new root.
import type { Metadata } from '@grpc/grpc-js';
import {
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { SpanComponentsV4, SpanObjectTypeV3 } from 'braintrust/util';

export const BT_PARENT_HEADER = 'x-bt-parent-span';
export const BAGGAGE_PARENT_KEY = 'braintrust.parent';
/** Braintrust's compat mode keeps the span's destination ("project_name:x") under this context key. */
const BT_CONTEXT_PARENT_KEY = 'braintrust.parent' as unknown as symbol;

// Headers are untrusted input: anything longer than these is ignored, never parsed.
const MAX_BT_PARENT_LENGTH = 4096;
const MAX_BAGGAGE_LENGTH = 8192;
const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((v): v is string => typeof v === 'string');
    if (values.length === 0) return undefined;
    if (key === 'baggage' && values.join(',').length > MAX_BAGGAGE_LENGTH) return undefined;
    return values.length === 1 ? values[0] : values;
  },
};

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

export type ParentSource = 'x-bt-parent-span' | 'traceparent' | 'none';

export interface IncomingTraceContext {
  context: Context;
  source: ParentSource;
  /** Why a header that was present could not be used (logged as a warning by the caller). */
  rejected: string[];
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Parses an `x-bt-parent-span` value into a remote span context, or says why it can't. */
export function parseBraintrustParent(value: string): SpanContext | string {
  if (value.length > MAX_BT_PARENT_LENGTH) return `longer than ${MAX_BT_PARENT_LENGTH} characters`;
  let components: SpanComponentsV4;
  try {
    components = SpanComponentsV4.fromStr(value);
  } catch {
    return 'not a Braintrust span export string';
  }
  const { root_span_id: traceId, span_id: spanId } = components.data;
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return 'carries no span ids';
  if (!HEX_TRACE_ID.test(traceId) || !HEX_SPAN_ID.test(spanId) || /^0+$/.test(traceId) || /^0+$/.test(spanId)) {
    return 'span ids are not W3C trace/span ids';
  }
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/** The context a server handler continues, from the request's metadata. */
export function extractIncomingContext(metadata: Metadata): IncomingTraceContext {
  const rejected: string[] = [];
  const btParent = firstString(metadata, BT_PARENT_HEADER);
  if (btParent !== undefined) {
    const parsed = parseBraintrustParent(btParent);
    if (typeof parsed !== 'string') {
      return { context: trace.setSpanContext(ROOT_CONTEXT, parsed), source: 'x-bt-parent-span', rejected };
    }
    rejected.push(`${BT_PARENT_HEADER}: ${parsed}`);
  }
  // The W3C propagator validates traceparent itself and yields no span context when it is invalid.
  const extracted = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const spanContext = trace.getSpanContext(extracted);
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    return { context: extracted, source: 'traceparent', rejected };
  }
  if (metadata.get('traceparent').length > 0) rejected.push('traceparent: malformed');
  // Keep the caller's baggage even when it starts a new root: it is the caller's to propagate.
  const baggage = propagation.getBaggage(extracted);
  return { context: baggage ? propagation.setBaggage(ROOT_CONTEXT, baggage) : ROOT_CONTEXT, source: 'none', rejected };
}

/** The Braintrust destination ("project_name:x", "project_id:…") of the context's spans. */
function braintrustParentOf(ctx: Context, fallbackProject: string): string {
  const fromBraintrustSpan = ctx.getValue(BT_CONTEXT_PARENT_KEY);
  if (typeof fromBraintrustSpan === 'string' && fromBraintrustSpan.length > 0) return fromBraintrustSpan;
  return `project_name:${fallbackProject}`;
}

function braintrustExportFor(spanContext: SpanContext, parent: string): string {
  const [kind, id] = [parent.slice(0, parent.indexOf(':')), parent.slice(parent.indexOf(':') + 1)];
  const base = {
    row_id: spanContext.spanId,
    span_id: spanContext.spanId,
    root_span_id: spanContext.traceId,
  };
  const components =
    kind === 'experiment_id'
      ? new SpanComponentsV4({ object_type: SpanObjectTypeV3.EXPERIMENT, object_id: id, ...base })
      : kind === 'project_id'
        ? new SpanComponentsV4({ object_type: SpanObjectTypeV3.PROJECT_LOGS, object_id: id, ...base })
        : new SpanComponentsV4({
            object_type: SpanObjectTypeV3.PROJECT_LOGS,
            compute_object_metadata_args: { project_name: id },
            ...base,
          });
  return components.toStr();
}

/**
 * Writes the context's span into outgoing metadata in both forms. Synchronous: the export string
 * is built from the span's ids, so no call waits on the tracing backend.
 */
export function injectTraceHeaders(ctx: Context, metadata: Metadata, fallbackProject: string): void {
  const spanContext = trace.getSpanContext(ctx);
  // Not sampled (housekeeping-context.ts): `traceparent` says so and the server records nothing;
  // x-bt-parent-span, which has no such flag and is read first, would make it record.
  if (!spanContext || !trace.isSpanContextValid(spanContext) || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) {
    propagation.inject(ctx, metadata, metadataSetter);
    return;
  }
  const parent = braintrustParentOf(ctx, fallbackProject);
  const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage()).setEntry(BAGGAGE_PARENT_KEY, {
    value: parent,
  });
  propagation.inject(propagation.setBaggage(ctx, baggage), metadata, metadataSetter);
  metadata.set(BT_PARENT_HEADER, braintrustExportFor(spanContext, parent));
}
