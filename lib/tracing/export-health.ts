// Accounting of what the tracing backend did and did not take. Spans leave in the background and a
// backend that is down or slow must never fail or stall a user's call, so buffers are bounded and
// anything that cannot be delivered is dropped — and counted here, and logged, so it is never lost
// silently. Braintrust rows are counted at the SDK's `fetch` (a /logs3 batch that fails its last
// try is dropped by the SDK); OTel spans at the exporter and from the batch processor's own
// "Dropped N spans" report when its queue is full.
import { context, diag, DiagLogLevel, ROOT_CONTEXT, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logging.js';
import { logs3RowCount } from './logs3-row-count.js';

export interface ExportCounts {
  rowsSent: number;
  rowsDropped: number;
  spansSent: number;
  spansDropped: number;
  failedRequests: number;
}

/** Tries the Braintrust SDK makes per /logs3 batch (its default; BRAINTRUST_NUM_RETRIES + 1). */
function braintrustTries(): number {
  const retries = Number(process.env.BRAINTRUST_NUM_RETRIES);
  return Number.isFinite(retries) && retries >= 0 ? retries + 1 : 3;
}

export class ExportHealth {
  readonly counts: ExportCounts = { rowsSent: 0, rowsDropped: 0, spansSent: 0, spansDropped: 0, failedRequests: 0 };
  private readonly attemptsByBatch = new Map<string, number>();
  /** The backend's last refusal or failure to answer, in words ("…/logs3 answered 401 Unauthorized"). */
  lastFailure: string | undefined;
  private reported: ExportCounts = { ...this.counts };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  /** A fetch for the Braintrust SDK that bounds each request's time and counts /logs3 rows. */
  countingFetch(requestTimeoutMs: number): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const isLogs = url.endsWith('/logs3') && typeof init?.body === 'string';
      const body = isLogs ? (init?.body as string) : '';
      const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(requestTimeoutMs)]) : AbortSignal.timeout(requestTimeoutMs);
      try {
        const response = await fetch(input, { ...init, signal });
        if (isLogs) this.logsAttempt(body, response.ok);
        if (!response.ok) this.lastFailure = `${url} answered ${response.status} ${response.statusText}`.trimEnd();
        return response;
      } catch (error) {
        if (isLogs) this.logsAttempt(body, false);
        this.lastFailure = `${url}: ${error instanceof Error ? error.message : String(error)}`;
        throw error;
      }
    };
  }

  /** Rows never handed to the SDK because too many were waiting for the backend already. */
  rowsRefused(count: number): void {
    this.counts.rowsDropped += count;
  }

  private logsAttempt(body: string, ok: boolean): void {
    const key = `${body.length}:${body.slice(0, 200)}:${body.slice(-200)}`;
    if (ok) {
      this.counts.rowsSent += logs3RowCount(body);
      this.attemptsByBatch.delete(key);
      return;
    }
    this.counts.failedRequests++;
    const attempts = (this.attemptsByBatch.get(key) ?? 0) + 1;
    if (attempts >= braintrustTries()) {
      this.counts.rowsDropped += logs3RowCount(body);
      this.attemptsByBatch.delete(key);
    } else {
      this.attemptsByBatch.set(key, attempts);
    }
  }

  /** Wraps an exporter so that delivered and failed spans are counted. */
  countingExporter(inner: SpanExporter): SpanExporter {
    return {
      export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
        inner.export(spans, (result) => {
          if (result.code === ExportResultCode.SUCCESS) this.counts.spansSent += spans.length;
          else {
            this.counts.failedRequests++;
            this.counts.spansDropped += spans.length;
            this.lastFailure = `OTLP export: ${result.error?.message ?? 'failed'}`;
          }
          done(result);
        }),
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /** Routes OTel's diagnostics into our logs, counting the batch processor's queue-full drops. */
  installDiagLogger(): void {
    const forward = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => {
      const dropped = /Dropped (\d+) spans because maxQueueSize reached/.exec(message);
      if (dropped) this.counts.spansDropped += Number(dropped[1]);
      const details = args.length > 0 ? { otel: args.map(String).join(' ').slice(0, 500) } : {};
      // An export's trouble belongs to no request: log it outside the span its timer was started in,
      // or the line would carry the trace id of whichever turn happened to start that timer.
      context.with(ROOT_CONTEXT, () => this.log[level](details, `opentelemetry: ${message}`));
    };
    const logger: DiagLogger = {
      error: forward('error'),
      warn: forward('warn'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  }

  /** Logs a summary whenever something was dropped or failed since the last one. */
  startReporting(intervalMs: number): void {
    this.timer = setInterval(() => this.report(false), intervalMs);
    this.timer.unref();
  }

  report(final: boolean): void {
    const now = { ...this.counts };
    const changed = now.rowsDropped !== this.reported.rowsDropped || now.spansDropped !== this.reported.spansDropped || now.failedRequests !== this.reported.failedRequests;
    if (changed) this.log.warn({ tracing: now }, 'the trace backend did not take everything: spans were dropped or requests failed');
    else if (final) this.log.debug({ tracing: now }, 'tracing export summary');
    this.reported = now;
  }

  stop(): void {
    clearInterval(this.timer);
    this.report(true);
  }
}

