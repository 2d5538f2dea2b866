// answer_complete — did the scored answer end because the model finished it, not because a limit
// cut it off? Read from the turn's stop reason: the live task's metadata.stop_reason (the last
// turn's), else the last turn in the case's trace (server_process_turn's output.stop_reason).
//   END_TURN, STOP_SEQUENCE, REFUSAL               → 1 (the model ended the answer itself)
//   MAX_TOKENS, TOKEN_BUDGET                       → 0 (cut mid-answer by a token limit)
//   MAX_ITERATIONS                                 → 0 (the tool loop stopped before the model answered)
//   PAUSE_TURN                                     → 0 (the turn stopped half-way)
//   no stop reason (UNSPECIFIED, nothing logged)   → null
// The length and structure scorers cannot see this: a cut answer can have a fine word count.
import { inExecutionOrder, objectAt, spanName, stringAt } from '../../span-fields.js';
import type { CaseTraceResolver } from './case-trace.js';
import type { CaseScorer } from './scorer-types.js';
import { defineScorer, errorMessage } from './scorer-types.js';

const COMPLETE: Record<string, string> = {
  STOP_REASON_END_TURN: 'the model finished its answer',
  STOP_REASON_STOP_SEQUENCE: 'the model produced a stop sequence',
  STOP_REASON_REFUSAL: 'the model declined to answer (judged by the other scorers, not cut short)',
};
const CUT: Record<string, string> = {
  STOP_REASON_MAX_TOKENS: 'truncated: the model call hit its max_tokens limit mid-answer',
  STOP_REASON_TOKEN_BUDGET: "truncated: the turn used up its token budget",
  STOP_REASON_MAX_ITERATIONS: 'iteration-capped: the tool loop hit max_iterations before the model gave its answer',
  STOP_REASON_PAUSE_TURN: 'the model paused the turn before finishing it',
};

/** 1, 0 or null for a stop reason (as TurnResult names it), with why. */
export function completionOf(stopReason: string | undefined): { score: number | null; why: string } {
  if (stopReason === undefined || stopReason === '' || stopReason === 'STOP_REASON_UNSPECIFIED') return { score: null, why: 'no stop reason was recorded for the turn' };
  if (stopReason in COMPLETE) return { score: 1, why: COMPLETE[stopReason]! };
  if (stopReason in CUT) return { score: 0, why: CUT[stopReason]! };
  return { score: null, why: `unknown stop reason ${stopReason}` };
}

export function answerCompleteScorer(resolveTrace: CaseTraceResolver): CaseScorer {
  return defineScorer('answer_complete', async (args) => {
    const logged = args.metadata?.stop_reason;
    if (typeof logged === 'string' && logged !== '') {
      const { score, why } = completionOf(logged);
      return { score, metadata: { stop_reason: logged, source: 'case metadata (the last turn)', why } };
    }
    const trace = resolveTrace(args);
    if (!trace) return { score: null, metadata: { skipped: 'no stop reason in the case metadata and no trace for this case' } };
    let turns: string[];
    try {
      const spans = inExecutionOrder(await trace.spans()).filter((span) => spanName(span) === 'server_process_turn');
      turns = spans.map((span) => stringAt(objectAt(span, 'output'), 'stop_reason') ?? '');
    } catch (error) {
      return { score: null, metadata: { error: `could not read the trace: ${errorMessage(error)}` } };
    }
    const last = turns[turns.length - 1];
    const { score, why } = completionOf(last);
    return { score, metadata: { stop_reason: last ?? null, source: 'trace (the last turn)', turn_stop_reasons: turns, why } };
  });
}
