import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { SpanComponentsV4, SpanObjectTypeV3 } from 'braintrust/util';
import { extractIncomingContext, injectTraceHeaders, parseBraintrustParent } from '../../lib/tracing/trace-headers.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function btExport(traceId: string, spanId: string): string {
  return new SpanComponentsV4({
    object_type: SpanObjectTypeV3.PROJECT_LOGS,
    compute_object_metadata_args: { project_name: 'p' },
    row_id: spanId,
    span_id: spanId,
    root_span_id: traceId,
  }).toStr();
}

describe('trace headers', () => {
  before(() => {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  });

  it('continues a valid x-bt-parent-span before traceparent', () => {
    const metadata = new Metadata();
    metadata.set('x-bt-parent-span', btExport(TRACE_ID, SPAN_ID));
    metadata.set('traceparent', `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`);
    const incoming = extractIncomingContext(metadata);
    assert.equal(incoming.source, 'x-bt-parent-span');
    assert.deepEqual(incoming.rejected, []);
    const span = trace.getSpanContext(incoming.context);
    assert.equal(span?.traceId, TRACE_ID);
    assert.equal(span?.spanId, SPAN_ID);
    assert.equal(span?.isRemote, true);
  });

  it('falls back to traceparent when x-bt-parent-span is malformed, and says why', () => {
    const metadata = new Metadata();
    metadata.set('x-bt-parent-span', 'garbage');
    metadata.set('traceparent', `00-${TRACE_ID}-${SPAN_ID}-01`);
    const incoming = extractIncomingContext(metadata);
    assert.equal(incoming.source, 'traceparent');
    assert.equal(trace.getSpanContext(incoming.context)?.traceId, TRACE_ID);
    assert.equal(incoming.rejected.length, 1);
    assert.match(incoming.rejected[0] ?? '', /x-bt-parent-span/);
  });

  it('starts a new root when both headers are malformed', () => {
    const metadata = new Metadata();
    metadata.set('x-bt-parent-span', btExport('0'.repeat(32), SPAN_ID));
    metadata.set('traceparent', '00-nothex-01');
    const incoming = extractIncomingContext(metadata);
    assert.equal(incoming.source, 'none');
    assert.equal(trace.getSpanContext(incoming.context), undefined);
    assert.equal(incoming.rejected.length, 2);
  });

  it('rejects oversized and non-W3C Braintrust parents', () => {
    assert.equal(typeof parseBraintrustParent('x'.repeat(5000)), 'string');
    const uuidIds = btExport('8d7a6c1e-3c6b-4bb0-9f7b-9c1a2b3c4d5e', '1b7a6c1e-3c6b-4bb0-9f7b-9c1a2b3c4d5e');
    assert.match(String(parseBraintrustParent(uuidIds)), /not W3C/);
  });

  it('injects both header forms naming the same span, with braintrust.parent in baggage', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    const metadata = new Metadata();
    injectTraceHeaders(ctx, metadata, 'tracemesh');
    assert.equal(metadata.get('traceparent')[0], `00-${TRACE_ID}-${SPAN_ID}-01`);
    assert.equal(metadata.get('baggage')[0], 'braintrust.parent=project_name%3Atracemesh');
    const parsed = parseBraintrustParent(String(metadata.get('x-bt-parent-span')[0]));
    assert.deepEqual(typeof parsed === 'string' ? parsed : [parsed.traceId, parsed.spanId], [TRACE_ID, SPAN_ID]);
    // And what we inject, we continue.
    assert.equal(trace.getSpanContext(extractIncomingContext(metadata).context)?.spanId, SPAN_ID);
  });

  it('an unsampled context propagates only traceparent with the sampled flag off, which the server continues unsampled', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE });
    const metadata = new Metadata();
    injectTraceHeaders(ctx, metadata, 'tracemesh');
    assert.equal(metadata.get('traceparent')[0], `00-${TRACE_ID}-${SPAN_ID}-00`);
    assert.deepEqual(metadata.get('x-bt-parent-span'), [], 'no Braintrust parent: it has no sampled flag, and is read first');
    const incoming = extractIncomingContext(metadata);
    assert.equal(incoming.source, 'traceparent');
    assert.equal(trace.getSpanContext(incoming.context)?.traceFlags, TraceFlags.NONE);
  });

  it('never throws on arbitrary header values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (bt, tp, baggage) => {
        const metadata = new Metadata();
        const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
        metadata.set('x-bt-parent-span', printable(bt));
        metadata.set('traceparent', printable(tp));
        metadata.set('baggage', printable(baggage));
        const incoming = extractIncomingContext(metadata);
        assert.ok(['x-bt-parent-span', 'traceparent', 'none'].includes(incoming.source));
      }),
      { numRuns: 500 },
    );
  });
});
