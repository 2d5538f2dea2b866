// Structured logs (pino) to stderr, each line stamped with the active trace and span ids so a log
// line leads to its trace.
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { logLevel } from './config.js';

export type { Logger };

export function createLogger(service: string, destination: DestinationStream = pino.destination(2)): Logger {
  return pino({
    name: service,
    level: logLevel(),
    base: { service, pid: process.pid },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
    },
  }, destination);
}
