// Finding and loading the trace of a conversation for the trace scorers, through the trace
// backend's BTQL (the local store or Braintrust):
//   logged mode: the trace of a logged conversation, found by its conversation id;
//   live mode:   the trace of a conversation just run, once its spans have all arrived.
import type { JsonObject } from '../../../lib/json.js';
import { waitForTrace } from '../cli/trace-waiter.js';
import type { SpanRow, TraceBackend } from '../trace-reader.js';
import { traceRootOf, type CaseTraceResolver } from './scorers/case-trace.js';
import { asRecord, spanName, spanStart } from '../span-fields.js';
import { EvalTrace } from './trace.js';

const CONVERSATION_ROOT = 'client_conversation';

function ident(...path: string[]): JsonObject {
  return { op: 'ident', name: path };
}

function literal(value: string): JsonObject {
  return { op: 'literal', value };
}

export class ConversationTraces {
  constructor(private readonly backend: TraceBackend) {}

  /**
   * The root_span_id of the logged conversation `conversationId`. A conversation continued later
   * has several client_conversation roots: the one whose final response is `finalResponse` wins,
   * else the newest. Undefined when none is logged.
   */
  async rootOf(conversationId: string, finalResponse?: string): Promise<string | undefined> {
    const projectId = await this.backend.resolveProjectId();
    // The JSON AST form: the conversation id is a bound literal, never spliced into query text.
    const rows = await this.backend.btql({
      select: [{ op: 'star' }],
      from: { op: 'function', name: ident('project_logs'), args: [literal(projectId)] },
      filter: {
        op: 'and',
        children: [
          { op: 'eq', left: ident('span_attributes', 'name'), right: literal(CONVERSATION_ROOT) },
          { op: 'eq', left: ident('metadata', 'conversation_id'), right: literal(conversationId) },
        ],
      },
      limit: 100,
    });
    const candidates = rows.filter((row) => typeof row.root_span_id === 'string');
    const matching = finalResponse === undefined ? undefined : candidates.find((row) => asRecord(row.output)?.final_response === finalResponse);
    const newest = [...candidates].sort((a, b) => (spanStart(b) ?? 0) - (spanStart(a) ?? 0))[0];
    return (matching ?? newest)?.root_span_id;
  }

  /** A logged trace, fetched on first use. */
  logged(rootSpanId: string): EvalTrace {
    return new EvalTrace(() => this.backend.fetchTrace(rootSpanId));
  }

  /**
   * The trace of a conversation that just finished (`turns` turns): spans reach the backend in
   * batches from several processes, so loading waits until the root carries the conversation's
   * output, every turn has ended on the server and the trace has stopped growing.
   */
  live(rootSpanId: string, turns: number, beforeLoading: () => Promise<unknown>): EvalTrace {
    return new EvalTrace(async () => {
      await beforeLoading();
      return waitForTrace(this.backend, rootSpanId, { timeoutMs: 20_000, settleMs: 400, isComplete: (rows) => conversationComplete(rows, turns) });
    });
  }
}

function conversationComplete(rows: readonly SpanRow[], turns: number): boolean {
  const root = rows.find((row) => spanName(row) === CONVERSATION_ROOT);
  const finishedTurns = rows.filter((row) => spanName(row) === 'server_process_turn' && row.output !== undefined && row.output !== null);
  return asRecord(root?.output) !== undefined && finishedTurns.length >= turns;
}

/**
 * The trace scorers' resolver for `tracemesh eval`: the trace named by the case's metadata
 * (`trace_root_span_id`, set by the task). One EvalTrace per case, keyed by the case's metadata
 * object (the SDK hands the same one to every scorer of a case), so the case's trace is fetched
 * once and dropped with the case.
 */
export function conversationTraceResolver(traces: ConversationTraces, mode: 'logged' | 'live', flushSpans: () => Promise<unknown>): CaseTraceResolver {
  const perCase = new WeakMap<object, EvalTrace>();
  return ({ metadata }) => {
    const root = traceRootOf(metadata);
    if (!root || !metadata) return undefined;
    let trace = perCase.get(metadata);
    if (!trace) {
      trace = mode === 'live' ? traces.live(root, 1, flushSpans) : traces.logged(root);
      perCase.set(metadata, trace);
    }
    return trace;
  };
}
