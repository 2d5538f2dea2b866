// answer_complete (a truncated or iteration-capped answer scores 0, with why), the default
// baseline's choice (the latest experiment on the same dataset) and the usage read from a case's trace.
import assert from 'node:assert/strict';
import { onDataset } from '../../clients/node/evals/baseline.js';
import { caseUsage } from '../../clients/node/evals/case-usage.js';
import { answerCompleteScorer, completionOf } from '../../clients/node/evals/scorers/answer-complete.js';
import { EvalTrace, type TraceSpan } from '../../clients/node/evals/trace.js';

const turn = (stopReason: string, start: number): TraceSpan => ({ span_attributes: { name: 'server_process_turn', type: 'task' }, metrics: { start }, output: { text: '…', stop_reason: stopReason } });

describe('eval: answer completeness, baseline choice, usage', () => {
  describe('answer_complete', () => {
    const noTrace = () => undefined;

    it('scores a max-tokens turn 0 and says it was truncated (length_score cannot see it)', async () => {
      const result = await answerCompleteScorer(noTrace)({ output: 'A long and plausible answer that stops mid', metadata: { stop_reason: 'STOP_REASON_MAX_TOKENS' } });
      assert.equal(result.score, 0);
      assert.match(String(result.metadata.why), /truncated: the model call hit its max_tokens limit/);
      assert.equal(result.metadata.stop_reason, 'STOP_REASON_MAX_TOKENS');
    });

    it('scores an iteration-capped turn 0 and a finished one 1', async () => {
      assert.equal((await answerCompleteScorer(noTrace)({ output: 'x', metadata: { stop_reason: 'STOP_REASON_MAX_ITERATIONS' } })).score, 0);
      assert.equal((await answerCompleteScorer(noTrace)({ output: 'x', metadata: { stop_reason: 'STOP_REASON_END_TURN' } })).score, 1);
      assert.deepEqual(completionOf('STOP_REASON_TOKEN_BUDGET').score, 0);
      assert.deepEqual(completionOf('STOP_REASON_UNSPECIFIED').score, null);
    });

    it('in logged mode reads the last turn of the trace', async () => {
      const trace = new EvalTrace([turn('STOP_REASON_MAX_TOKENS', 2), turn('STOP_REASON_END_TURN', 1)]);
      const result = await answerCompleteScorer(() => trace)({ output: 'x', metadata: {} });
      assert.equal(result.score, 0);
      assert.deepEqual(result.metadata.turn_stop_reasons, ['STOP_REASON_END_TURN', 'STOP_REASON_MAX_TOKENS']);
    });

    it('is null without a stop reason or a trace', async () => {
      assert.equal((await answerCompleteScorer(noTrace)({ output: 'x', metadata: {} })).score, null);
      assert.equal((await answerCompleteScorer(() => new EvalTrace([]))({ output: 'x', metadata: {} })).score, null);
    });
  });

  describe('default baseline', () => {
    it('is the newest experiment on the same dataset, not the project\'s newest', () => {
      const experiments = [
        { id: '3', name: 'warf-broken', datasetId: 'warfarin' },
        { id: '2', name: 'sdk-trace', datasetId: undefined },
        { id: '1', name: 'diabetes-live', datasetId: 'diabetes' },
        { id: '0', name: 'diabetes-logged', datasetId: 'diabetes' },
      ];
      assert.deepEqual(onDataset(experiments, 'diabetes').map((e) => e.name), ['diabetes-live', 'diabetes-logged']);
      assert.deepEqual(onDataset(experiments, 'new-dataset'), []);
    });
  });

  describe('caseUsage', () => {
    it('sums the llm spans\' tokens, counts model calls and failed tool calls', async () => {
      const llm = (start: number, metrics: Record<string, number>, content: unknown[]): TraceSpan => ({
        span_attributes: { type: 'llm', name: 'claude_messages_create' },
        metrics: { start, ...metrics },
        output: { role: 'assistant', content },
      });
      const trace = new EvalTrace([
        llm(1, { prompt_tokens: 100, completion_tokens: 20, prompt_cached_tokens: 50 }, [{ type: 'tool_use', id: 't1', name: 'calculate_clinical_metrics', input: {} }]),
        { span_attributes: { type: 'tool', name: 'calculate_clinical_metrics' }, metrics: { start: 2 }, metadata: { tool_call_id: 't1' }, error: 'INVALID_ARGUMENT: weight must be > 0' },
        llm(3, { prompt_tokens: 150, completion_tokens: 80 }, [{ type: 'text', text: 'done' }]),
      ]);
      assert.deepEqual(await caseUsage(trace), { prompt_tokens: 250, completion_tokens: 100, prompt_cached_tokens: 50, model_calls: 2, tool_errors: 1 });
    });
  });
});
