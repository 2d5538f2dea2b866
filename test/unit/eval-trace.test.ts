// EvalTrace mirrors the Ruby SDK's Eval::Trace: lazy or eager spans, type filters (one type or a
// union), and thread() — llm spans in order, input messages once each, output messages always.
import assert from 'node:assert/strict';
import { EvalTrace, type TraceSpan } from '../../clients/node/evals/trace.js';

function span(type: string, fields: Record<string, unknown> = {}, name = type): TraceSpan {
  return { span_attributes: { type, name }, ...fields };
}

const system = { role: 'system', content: 'You are a clinician.' };
const user = { role: 'user', content: 'BMI for 5\'4", 180 lbs?' };
const assistant = { role: 'assistant', content: 'BMI 30.9.' };

describe('EvalTrace', () => {
  describe('spans()', () => {
    const spans = [span('task'), span('llm'), span('tool'), span('llm'), span('eval'), { id: 'no-attributes' }];

    it('returns every span without a filter, and a copy each time', async () => {
      const trace = new EvalTrace(spans);
      const all = await trace.spans();
      assert.equal(all.length, 6);
      all.pop();
      assert.equal((await trace.spans()).length, 6);
    });

    it('filters by one type', async () => {
      const llm = await new EvalTrace(spans).spans({ type: 'llm' });
      assert.equal(llm.length, 2);
    });

    it('filters by a list of types: their union, in the original order', async () => {
      const picked = await new EvalTrace(spans).spans({ type: ['tool', 'task'] });
      assert.deepEqual(picked.map((s) => (s.span_attributes as { type: string }).type), ['task', 'tool']);
    });

    it('an empty type list or an unknown type matches nothing', async () => {
      const trace = new EvalTrace(spans);
      assert.deepEqual(await trace.spans({ type: [] }), []);
      assert.deepEqual(await trace.spans({ type: 'score' }), []);
    });
  });

  describe('loading', () => {
    it('is lazy: the loader runs on first use, once, and its result is memoised', async () => {
      let calls = 0;
      const trace = new EvalTrace(async () => {
        calls++;
        return [span('llm')];
      });
      assert.equal(calls, 0);
      assert.equal(trace.isLoaded, false);
      assert.equal((await trace.spans()).length, 1);
      await trace.thread();
      await trace.toolCalls();
      assert.equal(calls, 1);
      assert.equal(trace.isLoaded, true);
    });

    it('concurrent first calls share one fetch', async () => {
      let calls = 0;
      let release: (spans: TraceSpan[]) => void = () => undefined;
      const trace = new EvalTrace(() => {
        calls++;
        return new Promise<TraceSpan[]>((resolve) => (release = resolve));
      });
      const pending = Promise.all([trace.spans(), trace.thread(), trace.spans({ type: 'llm' }), trace.errors()]);
      release([span('llm', { input: [user], output: [{ message: assistant }] })]);
      const [all, thread, llm, errors] = await pending;
      assert.equal(calls, 1);
      assert.equal(all.length, 1);
      assert.equal(thread.length, 2);
      assert.equal(llm.length, 1);
      assert.deepEqual(errors, []);
    });

    it('an eager array is used as given, with no loading', async () => {
      const spans = [span('llm')];
      const trace = new EvalTrace(spans);
      assert.equal(trace.isLoaded, true);
      assert.equal((await trace.spans())[0], spans[0]);
    });

    it('a failed load is not memoised: the next call fetches again', async () => {
      let calls = 0;
      const trace = new EvalTrace(async () => {
        calls++;
        if (calls === 1) throw new Error('btql unavailable');
        return [span('tool')];
      });
      await assert.rejects(trace.spans(), /btql unavailable/);
      assert.equal(trace.isLoaded, false);
      assert.equal((await trace.spans()).length, 1);
      assert.equal(calls, 2);
    });

    it('a loader that returns something other than an array is an error', async () => {
      const trace = new EvalTrace(async () => ({ data: [] }) as unknown as TraceSpan[]);
      await assert.rejects(trace.spans(), /not an array of spans/);
    });
  });

  describe('thread()', () => {
    it('is empty when the trace has no llm spans', async () => {
      assert.deepEqual(await new EvalTrace([span('task', { input: [user], output: [assistant] })]).thread(), []);
      assert.deepEqual(await new EvalTrace([]).thread(), []);
    });

    it('reads the BTQL shape: flat input messages, flat choices output', async () => {
      const thread = await new EvalTrace([span('llm', { input: [system, user], output: [{ message: assistant }] })]).thread();
      assert.deepEqual(thread, [system, user, assistant]);
    });

    it('keeps each input message once across calls, by value (key order does not matter)', async () => {
      const followUp = { role: 'user', content: 'And her blood pressure 150/95?' };
      const reordered = { content: user.content, role: 'user' };
      const second = { role: 'assistant', content: 'Stage 2 hypertension.' };
      const thread = await new EvalTrace([
        span('llm', { input: [system, user], output: [{ message: assistant }], metrics: { start: 1 } }),
        span('llm', { input: [system, reordered, followUp], output: [{ message: second }], metrics: { start: 2 } }),
      ]).thread();
      assert.deepEqual(thread, [system, user, assistant, followUp, second]);
    });

    it('always appends output messages, even repeated ones', async () => {
      const thread = await new EvalTrace([
        span('llm', { input: [user], output: [{ message: assistant }], metrics: { start: 1 } }),
        span('llm', { input: [user], output: [{ message: assistant }], metrics: { start: 2 } }),
      ]).thread();
      assert.deepEqual(thread, [user, assistant, assistant]);
    });

    it('does not remember outputs: a reply resent as the next call\'s input appears again (Ruby semantics)', async () => {
      const toolUse = { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'calc', input: {} }] };
      const toolResult = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '{"bmi":30.9}' }] };
      const thread = await new EvalTrace([
        span('llm', { input: [user], output: toolUse, metrics: { start: 1 } }),
        span('llm', { input: [user, toolUse, toolResult], output: assistant, metrics: { start: 2 } }),
      ]).thread();
      assert.deepEqual(thread, [user, toolUse, toolUse, toolResult, assistant]);
    });

    it('accepts the {messages} input and {choices} output wrappers', async () => {
      const thread = await new EvalTrace([
        span('llm', { input: { model: 'm', messages: [user] }, output: { id: 'x', choices: [{ index: 0, message: assistant }] } }),
      ]).thread();
      assert.deepEqual(thread, [user, assistant]);
    });

    it('puts a {system, messages} request\'s system prompt first', async () => {
      const thread = await new EvalTrace([span('llm', { input: { system: 'Be brief.', messages: [user] }, output: [] })]).thread();
      assert.deepEqual(thread, [{ role: 'system', content: 'Be brief.' }, user]);
    });

    it('accepts an Anthropic-shaped output {role, content} and a flat message array output', async () => {
      const blocks = { role: 'assistant', content: [{ type: 'text', text: 'BMI 30.9.' }] };
      const thread = await new EvalTrace([
        span('llm', { input: [user], output: blocks, metrics: { start: 1 } }),
        span('llm', { input: [user], output: [assistant], metrics: { start: 2 } }),
      ]).thread();
      assert.deepEqual(thread, [user, blocks, assistant]);
    });

    it('treats plain-text output as the assistant\'s reply and skips what is not a message', async () => {
      const thread = await new EvalTrace([span('llm', { input: [user, 'stray', null], output: 'BMI 30.9.' })]).thread();
      assert.deepEqual(thread, [user, { role: 'assistant', content: 'BMI 30.9.' }]);
    });

    it('walks llm spans by start time, then execution counter, whatever order the rows came in', async () => {
      const first = { role: 'user', content: 'first' };
      const second = { role: 'user', content: 'second' };
      const third = { role: 'user', content: 'third' };
      const thread = await new EvalTrace([
        { span_attributes: { type: 'llm', exec_counter: 9 }, input: [third], metrics: { start: 20 } },
        { span_attributes: { type: 'llm', exec_counter: 2 }, input: [second], metrics: { start: 10 } },
        { span_attributes: { type: 'llm', exec_counter: 1 }, input: [first], metrics: { start: 10 } },
      ]).thread();
      assert.deepEqual(thread, [first, second, third]);
    });
  });

  describe('tool helpers', () => {
    const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
    const anthropicTrace = [
      span('llm', {
        input: [user],
        output: { role: 'assistant', content: [{ type: 'text', text: 'Calculating.' }, toolUse('t1', 'calculate_clinical_metrics', { height: 64, weight: 180 }), toolUse('t2', 'nope', {})] },
        metrics: { start: 1 },
      }),
      span('tool', { input: { height: 64, weight: 180 }, output: { bmi: { value: 30.9 } }, metadata: { tool_call_id: 't1' }, metrics: { start: 2 } }, 'calculate_clinical_metrics'),
      span('function', { error: 'NOT_FOUND: unknown tool "nope"\n    at stack', metrics: { start: 2.5 } }, 'worker_execute_tool'),
      span('llm', {
        input: [
          user,
          { role: 'assistant', content: [toolUse('t1', 'calculate_clinical_metrics', {}), toolUse('t2', 'nope', {})] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: '{"bmi":{"value":30.9}}' },
              { type: 'tool_result', tool_use_id: 't2', content: 'Tool error (NOT_FOUND): unknown tool "nope"', is_error: true },
            ],
          },
        ],
        output: { role: 'assistant', content: [{ type: 'text', text: 'BMI 30.9.' }] },
        metrics: { start: 3 },
      }),
    ];

    it('toolSpans() returns the spans of type tool', async () => {
      const spans = await new EvalTrace(anthropicTrace).toolSpans();
      assert.deepEqual(spans.map((s) => (s.span_attributes as { name: string }).name), ['calculate_clinical_metrics']);
    });

    it('toolCalls() pairs each tool_use with its span or its tool_result', async () => {
      const calls = await new EvalTrace(anthropicTrace).toolCalls();
      assert.equal(calls.length, 2);
      const [metrics, unknown] = calls;
      assert.equal(metrics?.name, 'calculate_clinical_metrics');
      assert.equal(metrics?.status, 'succeeded');
      assert.deepEqual(metrics?.output, { bmi: { value: 30.9 } });
      assert.ok(metrics?.span, 'matched by metadata.tool_call_id');
      assert.equal(unknown?.name, 'nope');
      assert.equal(unknown?.status, 'failed');
      assert.equal(unknown?.error, 'Tool error (NOT_FOUND): unknown tool "nope"');
      assert.equal(unknown?.span, undefined);
    });

    it('a tool call with no result and no span has status no_result', async () => {
      const calls = await new EvalTrace([span('llm', { output: { role: 'assistant', content: [toolUse('t9', 'calc', {})] } })]).toolCalls();
      assert.equal(calls[0]?.status, 'no_result');
    });

    it('a failed tool span is a failed call, with the first line of its error', async () => {
      const calls = await new EvalTrace([span('tool', { input: { weight: -5 }, error: 'weight must be > 0\n\nError: stack…' }, 'calc')]).toolCalls();
      assert.deepEqual(
        calls.map(({ name, status, error, input }) => ({ name, status, error, input })),
        [{ name: 'calc', status: 'failed', error: 'weight must be > 0', input: { weight: -5 } }],
      );
    });

    it('reads OpenAI tool_calls and role:"tool" results', async () => {
      const calls = await new EvalTrace([
        span('llm', { input: [user], output: [{ message: { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calc', arguments: '{"h":64}' } }] } }], metrics: { start: 1 } }),
        span('llm', { input: [user, { role: 'tool', tool_call_id: 'c1', content: '{"bmi":30.9}' }], output: [{ message: assistant }], metrics: { start: 2 } }),
      ]).toolCalls();
      assert.deepEqual(
        calls.map(({ id, name, input, output, status }) => ({ id, name, input, output, status })),
        [{ id: 'c1', name: 'calc', input: { h: 64 }, output: { bmi: 30.9 }, status: 'succeeded' }],
      );
    });

    it('errors() lists every span with an error, first line only', async () => {
      const errors = await new EvalTrace(anthropicTrace).errors();
      assert.deepEqual(errors, [{ spanId: undefined, name: 'worker_execute_tool', type: 'function', message: 'NOT_FOUND: unknown tool "nope"' }]);
    });
  });
});
