// A trace backend that is down is one warn line (its address and why, no stack), then a summary at
// most once a minute while it stays down, then an info line when it answers again — not an
// error-level line with a stack for every failed export, which OTel's batch processor reports
// through its error handler (the diag logger). An export to an address that refuses connections
// fails at once, without the OTLP exporter's retries.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../../lib/logging.js';
import { ExportHealth } from '../../lib/tracing/export-health.js';

type Line = Record<string, unknown> & { level: number; msg: string };

function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: () => Line[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('export-outage-test', sink);
  log.level = 'debug';
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line) };
}

/** What OTel's batch processor hands its error handler for a failed export (loggingErrorHandler's JSON). */
function reportedByBatchProcessor(error: Error): string {
  return JSON.stringify({ stack: error.stack, message: error.message });
}

/** An exporter whose every export ends as `outcome` says, counting its calls. */
function scriptedExporter(outcome: () => ExportResult): SpanExporter & { calls: number } {
  const exporter = {
    calls: 0,
    export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => {
      exporter.calls++;
      setImmediate(() => done(outcome()));
    },
    shutdown: async () => undefined,
  };
  return exporter;
}

function exportOnce(exporter: SpanExporter, spans = 2): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(Array.from({ length: spans }, () => ({}) as ReadableSpan), resolve));
}

async function listeningServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/otel/v1/traces`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function refusedUrl(): Promise<string> {
  const server = await listeningServer();
  await server.close();
  return server.url;
}

describe('ExportHealth while the trace backend is down', () => {
  afterEach(() => diag.disable());

  it('logs one warn line without a stack, keeps the batch processor\'s reports of each failure off error level, and still logs other OTel errors', async () => {
    const { log, lines } = capturingLogger();
    const health = new ExportHealth(log);
    health.installDiagLogger();
    const backend = await listeningServer(); // it accepts connections, so exports are tried
    try {
      const failure = new Error('Request timed out');
      const exporter = health.countingExporter(scriptedExporter(() => ({ code: ExportResultCode.FAILED, error: failure })), backend.url);
      for (let i = 0; i < 5; i++) {
        await exportOnce(exporter);
        diag.error(reportedByBatchProcessor(failure)); // what BatchSpanProcessor does after each
      }
      const timeout = new Error('Timeout');
      timeout.stack = 'Error: Timeout\n    at Timeout._onTimeout (…/sdk-trace/src/export/BatchSpanProcessorBase.ts:169:16)';
      diag.error(reportedByBatchProcessor(timeout));
      diag.error(reportedByBatchProcessor(new Error('a span processor failed to start')));
    } finally {
      await backend.close();
    }
    const warnOrWorse = lines().filter((line) => line.level >= 40);
    assert.deepEqual(
      warnOrWorse.map((line) => line.level),
      [40, 50],
      warnOrWorse.map((line) => line.msg).join('\n'),
    );
    assert.equal(warnOrWorse[0]?.msg, 'trace backend unreachable: spans for it are dropped (and counted) until it answers');
    assert.equal(warnOrWorse[0]?.url, backend.url);
    assert.equal(warnOrWorse[0]?.reason, 'Request timed out');
    assert.doesNotMatch(JSON.stringify(warnOrWorse[0]), /stack/);
    assert.match(String(warnOrWorse[1]?.msg), /a span processor failed to start/, 'an OTel error unrelated to export is still an error');
    assert.equal(health.counts.spansDropped, 10);
    assert.equal(health.counts.failedRequests, 5);
  });

  it('sums up at most once a minute while the backend stays down, and says when it answers again', async () => {
    let now = 0;
    const { log, lines } = capturingLogger();
    const health = new ExportHealth(log, { outageSummaryMs: 60_000, now: () => now });
    const backend = await listeningServer();
    let up = false;
    const exporter = health.countingExporter(
      scriptedExporter(() => (up ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('connect ECONNRESET') })),
      backend.url,
    );
    try {
      // Two minutes down, an export failing every 5 s and the periodic report every 5 s.
      for (; now <= 120_000; now += 5_000) {
        await exportOnce(exporter);
        health.report(false);
      }
      up = true;
      await exportOnce(exporter);
      now += 5_000;
      health.report(false); // nothing new since it came back
    } finally {
      await backend.close();
    }
    const logged = lines().filter((line) => line.level >= 30);
    // Summaries a minute and two minutes in: not every 5 s.
    assert.deepEqual(logged.map((line) => [line.level, line.msg]), [
      [40, 'trace backend unreachable: spans for it are dropped (and counted) until it answers'],
      [40, 'trace backend still unreachable: spans were dropped or requests failed'],
      [40, 'trace backend still unreachable: spans were dropped or requests failed'],
      [30, 'trace backend reachable again'],
    ]);
    const summary = logged[1] as Line & { down: Array<Record<string, unknown>> };
    assert.equal(summary.down[0]?.backend, new URL(backend.url).origin);
    assert.equal(summary.down[0]?.reason, 'connect ECONNRESET');
    const recovered = logged[3];
    assert.equal(recovered?.downForMs, 125_000);
    assert.equal(recovered?.failedRequests, 25);
    assert.equal(recovered?.spansDropped, 50, 'what the outage cost');
  });

  it('fails an export to an address that refuses connections at once, without handing it to the exporter', async () => {
    const { log } = capturingLogger();
    const health = new ExportHealth(log);
    const inner = scriptedExporter(() => ({ code: ExportResultCode.SUCCESS }));
    const exporter = health.countingExporter(inner, await refusedUrl());
    const started = Date.now();
    const result = await exportOnce(exporter);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error?.message), /ECONNREFUSED/);
    assert.equal(inner.calls, 0, 'no request, so no retries');
    assert.ok(Date.now() - started < 1_000);
    assert.equal(health.counts.spansDropped, 2);
  });
});
