// ExportHealth's accounting and logs: what the trace backend did not take is counted and reported,
// and OTel's own diagnostics land in our logs without the trace id of whatever turn was running.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { context, diag, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger } from '../../lib/logging.js';
import { ExportHealth } from '../../lib/tracing/export-health.js';

function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    log: createLogger('export-health-test', sink),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const turnSpan = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED });

describe('ExportHealth', () => {
  before(() => {
    // Without a context manager every context is the root one and the check below would pass for nothing.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterEach(() => diag.disable());

  it('logs OTel diagnostics without the trace id of the span they happen to run in, and counts queue-full drops', () => {
    const { log, lines } = capturingLogger();
    const health = new ExportHealth(log);
    health.installDiagLogger();
    context.with(trace.setSpan(ROOT_CONTEXT, turnSpan), () => {
      log.info('inside the turn');
      diag.error('Export failed with retryable status');
      diag.warn('Dropped 7 spans because maxQueueSize reached');
    });
    const [inside, failed, dropped] = lines();
    assert.equal(inside?.trace_id, 'a'.repeat(32), 'ordinary lines do carry the active trace id');
    assert.equal(failed?.msg, 'opentelemetry: Export failed with retryable status');
    assert.equal(failed?.trace_id, undefined);
    assert.equal(failed?.otel, undefined, 'no empty details field');
    assert.equal(dropped?.trace_id, undefined);
    assert.equal(health.counts.spansDropped, 7);
  });

  it('names a backend that closes the connection mid-request with the socket code, not a bare "other side closed"', async () => {
    const { log, lines } = capturingLogger();
    const health = new ExportHealth(log);
    // Takes the request, then drops the connection without an answer (a backend killed mid-request).
    const server = createServer((request) => request.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs3`;
    try {
      await assert.rejects(health.countingFetch(5_000)(url, { method: 'POST', body: '{"rows":[]}' }));
    } finally {
      server.close();
    }
    const down = lines().find((line) => String(line.msg).startsWith('trace backend unreachable'));
    assert.equal(down?.reason, 'other side closed (UND_ERR_SOCKET)');
  });

  it('adds refused rows to the dropped rows and reports the change once', () => {
    const { log, lines } = capturingLogger();
    const health = new ExportHealth(log);
    health.rowsRefused(120);
    health.report(false);
    health.report(false);
    const reports = lines().filter((line) => line.tracing !== undefined);
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]?.tracing, { rowsSent: 0, rowsDropped: 120, spansSent: 0, spansDropped: 0, failedRequests: 0 });
  });
});
