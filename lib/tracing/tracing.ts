// The tracing bridge's setup, the same in every process: a Braintrust logger, Braintrust's OTel
// compatibility mode (Braintrust spans become the active OTel span, with OTel ids), and an OTel
// tracer provider whose spans go to the same backend through BraintrustSpanProcessor. W3C trace
// context and baggage are the global propagators. With tracing off everything is a no-op.
import { BraintrustSpanProcessor, setupOtelCompat } from '@braintrust/otel';
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { flush as braintrustFlush, initLogger, setMaskingFunction, type Logger as BraintrustLogger } from 'braintrust';
import { securityConfig, tracingConfig, type TracingConfig } from '../config.js';
import { redactPhi } from './phi-redaction.js';

export interface Tracing {
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly projectName: string;
  /** Logs Braintrust spans into the configured project; undefined when tracing is off. */
  readonly logger: BraintrustLogger<true> | undefined;
  readonly tracer: Tracer;
  /** Sends buffered spans, giving up after `timeoutMs` so a dead backend never blocks the caller. */
  flush(timeoutMs?: number): Promise<boolean>;
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
export function initTracing(serviceName: string, config: TracingConfig = tracingConfig()): Tracing {
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

  // Spans leave in small batches soon after they end: traces should be readable within a second.
  process.env.OTEL_BSP_SCHEDULE_DELAY ??= '300';
  setupOtelCompat();
  const processors: SpanProcessor[] = [
    new BraintrustSpanProcessor({
      apiKey: config.apiKey,
      apiUrl: config.apiUrl ?? 'https://api.braintrust.dev',
      parent: `project_name:${config.projectName}`,
    }),
  ];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);

  // The SDK learns the API URL from the login response (the local store answers with its own URL).
  const logger = initLogger({
    projectName: config.projectName,
    apiKey: config.apiKey,
    appUrl: config.appUrl,
    asyncFlush: true,
    setCurrent: true,
  });
  if (securityConfig().redactPhi) setMaskingFunction(redactPhi);

  current = {
    enabled: true,
    serviceName,
    projectName: config.projectName,
    logger,
    tracer: trace.getTracer('tracemesh'),
    flush: (timeoutMs = 10_000) =>
      withTimeout(Promise.all([braintrustFlush(), provider.forceFlush()]), timeoutMs),
    shutdown: async (timeoutMs = 10_000) => {
      await withTimeout(Promise.all([braintrustFlush(), provider.forceFlush()]), timeoutMs);
      await withTimeout(provider.shutdown(), 1_000);
    },
  };
  return current;
}
