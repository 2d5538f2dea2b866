// Scorers that read the whole trace of a case through EvalTrace:
//   expected_tools_called      the tools the case needed were called: |expected ∩ called| / |expected|.
//                              Expected: metadata.expected_tools when the case lists them, else
//                              derived from the query (tool-expectations.ts). Nothing expected → null.
//   no_tool_errors             the share of tool calls that did not fail (no calls → 1).
//   answer_cites_tool_results  the answer repeats what the tools returned: for each successful call,
//                              the share of its citable facts (tool-citations.ts) found in the answer;
//                              the mean over calls. No successful call with facts → null.
import { EvalTrace } from '../trace.js';
import { spanMetadata } from '../../span-fields.js';
import type { CaseTraceResolver } from './case-trace.js';
import { traceScorer } from './case-trace.js';
import { citableFacts, citedFacts } from './tool-citations.js';
import { queryText, responseText } from './response-text.js';
import type { CaseScorer, ScorerArgs } from './scorer-types.js';
import { roundScore } from './scorer-types.js';
import { expectedToolsFor, type ToolExpectation } from './tool-expectations.js';

/** The tools the model was offered, from the llm spans' metadata.tools (undefined when not logged). */
async function offeredTools(trace: EvalTrace): Promise<string[] | undefined> {
  const offered = new Set<string>();
  let logged = false;
  for (const span of await trace.llmSpans()) {
    const tools = spanMetadata(span).tools;
    if (!Array.isArray(tools)) continue;
    logged = true;
    for (const tool of tools) if (typeof tool === 'string') offered.add(tool);
  }
  return logged ? [...offered] : undefined;
}

/** The query of a case: its input, else the first user message the model saw. */
async function caseQuery(trace: EvalTrace, args: ScorerArgs): Promise<string> {
  const fromInput = queryText(args.input);
  if (fromInput !== '') return fromInput;
  const firstUser = (await trace.thread()).find((message) => message.role === 'user' && typeof message.content === 'string');
  return typeof firstUser?.content === 'string' ? firstUser.content : '';
}

function listedTools(metadata: Record<string, unknown> | undefined): string[] | undefined {
  const listed = metadata?.expected_tools;
  return Array.isArray(listed) ? listed.filter((tool): tool is string => typeof tool === 'string') : undefined;
}

export function expectedToolsScorer(resolveTrace: CaseTraceResolver): CaseScorer {
  return traceScorer('expected_tools_called', resolveTrace, async (trace, args) => {
    const listed = listedTools(args.metadata);
    let expected: ToolExpectation[];
    let notOffered: ToolExpectation[] = [];
    if (listed) expected = listed.map((tool) => ({ tool, reason: 'listed in the case metadata' }));
    else ({ expected, notOffered } = expectedToolsFor(await caseQuery(trace, args), await offeredTools(trace)));
    const called = [...new Set((await trace.toolCalls()).map((call) => call.name))];
    const metadata = { source: listed ? 'metadata' : 'query', expected, called, not_offered: notOffered };
    if (expected.length === 0) return { score: null, metadata: { ...metadata, skipped: 'no tool is expected for this case' } };
    const missing = expected.filter((e) => !called.includes(e.tool)).map((e) => e.tool);
    return { score: roundScore((expected.length - missing.length) / expected.length), metadata: { ...metadata, missing } };
  });
}

export function noToolErrorsScorer(resolveTrace: CaseTraceResolver): CaseScorer {
  return traceScorer('no_tool_errors', resolveTrace, async (trace) => {
    const calls = await trace.toolCalls();
    const failed = calls.filter((call) => call.status === 'failed').map((call) => ({ tool: call.name, error: call.error }));
    const score = calls.length === 0 ? 1 : (calls.length - failed.length) / calls.length;
    return { score: roundScore(score), metadata: { calls: calls.length, failed } };
  });
}

export function citesToolResultsScorer(resolveTrace: CaseTraceResolver): CaseScorer {
  return traceScorer('answer_cites_tool_results', resolveTrace, async (trace, args) => {
    const answer = responseText(args.output);
    const perCall = (await trace.toolCalls())
      .filter((call) => call.status === 'succeeded')
      .map((call) => {
        const facts = citableFacts(call.output);
        const cited = citedFacts(facts, answer);
        return { tool: call.name, facts: facts.length, cited: cited.map((f) => f.text), missing: facts.filter((f) => !cited.includes(f)).slice(0, 5).map((f) => f.text) };
      })
      .filter((call) => call.facts > 0);
    if (perCall.length === 0) return { score: null, metadata: { skipped: 'no successful tool call returned anything citable' } };
    const score = perCall.reduce((sum, call) => sum + call.cited.length / call.facts, 0) / perCall.length;
    return { score: roundScore(score), metadata: { calls: perCall } };
  });
}
