// Reading trace rows in tests: names, parents, and the nearest ancestor among a set of span names
// (the drawn tree of Braintrust spans, skipping the OTel RPC spans between processes).
import type { SpanRow } from '../../clients/node/trace-reader.js';
import { waitForTrace } from '../../clients/node/cli/trace-waiter.js';
import { TraceBackend } from '../../clients/node/trace-reader.js';
import { spanName, spanParent } from '../../clients/node/span-fields.js';

export const nameOf = (row: SpanRow): string => spanName(row);

export function named(rows: SpanRow[], name: string): SpanRow[] {
  return rows.filter((row) => nameOf(row) === name);
}

export function parentOf(rows: SpanRow[], row: SpanRow): SpanRow | undefined {
  const parentId = spanParent(row);
  return parentId ? rows.find((candidate) => candidate.span_id === parentId) : undefined;
}

export function nearestAncestorNamed(rows: SpanRow[], row: SpanRow, names: string[]): SpanRow | undefined {
  for (let current = parentOf(rows, row); current; current = parentOf(rows, current)) {
    if (names.includes(nameOf(current))) return current;
  }
  return undefined;
}

export function serviceNames(rows: SpanRow[]): Set<string> {
  const names = new Set<string>();
  for (const row of rows) {
    const service = (row.metadata as Record<string, unknown> | undefined)?.['service.name'];
    if (typeof service === 'string') names.add(service);
  }
  return names;
}

/** A reader of one mesh's local trace store (not the one the environment names). */
export function localTraceBackend(url: string, options: { projectName?: string; token?: string } = {}): TraceBackend {
  return new TraceBackend({ enabled: true, projectName: options.projectName ?? 'tracemesh', backend: 'local', apiKey: options.token ?? 'local', appUrl: url, apiUrl: url });
}

/** Waits until the trace holds every span name in `expected` (with at least the given counts), read from `backend` (default: the environment's). */
export function waitForSpans(rootSpanId: string, expected: Record<string, number>, timeoutMs = 20_000, backend = new TraceBackend()): Promise<SpanRow[]> {
  return waitForTrace(backend, rootSpanId, {
    timeoutMs,
    settleMs: 500,
    isComplete: (rows) => Object.entries(expected).every(([name, count]) => named(rows, name).length >= count),
  });
}
