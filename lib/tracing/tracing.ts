// The tracing bridge's setup, the same in every process: a Braintrust logger, Braintrust's OTel
// compatibility mode (Braintrust spans become the active OTel span, with OTel ids), and an OTel
// tracer provider whose spans go to the same backend through BraintrustSpanProcessor. W3C trace
// context and baggage are the global propagators. With tracing off everything is a no-op.
import { BraintrustSpanProcessor, setupOtelCompat } from '@braintrust/otel';
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { _internalGetGlobalState, _internalIso, flush as braintrustFlush, initLogger, setMaskingFunction, type Logger as BraintrustLogger } from 'braintrust';
import { DEFAULT_MAX_WAITING_ROWS, exportReportMs, securityConfig, tracingConfig, type TracingConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { BoundedBackgroundLogger } from './bounded-background-logger.js';
import { ExportHealth, type ExportCounts } from './export-health.js';
import { isOtelOnlySpan, otlpCollectorConfigured } from './otel-only-spans.js';
import { redactPhi } from './phi-redaction.js';

/** The longest one export request to the trace backend may take. */
const EXPORT_TIMEOUT_MS = 5_000;
/**
 * How often buffered Braintrust rows are sent. Left to itself the SDK posts a /logs3 request for
 * every span event whenever none is in flight — many small requests per turn, each a fetch here and
 * a SQLite transaction at the store. Batching them on a timer (rows of a span merged into one)
 * cut a 0 ms-tool turn from 29 to 12 ms at concurrency 1 (bench/README.md, tracing-overhead).
 */
const BRAINTRUST_FLUSH_INTERVAL_MS = 200;

export interface Tracing {
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly projectName: string;
  /** Logs Braintrust spans into the configured project; undefined when tracing is off. */
  readonly logger: BraintrustLogger<true> | undefined;
  readonly tracer: Tracer;
  /** Sends buffered spans, giving up after `timeoutMs` so a dead backend never blocks the caller. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** What the backend took and what was dropped so far. */
  exportCounts(): ExportCounts;
  /** The backend's last refusal or failure to answer, if any (to say why spans did not arrive). */
  lastExportFailure(): string | undefined;
  shutdown(timeoutMs?: number): Promise<void>;
}

let current: Tracing | undefined;

/** The process's tracing, set up by initTracing (a no-op tracer before that). */
export function tracing(): Tracing {
  return current ?? disabledTracing('uninitialised');
}

function disabledTracing(serviceName: string): Tracing {
  return {
    enabled: false,
    serviceName,
    projectName: '',
    logger: undefined,
    tracer: trace.getTracer('tracemesh'),
    flush: async () => true,
    exportCounts: () => ({ rowsSent: 0, rowsDropped: 0, spansSent: 0, spansDropped: 0, failedRequests: 0 }),
    lastExportFailure: () => undefined,
    shutdown: async () => undefined,
  };
}

async function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sets up tracing for this process once; later calls return the same instance. */
export interface TracingOptions {
  /**
   * The process tells its user in one plain line whether the backend took its spans (`tracemesh
   * chat`): its tracing logs only errors unless LOG_LEVEL asks for more, so that a trace store that
   * is down does not print JSON log lines into a terminal session.
   */
  reportsExportItself?: boolean;
}

export function initTracing(serviceName: string, config: TracingConfig = tracingConfig(), options: TracingOptions = {}): Tracing {
  if (current) return current;

  // Propagation works even with tracing off, so a mesh process still forwards its caller's context.
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (!config.enabled) {
    current = disabledTracing(serviceName);
    return current;
  }

  const log = createLogger(serviceName);
  if (options.reportsExportItself && process.env.LOG_LEVEL === undefined) log.level = 'error';
  // While the backend is down, a summary every other report: once a minute with the 30 s default.
  const health = new ExportHealth(log, { outageSummaryMs: 2 * exportReportMs() });
  health.installDiagLogger();
  setupOtelCompat();
  // The SDK captures a stack trace for every span to record its caller's file and line; ours are
  // always the same helper (lib/tracing/spans.ts) and the capture is a large share of a span's CPU.
  _internalIso.getCallerLocation = () => undefined;
  const apiUrl = config.apiUrl ?? process.env.BRAINTRUST_API_URL ?? 'https://api.braintrust.dev';
  const parent = `project_name:${config.projectName}`;
  const otlpUrl = new URL('otel/v1/traces', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).href;
  const processors: SpanProcessor[] = [
    // BraintrustSpanProcessor tags each span with its Braintrust destination; the exporter behind it
    // is ours so that what the backend does not take is counted. Small, bounded, frequent batches:
    // traces are readable within a second and a dead backend costs a fixed amount of memory.
    new BraintrustSpanProcessor({
      parent,
      filterAISpans: true,
      customFilter: (span) => !isOtelOnlySpan(span),
      _spanProcessor: new BatchSpanProcessor(
        health.countingExporter(
          new OTLPTraceExporter({
            url: otlpUrl,
            headers: { Authorization: `Bearer ${config.apiKey}`, 'x-bt-parent': parent },
            timeoutMillis: EXPORT_TIMEOUT_MS,
          }),
          otlpUrl,
        ),
        { maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 300, exportTimeoutMillis: EXPORT_TIMEOUT_MS },
      ),
    }),
  ];
  // Any OTLP collector as well (Jaeger, Tempo, an OTel Collector…), configured the standard way.
  if (otlpCollectorConfigured()) {
    processors.push(new BatchSpanProcessor(health.countingExporter(new OTLPTraceExporter(), collectorTracesUrl()), { maxQueueSize: 4096, scheduledDelayMillis: 500 }));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);

  // The SDK learns the API URL from the login response (the local store answers with its own URL).
  // Its queue is bounded and every request has a deadline.
  const logger = withBackgroundLoggerSettings(() =>
    initLogger({
      projectName: config.projectName,
      apiKey: config.apiKey,
      appUrl: config.appUrl,
      asyncFlush: true,
      setCurrent: true,
      fetch: health.countingFetch(EXPORT_TIMEOUT_MS),
      onFlushError: () => undefined,
    }),
  );
  const state = _internalGetGlobalState();
  const httpLogger = state.httpLogger();
  const sdkTries = httpLogger.numTries;
  health.setBraintrustTries(() => httpLogger.numTries);
  // The SDK waits 1 s and 2 s between its tries, and its exit flush too keeps a finishing process
  // alive: it tries once against a backend that refuses connections, or that did not answer before
  // a flush gave up on it (hung) and has not answered since.
  let flushGaveUpAt: number | undefined;
  state.setOverrideBgLogger(
    new BoundedBackgroundLogger(httpLogger, {
      maxWaitingRows: config.maxWaitingRows ?? DEFAULT_MAX_WAITING_ROWS,
      onRefused: (rows) => health.rowsRefused(rows),
      beforeFlush: async () => {
        const backend = state.loggedIn && state.apiUrl ? state.apiUrl : config.appUrl;
        const hung = flushGaveUpAt !== undefined && (health.reachability.lastAnswerAt(backend) ?? 0) < flushGaveUpAt;
        httpLogger.numTries = hung || (await health.reachability.refusal(backend)) !== undefined ? 1 : sdkTries;
      },
    }),
  );
  const flushWithin = async (timeoutMs: number): Promise<boolean> => {
    const delivered = await withTimeout(Promise.all([braintrustFlush(), provider.forceFlush()]), timeoutMs);
    if (!delivered) {
      flushGaveUpAt = Date.now();
      httpLogger.numTries = 1;
    }
    return delivered;
  };
  const flushTimer = setInterval(() => void braintrustFlush().catch(() => undefined), BRAINTRUST_FLUSH_INTERVAL_MS);
  flushTimer.unref();
  if (securityConfig().redactPhi) setMaskingFunction(redactPhi);
  health.startReporting(exportReportMs());

  current = {
    enabled: true,
    serviceName,
    projectName: config.projectName,
    logger,
    tracer: trace.getTracer('tracemesh'),
    flush: (timeoutMs = 10_000) => flushWithin(timeoutMs),
    exportCounts: () => ({ ...health.counts }),
    lastExportFailure: () => health.lastFailure,
    shutdown: async (timeoutMs = 10_000) => {
      clearInterval(flushTimer);
      await flushWithin(timeoutMs);
      await withTimeout(provider.shutdown(), 1_000);
      health.stop();
    },
  };
  return current;
}

/**
 * Builds the SDK's logger (and its background logger, built once) under our settings, which the
 * SDK reads only from the environment — without leaving them set for other loggers or for child
 * processes (`tracemesh up` passes its environment on). An operator's own values win.
 *  - BRAINTRUST_SYNC_FLUSH=1: send only when flushed (by our timer), not once per span event;
 *  - BRAINTRUST_QUEUE_DROP_EXCEEDING_MAXSIZE=10000: the SDK's own queue bound, a backstop behind
 *    TRACEMESH_TRACE_MAX_WAITING_ROWS (its drops are not reported; ours are).
 */
function withBackgroundLoggerSettings<T>(create: () => T): T {
  const settings: Record<string, string> = { BRAINTRUST_SYNC_FLUSH: '1', BRAINTRUST_QUEUE_DROP_EXCEEDING_MAXSIZE: '10000' };
  const ours = Object.keys(settings).filter((name) => process.env[name] === undefined);
  for (const name of ours) process.env[name] = settings[name];
  try {
    const created = create();
    _internalGetGlobalState().bgLogger();
    return created;
  } finally {
    for (const name of ours) delete process.env[name];
  }
}

/** Where the OTLP exporter sends traces when a collector is configured (its own rule, for naming the backend). */
function collectorTracesUrl(): string {
  const traces = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ?? 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
