// The eval scorers on crafted answers and traces: each rule, its edge cases, and the LLM judge
// (the offline model judging, and a judge whose answers are garbage or whose calls fail).
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { parseJudgeVerdict } from '../../clients/node/evals/scorers/judge-verdict.js';
import {
  citesToolResultsScorer,
  clinicalMetricsScorer,
  evalScorers,
  expectedToolsScorer,
  lengthScorer,
  llmJudgeScorer,
  medicalStructureScorer,
  medicationsScorer,
  noToolErrorsScorer,
  scorerNames,
  type CaseTraceResolver,
} from '../../clients/node/evals/scorers/index.js';
import { EvalTrace, type TraceSpan } from '../../clients/node/evals/trace.js';
import { modelConfig } from '../../lib/config.js';
import { createModelClient, type ModelClient } from '../../lib/llm/model-client.js';
import { judgeReply } from '../../lib/llm/offline/judge.js';
import type { MessagesRequest } from '../../lib/llm/offline/wire-types.js';

const GOOD_ANSWER = `## Assessment

Patient: 45-year-old female, 5'4" (162.6 cm), 180 lb (81.6 kg), with fatigue and increased thirst.
- **BMI 30.9 kg/m²**: Obesity class I. Blood pressure 150/95 is stage 2 hypertension.
- Cardiovascular risk factors: obesity, raised blood pressure, possible diabetes.

## Recommendations

- Order HbA1c and fasting plasma glucose; check TSH and a CBC.
- Metformin is the first-line drug if HbA1c is 6.5% or more (avoid if eGFR < 30).
- Start lisinopril 10 mg daily for blood pressure; recheck potassium and creatinine in 2 weeks.
- Aim for 5–10% weight loss with a structured lifestyle programme.

## Follow-up

- Review the results within 1–2 weeks.
- Seek same-day care for vomiting, confusion or marked dehydration.
${'This plan balances investigation and early treatment for a patient with several metabolic risks. '.repeat(8)}`;

const args = (output: unknown, extra: Record<string, unknown> = {}) => ({ input: { patient_query: "45F, 5'4\", 180 lbs, fatigue and thirst" }, output, ...extra });

describe('eval scorers', () => {
  describe('length_score (100–500 words)', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    it('is 1 inside the range and proportional below it', async () => {
      assert.equal((await lengthScorer(args(words(100)))).score, 1);
      assert.equal((await lengthScorer(args(words(500)))).score, 1);
      assert.equal((await lengthScorer(args(words(50)))).score, 0.5);
    });
    it('falls to 0 at 1000 words, and an empty answer scores 0', async () => {
      assert.equal((await lengthScorer(args(words(750)))).score, 0.5);
      assert.equal((await lengthScorer(args(words(1200)))).score, 0);
      assert.equal((await lengthScorer(args(''))).score, 0);
    });
    it('does not count markdown marks as words and reads {final_response} outputs', async () => {
      const result = await lengthScorer(args({ final_response: '## - ** Hello world' }));
      assert.deepEqual(result.metadata.words, 2);
    });
  });

  describe('contains_clinical_metrics (BMI, blood pressure, risk factors)', () => {
    it('gives full marks for values and discussed risk', async () => {
      const result = await clinicalMetricsScorer(args(GOOD_ANSWER));
      assert.equal(result.score, 1);
      assert.deepEqual(result.metadata, { bmi: 'value', blood_pressure: 'value', risk_factors: 'discussed' });
    });
    it('gives half credit for a metric named without a value', async () => {
      const result = await clinicalMetricsScorer(args('Her BMI 31 suggests obesity; check her blood pressure.'));
      assert.equal(result.score, 0.5);
      assert.equal(result.metadata.blood_pressure, 'mentioned');
    });
    it('does not take dates or fractions for blood pressure readings', async () => {
      const result = await clinicalMetricsScorer(args('Seen on 3/4; take 1/2 tablet. BMI mentioned.'));
      assert.equal(result.metadata.blood_pressure, 'absent');
      assert.equal(result.score, 0.17);
    });
  });

  describe('mentions_medications (depth)', () => {
    it('two or more drugs with a dose or regimen: 1', async () => {
      const result = await medicationsScorer(args(GOOD_ANSWER));
      assert.equal(result.score, 1);
      assert.deepEqual(result.metadata.medications, ['metformin', 'lisinopril']);
    });
    it('one drug without detail: 0.5; a class counts as a name', async () => {
      assert.equal((await medicationsScorer(args('Consider metformin.'))).score, 0.5);
      assert.equal((await medicationsScorer(args('Consider a statin and an SGLT2 inhibitor.'))).score, 0.75);
    });
    it('talk of treatment with no drug named: 0.25; nothing: 0', async () => {
      assert.equal((await medicationsScorer(args('Treatment depends on the results.'))).score, 0.25);
      assert.equal((await medicationsScorer(args('Order an HbA1c.'))).score, 0);
    });
    it('keeps the most specific name ("insulin glargine", not also "insulin")', async () => {
      assert.deepEqual((await medicationsScorer(args('Start insulin glargine 10 units nightly.'))).metadata.medications, ['insulin glargine']);
    });
  });

  describe('follows_medical_structure (assessment → recommendations → follow-up)', () => {
    it('three headings in order: 1', async () => {
      const result = await medicalStructureScorer(args(GOOD_ANSWER));
      assert.equal(result.score, 1);
      assert.equal(result.metadata.in_order, true);
    });
    it('bold and colon headings count as headings', async () => {
      const text = '**Assessment:** obese.\n\nPlan:\n- diet\n\n**Follow-up**\nin 2 weeks';
      assert.equal((await medicalStructureScorer(args(text))).score, 1);
    });
    it('out of order: the best ordered chain counts', async () => {
      const text = '## Assessment\nx\n## Follow-up\ny\n## Recommendations\nz';
      const result = await medicalStructureScorer(args(text));
      assert.equal(result.score, 0.67);
      assert.equal(result.metadata.in_order, false);
    });
    it('sections only mentioned in prose earn half; none at all earn 0', async () => {
      assert.equal((await medicalStructureScorer(args('My assessment is obesity; the plan is diet; follow-up in a month.'))).score, 0.5);
      assert.equal((await medicalStructureScorer(args('Drink water.'))).score, 0);
    });
  });

  describe('llm_judge', () => {
    const offline: ModelClient = createModelClient({ ...modelConfig(), apiKey: undefined, baseURL: undefined, offlineDeltaDelayMs: 0 });

    function cannedJudge(reply: string | Error): ModelClient {
      const client = new Anthropic({
        apiKey: 'test',
        baseURL: 'http://judge.invalid',
        maxRetries: 0,
        fetch: async () => {
          if (reply instanceof Error) throw reply;
          const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'judge', content: [{ type: 'text', text: reply }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
          return new Response(JSON.stringify(message), { headers: { 'content-type': 'application/json' } });
        },
      });
      return { client, provider: 'anthropic', defaultModel: 'judge', streamStartTimeoutMs: 60_000, promptCache: true };
    }

    it('the offline model judges deterministically, with reasons, and prefers the better answer', async () => {
      const judge = llmJudgeScorer({ client: offline });
      const good = await judge(args(GOOD_ANSWER));
      const again = await judge(args(GOOD_ANSWER));
      const weak = await judge(args("I'll calculate her clinical metrics first."));
      assert.equal(good.name, 'llm_judge');
      assert.ok(typeof good.score === 'number' && good.score >= 0.9, `good answer: ${good.score}`);
      assert.equal(again.score, good.score, 'deterministic');
      assert.match(String(good.metadata.reasoning), /Structure: assessment, recommendations and follow-up are all present/);
      assert.ok(typeof weak.score === 'number' && weak.score < 0.3, `weak answer: ${weak.score}`);
    });

    it('the offline judge answers the seed\'s "return only a number" prompt with a number', async () => {
      const message = await offline.client.messages.create({
        model: offline.defaultModel,
        max_tokens: 10,
        messages: [{ role: 'user', content: `Rate this medical response from 0-1 based on:\n- Clinical accuracy\n\nResponse: ${GOOD_ANSWER}\n\nReturn only a number between 0 and 1.` }],
      });
      const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      assert.match(text, /^(?:0(?:\.\d+)?|1)$/);
    });

    it('a question carrying scripted tool calls is judged, not acted on', async () => {
      const result = await llmJudgeScorer({ client: offline })({ input: { patient_query: '[[call calculate_clinical_metrics {"height": 64}]] BMI?' }, output: GOOD_ANSWER });
      assert.equal(typeof result.score, 'number', JSON.stringify(result.metadata));
    });

    it('the offline model judges only rubric requests with a response and no tools', () => {
      const request = (text: string, tools: MessagesRequest['tools'] = []): MessagesRequest => ({
        model: 'm',
        max_tokens: 400,
        messages: [{ role: 'user', content: [{ type: 'text', text }] }],
        tools,
        stream: false,
      });
      const rubric = `Rate the response from 0 to 1.\n<response>\n${GOOD_ANSWER}\n</response>`;
      assert.match(judgeReply(request(rubric)) ?? '', /\nScore: (?:0\.\d+|1)$/);
      assert.equal(judgeReply(request(rubric, [{ name: 'calculate_clinical_metrics' }])), undefined, 'an agent request with tools');
      assert.equal(judgeReply(request('Rate her cardiovascular risk between 0 and 1: 45F, BMI 31.')), undefined, 'no response to grade');
      assert.equal(judgeReply(request(`Summarise this.\n<response>${GOOD_ANSWER}</response>`)), undefined, 'no rubric');
    });

    it('an empty answer scores 0 without asking the judge', async () => {
      const result = await llmJudgeScorer({ client: cannedJudge(new Error('must not be called')) })(args('  '));
      assert.equal(result.score, 0);
    });

    it('clamps scores outside [0, 1] and reads percentages', async () => {
      const high = await llmJudgeScorer({ client: cannedJudge('Excellent.\nScore: 1.7') })(args('An answer.'));
      assert.equal(high.score, 1);
      assert.equal(high.metadata.clamped, true);
      assert.equal((await llmJudgeScorer({ client: cannedJudge('Score: 85%') })(args('An answer.'))).score, 0.85);
    });

    it('a garbage answer gives score null with the error, not an exception', async () => {
      const result = await llmJudgeScorer({ client: cannedJudge('I cannot grade medical content.') })(args('An answer.'));
      assert.equal(result.score, null);
      assert.match(String(result.metadata.error), /no score in the judge's answer/);
    });

    it('a failing judge call gives score null with the error', async () => {
      const result = await llmJudgeScorer({ client: cannedJudge(new Error('connection refused')) })(args('An answer.'));
      assert.equal(result.score, null);
      assert.match(String(result.metadata.error), /the judge call failed/);
    });

    it('parseJudgeVerdict reads the last labelled score, bare numbers and x/10', () => {
      assert.deepEqual(parseJudgeVerdict('Thin at first (score: 0.2), revised.\nScore: 0.8'), { ok: true, score: 0.8, clamped: false, reasoning: 'Thin at first (score: 0.2), revised.' });
      assert.equal((parseJudgeVerdict(' .75 ') as { score: number }).score, 0.75);
      assert.equal((parseJudgeVerdict('**Score:** 7/10') as { score: number }).score, 0.7);
      assert.equal(parseJudgeVerdict('').ok, false);
      assert.equal(parseJudgeVerdict('0.5 or maybe 0.6').ok, false);
    });
  });

  describe('trace scorers', () => {
    const llm = (fields: Record<string, unknown>, start: number): TraceSpan => ({ span_attributes: { type: 'llm', name: 'claude_messages_create' }, metrics: { start }, ...fields });
    const toolUse = (id: string, name: string) => ({ type: 'tool_use', id, name, input: {} });
    const offered = { tools: ['calculate_clinical_metrics', 'search_medical_knowledge'] };
    const metricsOutput = { inputs: { height_cm: 162.56, weight_kg: 81.6, age: 45 }, bmi: { value: 30.9, label: 'Obesity class I' }, health_risk: 0.3, ids: [7], adjusted: true };
    const spans: TraceSpan[] = [
      llm({ input: [{ role: 'user', content: 'q' }], output: { role: 'assistant', content: [toolUse('t1', 'calculate_clinical_metrics'), toolUse('t2', 'search_medical_knowledge')] }, metadata: offered }, 1),
      { span_attributes: { type: 'tool', name: 'calculate_clinical_metrics' }, metadata: { tool_call_id: 't1' }, output: metricsOutput, metrics: { start: 2 } },
      { span_attributes: { type: 'tool', name: 'search_medical_knowledge' }, metadata: { tool_call_id: 't2' }, error: 'UNAVAILABLE: chroma is down', metrics: { start: 2 } },
      llm({ input: [], output: { role: 'assistant', content: [{ type: 'text', text: GOOD_ANSWER }] }, metadata: offered }, 3),
    ];
    const resolve: CaseTraceResolver = () => new EvalTrace(spans);
    const noTrace: CaseTraceResolver = () => undefined;

    it('expected_tools_called derives the tools from the query, limited to the tools offered', async () => {
      const result = await expectedToolsScorer(resolve)(args(GOOD_ANSWER, { input: { patient_query: "45F, 5'4\", 180 lbs, fatigue; takes metformin" } }));
      assert.equal(result.score, 1);
      assert.deepEqual((result.metadata.expected as Array<{ tool: string }>).map((e) => e.tool), ['calculate_clinical_metrics', 'search_medical_knowledge']);
      assert.deepEqual((result.metadata.not_offered as Array<{ tool: string }>).map((e) => e.tool), ['check_medications']);
    });

    it('expected_tools_called uses metadata.expected_tools when the case lists them', async () => {
      const result = await expectedToolsScorer(resolve)(args(GOOD_ANSWER, { metadata: { expected_tools: ['calculate_clinical_metrics', 'check_medications'] } }));
      assert.equal(result.score, 0.5);
      assert.deepEqual(result.metadata.missing, ['check_medications']);
    });

    it('expected_tools_called is null when nothing is expected, and when there is no trace', async () => {
      assert.equal((await expectedToolsScorer(resolve)(args('x', { input: { patient_query: 'Hello' } }))).score, null);
      const untraced = await expectedToolsScorer(noTrace)(args('x'));
      assert.equal(untraced.score, null);
      assert.equal(untraced.metadata.skipped, 'no trace for this case');
    });

    it('no_tool_errors is the share of calls that did not fail', async () => {
      const result = await noToolErrorsScorer(resolve)(args(GOOD_ANSWER));
      assert.equal(result.score, 0.5);
      assert.deepEqual(result.metadata.failed, [{ tool: 'search_medical_knowledge', error: 'UNAVAILABLE: chroma is down' }]);
      assert.equal((await noToolErrorsScorer(() => new EvalTrace([]))(args('x'))).score, 1);
    });

    it('answer_cites_tool_results counts the numbers and titles of successful calls found in the answer', async () => {
      const cited = await citesToolResultsScorer(resolve)(args(GOOD_ANSWER));
      assert.equal(cited.score, 0.83, JSON.stringify(cited.metadata));
      const [call] = cited.metadata.calls as Array<{ cited: string[]; missing: string[] }>;
      assert.deepEqual(call?.cited, ['162.56', '81.6', '45', '30.9', 'Obesity class I']);
      assert.deepEqual(call?.missing, ['0.3'], 'ids and booleans are not facts; 0.3 is not cited by "0"');
      const vague = await citesToolResultsScorer(resolve)(args('Her BMI is high. Lose weight.'));
      assert.equal(vague.score, 0);
    });

    it('answer_cites_tool_results is null when no call succeeded', async () => {
      const failedOnly = () => new EvalTrace([spans[2] as TraceSpan]);
      assert.equal((await citesToolResultsScorer(failedOnly)(args(GOOD_ANSWER))).score, null);
    });

    it('a trace that cannot be read gives null with the error', async () => {
      const broken = new EvalTrace(async () => Promise.reject(new Error('btql: 500')));
      const result = await noToolErrorsScorer(() => broken)(args('x'));
      assert.equal(result.score, null);
      assert.match(String(result.metadata.error), /btql: 500/);
    });
  });

  it('each scorer function bears its score name (Eval names spans after it)', () => {
    assert.deepEqual(evalScorers({ judge: false }).map((s) => s.name), scorerNames({ judge: false }));
    assert.deepEqual(scorerNames(), [
      'length_score',
      'contains_clinical_metrics',
      'mentions_medications',
      'follows_medical_structure',
      'llm_judge',
      'expected_tools_called',
      'no_tool_errors',
      'answer_cites_tool_results',
      'answer_complete',
    ]);
  });
});
