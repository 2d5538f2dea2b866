// Spans reach the trace backend in batches a moment after they end: wait until the trace has its
// root and has stopped growing before showing it.
import type { SpanRow, TraceBackend } from '../trace-reader.js';

export async function waitForTrace(
  backend: TraceBackend,
  rootSpanId: string,
  options: { timeoutMs?: number; settleMs?: number; isComplete?: (rows: SpanRow[]) => boolean; experimentId?: string } = {},
): Promise<SpanRow[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const settleMs = options.settleMs ?? 700;
  let rows: SpanRow[] = [];
  let stableSince = Date.now();
  let lastCount = -1;
  while (Date.now() < deadline) {
    rows = await backend.fetchTrace(rootSpanId, options.experimentId);
    if (rows.length !== lastCount) {
      lastCount = rows.length;
      stableSince = Date.now();
    }
    const complete = options.isComplete ? options.isComplete(rows) : rows.length > 0;
    if (complete && Date.now() - stableSince >= settleMs) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return rows;
}
