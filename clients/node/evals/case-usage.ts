// What a case's conversation cost, from the trace the trace scorers already read (no extra fetch):
// tokens (prompt, completion, cached prompt), model calls and failed tool calls. Eval runs it as a
// step among the scorers that gives no score but logs these as metrics of the case, so experiments
// compare them (Braintrust shows every metric; the local store compares the token sums); the
// report keeps them per case.
import { currentSpan } from 'braintrust';
import { numberAt, objectAt } from '../span-fields.js';
import type { CaseTraceResolver } from './scorers/case-trace.js';
import { traceRootOf } from './scorers/case-trace.js';
import type { ScorerArgs } from './scorers/scorer-types.js';
import type { EvalTrace } from './trace.js';

export interface CaseUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_cached_tokens: number;
  model_calls: number;
  tool_errors: number;
}

export async function caseUsage(trace: EvalTrace): Promise<CaseUsage> {
  const usage: CaseUsage = { prompt_tokens: 0, completion_tokens: 0, prompt_cached_tokens: 0, model_calls: 0, tool_errors: 0 };
  for (const span of await trace.llmSpans()) {
    const metrics = objectAt(span, 'metrics');
    usage.model_calls++;
    usage.prompt_tokens += numberAt(metrics, 'prompt_tokens') ?? 0;
    usage.completion_tokens += numberAt(metrics, 'completion_tokens') ?? 0;
    usage.prompt_cached_tokens += numberAt(metrics, 'prompt_cached_tokens') ?? 0;
  }
  usage.tool_errors = (await trace.toolCalls()).filter((call) => call.status === 'failed').length;
  return usage;
}

/**
 * The usage step: logs the case's usage as metrics on its own span in the experiment (tokens also
 * as `tokens`, the total the comparison reads) and records it in `byTrace`. It returns no score;
 * a trace that cannot be read leaves the case without usage, never fails it.
 */
export function usageStep(resolveTrace: CaseTraceResolver, byTrace: Map<string, CaseUsage>) {
  const step = async (args: ScorerArgs): Promise<null> => {
    const root = traceRootOf(args.metadata);
    const trace = resolveTrace(args);
    if (!root || !trace) return null;
    try {
      const usage = await caseUsage(trace);
      byTrace.set(root, usage);
      currentSpan().log({ metrics: { ...usage, tokens: usage.prompt_tokens + usage.completion_tokens } });
    } catch {
      // The trace scorers report an unreadable trace; usage is only left out.
    }
    return null;
  };
  return Object.defineProperty(step, 'name', { value: 'trace_usage' });
}
