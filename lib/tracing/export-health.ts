// Accounting of what the tracing backend did and did not take. Spans leave in the background and a
// backend that is down or slow must never fail or stall a user's call, so buffers are bounded and
// anything that cannot be delivered is dropped — and counted here, and logged, so it is never lost
// silently. Braintrust rows are counted at the SDK's `fetch` (a /logs3 batch that fails its last
// try is dropped by the SDK); OTel spans at the exporter and from the batch processor's own
// "Dropped N spans" report when its queue is full. While a backend is down this says so once (warn,
// with its address and why, no stack), then sums up at most once a minute, and says when it is back
// (info): OTel's own error-level report of each failed export, a stack every few seconds, is only
// logged at debug — it paged people during an outage for what the summary already says.
import { context, diag, DiagLogLevel, ROOT_CONTEXT, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logging.js';
import { BackendReachability, originOf } from './backend-reachability.js';
import { logs3RowCount } from './logs3-row-count.js';

export interface ExportCounts {
  rowsSent: number;
  rowsDropped: number;
  spansSent: number;
  spansDropped: number;
  failedRequests: number;
}

/** While a backend stays down, its summary is logged at most this often. */
const OUTAGE_SUMMARY_MS = 60_000;
/** How many recent failed exports' messages are kept, to recognise OTel's own report of them. */
const REMEMBERED_EXPORT_ERRORS = 32;

export interface ExportHealthOptions {
  /** At most one summary per this while a backend is down (default a minute). */
  outageSummaryMs?: number;
  now?: () => number;
}

/** A backend (scheme, host and port) that failed its last request. */
interface Outage {
  since: number;
  reason: string;
  failedRequests: number;
  /** The counts as it began, to say what it cost. */
  countsAtStart: ExportCounts;
}

/** Tries the Braintrust SDK makes per /logs3 batch (its default; BRAINTRUST_NUM_RETRIES + 1). */
function defaultBraintrustTries(): number {
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
  /** Whether a backend refuses connections, so that exports to it fail at once instead of retrying. */
  readonly reachability: BackendReachability;
  private readonly outages = new Map<string, Outage>();
  private lastOutageSummaryAt = 0;
  private readonly outageSummaryMs: number;
  private readonly now: () => number;
  /** Messages of recent failed exports: OTel reports each again through its error handler. */
  private readonly recentExportErrors = new Set<string>();
  /** The SDK's tries per /logs3 batch as things are now (tracing lowers them while the backend refuses connections). */
  private braintrustTries: () => number = defaultBraintrustTries;

  constructor(
    private readonly log: Logger,
    options: ExportHealthOptions = {},
  ) {
    this.outageSummaryMs = options.outageSummaryMs ?? OUTAGE_SUMMARY_MS;
    this.now = options.now ?? Date.now;
    this.reachability = new BackendReachability(this.now);
  }

  /** Where the SDK's current tries per batch come from (a batch is dropped after its last). */
  setBraintrustTries(tries: () => number): void {
    this.braintrustTries = tries;
  }

  /** A fetch for the Braintrust SDK that bounds each request's time and counts /logs3 rows. */
  countingFetch(requestTimeoutMs: number): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const isLogs = url.endsWith('/logs3') && typeof init?.body === 'string';
      const body = isLogs ? (init?.body as string) : '';
      const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(requestTimeoutMs)]) : AbortSignal.timeout(requestTimeoutMs);
      try {
        const response = await fetch(input, { ...init, signal });
        this.reachability.answered(url);
        if (response.ok) this.backendTook(url);
        else {
          this.lastFailure = `${url} answered ${response.status} ${response.statusText}`.trimEnd();
          // Only a refused /logs3 loses spans; other requests (a lookup) may fail for other reasons.
          if (isLogs) this.backendFailed(url, `answered ${response.status} ${response.statusText}`.trimEnd());
        }
        if (isLogs) this.logsAttempt(body, response.ok);
        return response;
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        this.backendFailed(url, timedOut ? `no answer within ${requestTimeoutMs} ms` : networkFailure(error));
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
    if (attempts >= this.braintrustTries()) {
      this.counts.rowsDropped += logs3RowCount(body);
      this.attemptsByBatch.delete(key);
    } else {
      this.attemptsByBatch.set(key, attempts);
    }
  }

  /**
   * Wraps an exporter that sends to `url` so that delivered and failed spans are counted. A batch
   * for a backend that refuses connections fails at once: the OTLP exporter would retry it with
   * backoff for its whole deadline, holding timers that keep a finishing process alive.
   */
  countingExporter(inner: SpanExporter, url: string): SpanExporter {
    return {
      export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => {
        const finish = (result: ExportResult): void => {
          if (result.code === ExportResultCode.SUCCESS) {
            this.reachability.answered(url);
            this.backendTook(url);
            this.counts.spansSent += spans.length;
          } else {
            const reason = result.error ? networkFailure(result.error) : 'failed';
            this.rememberExportError(reason);
            this.backendFailed(url, reason);
            this.counts.failedRequests++;
            this.counts.spansDropped += spans.length;
            this.lastFailure = `OTLP export: ${reason}`;
          }
          done(result);
        };
        void this.reachability.refusal(url).then((refusal) => {
          if (refusal !== undefined) return finish({ code: ExportResultCode.FAILED, error: new Error(refusal) });
          try {
            inner.export(spans, finish);
          } catch (error) {
            // Thrown here it would be an unhandled rejection; the batch processor gets a failed export.
            finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
          }
        });
      },
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /** Routes OTel's diagnostics into our logs, counting the batch processor's queue-full drops. */
  installDiagLogger(): void {
    const forward = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => {
      const dropped = /Dropped (\d+) spans because maxQueueSize reached/.exec(message);
      if (dropped) this.counts.spansDropped += Number(dropped[1]);
      // A failed export, already counted and reported as the backend's outage: no error (and stack) each time.
      if (level === 'error' && this.isExportFailureReport(message)) {
        this.logOutsideRequests('debug', { otel: message.slice(0, 500) }, 'opentelemetry: a span export failed');
        return;
      }
      const details = args.length > 0 ? { otel: args.map(String).join(' ').slice(0, 500) } : {};
      this.logOutsideRequests(level, details, `opentelemetry: ${message}`);
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

  /**
   * Whether an OTel diagnostic is the batch processor's report of a failed export: its error
   * handler logs the error as JSON ({"stack":…,"message":…}) — one an export of ours just failed
   * with, or its own "Timeout" when an export outlives its deadline.
   */
  private isExportFailureReport(message: string): boolean {
    if (!message.startsWith('{')) return false;
    let reported: { message?: unknown; stack?: unknown };
    try {
      reported = JSON.parse(message) as { message?: unknown; stack?: unknown };
    } catch {
      return false;
    }
    if (typeof reported.message !== 'string') return false;
    if (this.recentExportErrors.has(reported.message)) return true;
    return reported.message === 'Timeout' && typeof reported.stack === 'string' && reported.stack.includes('BatchSpanProcessor');
  }

  private rememberExportError(message: string): void {
    this.recentExportErrors.delete(message);
    this.recentExportErrors.add(message);
    if (this.recentExportErrors.size > REMEMBERED_EXPORT_ERRORS) {
      const oldest = this.recentExportErrors.values().next().value;
      if (oldest !== undefined) this.recentExportErrors.delete(oldest);
    }
  }

  /** A request to the backend at `url` failed: the first failure of an outage is logged, once. */
  private backendFailed(url: string, reason: string): void {
    const backend = originOf(url);
    const outage = this.outages.get(backend);
    if (outage) {
      outage.failedRequests++;
      outage.reason = reason;
      return;
    }
    if (this.outages.size === 0) this.lastOutageSummaryAt = this.now();
    this.outages.set(backend, { since: this.now(), reason, failedRequests: 1, countsAtStart: { ...this.counts } });
    this.logOutsideRequests('warn', { backend, url, reason }, 'trace backend unreachable: spans for it are dropped (and counted) until it answers');
  }

  /** A request to the backend at `url` succeeded: an outage of it is over. */
  private backendTook(url: string): void {
    const backend = originOf(url);
    const outage = this.outages.get(backend);
    if (!outage) return;
    this.outages.delete(backend);
    // This line sums up the outage: the next periodic report covers only what follows it.
    if (this.outages.size === 0) this.reported = { ...this.counts };
    this.logOutsideRequests(
      'info',
      {
        backend,
        downForMs: this.now() - outage.since,
        failedRequests: outage.failedRequests,
        spansDropped: this.counts.spansDropped - outage.countsAtStart.spansDropped,
        rowsDropped: this.counts.rowsDropped - outage.countsAtStart.rowsDropped,
      },
      'trace backend reachable again',
    );
  }

  /**
   * An export's trouble belongs to no request: log it outside the span it happened in, or the line
   * would carry the trace id of whichever turn happened to start that export's timer.
   */
  private logOutsideRequests(level: 'debug' | 'info' | 'warn' | 'error', details: object, message: string): void {
    context.with(ROOT_CONTEXT, () => this.log[level](details, message));
  }

  /** Logs a summary whenever something was dropped or failed since the last one. */
  startReporting(intervalMs: number): void {
    this.timer = setInterval(() => this.report(false), intervalMs);
    this.timer.unref();
  }

  report(final: boolean): void {
    const now = { ...this.counts };
    if (this.outages.size > 0) {
      // While a backend stays down every interval drops something: say so at most once per summary interval.
      if (!final && this.now() - this.lastOutageSummaryAt < this.outageSummaryMs) return;
      this.lastOutageSummaryAt = this.now();
      this.reported = now;
      const down = [...this.outages].map(([backend, outage]) => ({ backend, downForMs: this.now() - outage.since, failedRequests: outage.failedRequests, reason: outage.reason }));
      this.logOutsideRequests('warn', { tracing: now, down }, 'trace backend still unreachable: spans were dropped or requests failed');
      return;
    }
    const changed = now.rowsDropped !== this.reported.rowsDropped || now.spansDropped !== this.reported.spansDropped || now.failedRequests !== this.reported.failedRequests;
    if (changed) this.logOutsideRequests('warn', { tracing: now }, 'the trace backend did not take everything: spans were dropped or requests failed');
    else if (final) this.logOutsideRequests('debug', { tracing: now }, 'tracing export summary');
    this.reported = now;
  }

  stop(): void {
    clearInterval(this.timer);
    this.report(true);
  }
}

/** Why a request got no HTTP answer: fetch's "fetch failed" says nothing, its cause does ("connect ECONNREFUSED …"). */
/**
 * Why a request to the backend failed, from the socket's error (fetch wraps it as the cause), with
 * its code when the message lacks it: a backend killed mid-request is undici's bare "other side
 * closed" or node's "socket hang up", which say little without UND_ERR_SOCKET / ECONNRESET.
 */
function networkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error && error.cause.message !== '' ? error.cause : error;
  const code = (inner as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !inner.message.includes(code) ? `${inner.message} (${code})` : inner.message;
}
