// How a trace scorer finds the trace of the case it scores. Inside `tracemesh eval` the case's
// metadata names the conversation's trace (`trace_root_span_id`, set by the task) and run-eval
// resolves it through the trace backend; in any other Eval the SDK's own trace of the case is used.
// Either way one EvalTrace serves all the trace scorers of a case, so its spans are fetched once.
import type { Trace } from 'braintrust';
import { EvalTrace, type TraceSpan } from '../trace.js';
import type { CaseScore, CaseScorer, ScorerArgs } from './scorer-types.js';
import { defineScorer, errorMessage } from './scorer-types.js';

/** The case metadata key naming the trace (root_span_id) that trace scorers read. */
export const TRACE_ROOT_KEY = 'trace_root_span_id';

export type CaseTraceResolver = (args: ScorerArgs) => EvalTrace | undefined;

// Keyed by the SDK's per-case trace object: gone with the case.
const sdkTraces = new WeakMap<Trace, EvalTrace>();

/** The SDK's trace of the case (spans fetched through trace.getSpans()), when Eval provides one. */
export const sdkCaseTrace: CaseTraceResolver = ({ trace }) => {
  if (!trace) return undefined;
  let evalTrace = sdkTraces.get(trace);
  if (!evalTrace) {
    evalTrace = new EvalTrace(async (): Promise<TraceSpan[]> => trace.getSpans());
    sdkTraces.set(trace, evalTrace);
  }
  return evalTrace;
};

export function traceRootOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const root = metadata?.[TRACE_ROOT_KEY];
  return typeof root === 'string' && root !== '' ? root : undefined;
}

export type TraceScoring = (trace: EvalTrace, args: ScorerArgs) => Promise<Omit<CaseScore, 'name'>>;

/**
 * A scorer over the case's trace. No trace: score null ("not applicable"). A failure while reading
 * or scoring: score null with the error in metadata — a trace problem never fails the eval.
 */
export function traceScorer(name: string, resolveTrace: CaseTraceResolver, scoring: TraceScoring): CaseScorer {
  return defineScorer(name, async (args) => {
    const trace = resolveTrace(args);
    if (!trace) return { score: null, metadata: { skipped: 'no trace for this case' } };
    try {
      return await scoring(trace, args);
    } catch (error) {
      return { score: null, metadata: { error: `could not read the trace: ${errorMessage(error)}` } };
    }
  });
}
