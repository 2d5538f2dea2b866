// The two ways `tracemesh eval` produces a case's output:
//   logged: the response already in the logs (expected.final_response), scored as it is; the trace
//           is the logged conversation's, found by metadata.conversation_id.
//   live:   the case's patient query — and its follow-ups, turn by turn, for a case logged from a
//           conversation of several turns — sent through the live mesh again as a new traced
//           conversation; the output is its last answer, the trace the new conversation's.
// Either way the task records the trace's root_span_id in the case metadata for the trace scorers.
import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { EvalHooks, EvalParameters } from 'braintrust';
import type { TurnOptions } from '../../../gen/ts/tracemesh/conversation/v1/TurnOptions.js';
import type { ConversationServiceClient } from '../conversation-client.js';
import { TracedConversation } from '../traced-conversation.js';
import type { ConversationTraces } from './conversation-traces.js';
import { conversationIdOf, expectedResponseOf, followUpsOf, patientQueryOf, type EvalExpected, type EvalInput, type EvalMetadata } from './eval-case.js';
import { TRACE_ROOT_KEY, traceRootOf } from './scorers/case-trace.js';

export type EvalCaseHooks = EvalHooks<EvalExpected, EvalMetadata, EvalParameters>;
export type EvalCaseTask = (input: EvalInput, hooks: EvalCaseHooks) => Promise<string>;

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * A case that could not run (deadline, worker down…), naming the trace of the conversation it
 * started, if any: the SDK keeps only the error of a failed case, not its metadata.
 */
export class CaseRunError extends Error {
  override readonly name = 'CaseRunError';
  constructor(message: string, readonly traceRootSpanId: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function loggedResponseTask(traces: ConversationTraces): EvalCaseTask {
  return async (input, hooks) => {
    patientQueryOf(input);
    const answer = expectedResponseOf(hooks.expected);
    if (answer === undefined) throw new Error('the case has no expected.final_response to score');
    const metadata = hooks.metadata;
    // A dataset row may already name its trace; otherwise look the conversation up in the logs.
    const knownRoot = traceRootOf(metadata) ?? (typeof metadata.root_span_id === 'string' && TRACE_ID.test(metadata.root_span_id) ? metadata.root_span_id : undefined);
    const conversationId = conversationIdOf(metadata);
    const root = knownRoot ?? (conversationId ? await traces.rootOf(conversationId, answer) : undefined);
    if (root) metadata[TRACE_ROOT_KEY] = root;
    else metadata.trace_missing = conversationId ? `no logged trace for conversation ${conversationId}` : 'the case has no metadata.conversation_id';
    return answer;
  };
}

export interface LiveTaskOptions {
  client: ConversationServiceClient;
  turnOptions: TurnOptions;
  deadlineMs: number;
  /** Recorded on the conversation's root span, so eval traffic is told apart from production. */
  experimentName: string;
}

export function liveTurnTask(options: LiveTaskOptions): EvalCaseTask {
  return async (input, hooks) => {
    const messages = [patientQueryOf(input), ...followUpsOf(input)];
    // A fresh root context: the conversation becomes a trace of its own in the project logs, as in
    // production, rather than a child of the eval's task span (which lives in the experiment).
    return otelContext.with(ROOT_CONTEXT, async () => {
      const conversation = new TracedConversation(options.client, { metadata: { source: 'eval', eval_experiment: options.experimentName } });
      try {
        let result = await conversation.turn(messages[0]!, { options: options.turnOptions, deadlineMs: options.deadlineMs });
        for (const message of messages.slice(1)) result = await conversation.turn(message, { options: options.turnOptions, deadlineMs: options.deadlineMs });
        Object.assign(hooks.metadata, {
          ...(conversation.rootSpanId ? { [TRACE_ROOT_KEY]: conversation.rootSpanId } : {}),
          live_conversation_id: result.conversationId,
          live_turns: messages.length,
          model: result.model,
          stop_reason: result.stopReason,
          iterations: result.iterations,
          tool_calls: result.toolCalls.map((call) => call.toolName),
        });
        return result.text;
      } catch (error) {
        throw new CaseRunError(error instanceof Error ? error.message : String(error), conversation.rootSpanId || undefined, { cause: error });
      } finally {
        conversation.finish();
      }
    });
  };
}
