// The offline clinical model driven through the real @anthropic-ai/sdk, exactly as tracemesh's agent
// loop drives it: streaming and non-streaming, tool calls, tool results, errors, multi-turn, aborts.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import { createOfflineModelFetch, OfflineClinicalModel } from '../../lib/llm/offline/index.js';
import type { JsonObject } from '../../lib/json.js';

const SEED = `I have a 45-year-old female patient, 5'4" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?`;
const MODEL = 'tracemesh-offline-clinical';

const METRICS_TOOL: Anthropic.Tool = {
  name: 'calculate_clinical_metrics',
  description: 'BMI, body surface area, ideal body weight, blood pressure category and eGFR.',
  input_schema: {
    type: 'object',
    properties: {
      height: { type: 'number' },
      height_unit: { type: 'string', enum: ['in', 'cm'] },
      weight: { type: 'number' },
      weight_unit: { type: 'string', enum: ['lb', 'kg'] },
      age: { type: 'integer' },
      sex: { type: 'string', enum: ['female', 'male'] },
      systolic_bp: { type: 'integer' },
      diastolic_bp: { type: 'integer' },
    },
    required: ['height', 'height_unit', 'weight', 'weight_unit'],
  },
};
const SEARCH_TOOL: Anthropic.Tool = {
  name: 'search_medical_knowledge',
  description: 'Semantic search over the medical knowledge base.',
  input_schema: { type: 'object', properties: { query: { type: 'string' }, n_results: { type: 'integer' }, condition: { type: 'string' } }, required: ['query'] },
};
const MEDS_TOOL: Anthropic.Tool = {
  name: 'check_medications',
  description: 'Drug information and interactions.',
  input_schema: { type: 'object', properties: { medications: { type: 'array', items: { type: 'string' } }, patient: { type: 'object' } }, required: ['medications'] },
};
const ALL_TOOLS = [METRICS_TOOL, SEARCH_TOOL, MEDS_TOOL];

function offlineClient(deltaDelayMs = 0): Anthropic {
  return new Anthropic({
    apiKey: null,
    defaultHeaders: { authorization: null },
    baseURL: 'http://offline-model.invalid',
    fetch: createOfflineModelFetch({ deltaDelayMs }),
  });
}

/** Stand-ins for the tool workers, returning the documented result shapes. */
function runTool(name: string, input: unknown): string {
  const args = input as JsonObject;
  if (name === 'calculate_clinical_metrics') {
    const heightCm = args.height_unit === 'cm' ? Number(args.height) : Number(args.height) * 2.54;
    const weightKg = args.weight_unit === 'kg' ? Number(args.weight) : Number(args.weight) * 0.45359237;
    const bmi = Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10;
    const result: JsonObject = {
      inputs: { height_cm: Math.round(heightCm * 10) / 10, weight_kg: Math.round(weightKg * 10) / 10, age: args.age ?? null, sex: args.sex ?? null },
      bmi: { value: bmi, category: 'obese_class_1', label: 'Obesity class I' },
      body_surface_area: { value_m2: 1.92, formula: 'Mosteller' },
      ideal_body_weight: { value_kg: 54.7, formula: 'Devine' },
      health_risk: 0.3,
      notes: ['BMI is in the obese range.'],
    };
    if (typeof args.systolic_bp === 'number' && typeof args.diastolic_bp === 'number') {
      result.blood_pressure = {
        systolic: args.systolic_bp,
        diastolic: args.diastolic_bp,
        mean_arterial_pressure: 113.3,
        category: 'stage_2_hypertension',
        label: 'Stage 2 hypertension',
      };
    }
    return JSON.stringify(result);
  }
  if (name === 'search_medical_knowledge') {
    return JSON.stringify({
      results: [
        { id: 'kb-dm2', title: 'Type 2 Diabetes Mellitus', condition: 'Type 2 Diabetes', category: 'endocrine', content: 'Classic symptoms are polyuria, polydipsia and fatigue. HbA1c of 6.5% or more is diagnostic.', distance: 0.21, relevance: 0.79 },
        { id: 'kb-hypo', title: 'Hypothyroidism', condition: 'Hypothyroidism', category: 'endocrine', content: 'Fatigue, weight gain and cold intolerance; check TSH.', distance: 0.4, relevance: 0.6 },
      ],
    });
  }
  if (name === 'check_medications') {
    // Echoes the drugs asked for, as the real tool does; only warfarin + ibuprofen interact here.
    const asked = Array.isArray(args.medications) ? args.medications.map(String) : [];
    const classes: Record<string, string> = { warfarin: 'anticoagulant', ibuprofen: 'NSAID', metformin: 'biguanide', levothyroxine: 'thyroid hormone', semaglutide: 'GLP-1 receptor agonist' };
    return JSON.stringify({
      medications: asked.map((query) => ({ query, found: true, name: query, class: classes[query] ?? 'other' })),
      interactions: asked.includes('warfarin') && asked.includes('ibuprofen')
        ? [{ drugs: ['warfarin', 'ibuprofen'], severity: 'major', mechanism: 'additive bleeding risk and platelet inhibition', recommendation: 'avoid the combination; use acetaminophen' }]
        : [],
    });
  }
  return JSON.stringify({ error: `unknown tool ${name}` });
}

function toolUses(message: Anthropic.Message): Anthropic.ToolUseBlock[] {
  return message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
}

function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

function resultsFor(message: Anthropic.Message, override: (use: Anthropic.ToolUseBlock) => Partial<Anthropic.ToolResultBlockParam> = () => ({})): Anthropic.ToolResultBlockParam[] {
  return toolUses(message).map((use) => ({ type: 'tool_result', tool_use_id: use.id, content: runTool(use.name, use.input), ...override(use) }));
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

async function streamTurn(client: Anthropic, params: Omit<Anthropic.MessageCreateParamsNonStreaming, 'model' | 'max_tokens'> & { max_tokens?: number }) {
  const stream = client.messages.stream({ model: MODEL, max_tokens: 2048, ...params });
  const deltas: string[] = [];
  stream.on('text', (delta) => deltas.push(delta));
  const message = await stream.finalMessage();
  return { message, deltas };
}

/** The complete first round of the seed conversation: question, tool calls, results. */
async function seedRound(client: Anthropic, tools: Anthropic.Tool[] = ALL_TOOLS) {
  const question: Anthropic.MessageParam = { role: 'user', content: SEED };
  const first = await streamTurn(client, { messages: [question], tools });
  const messages: Anthropic.MessageParam[] = [question, { role: 'assistant', content: first.message.content }, { role: 'user', content: resultsFor(first.message) }];
  return { first: first.message, messages };
}

/** Live timers once pending callbacks have run (mocha's own test timer included, so compare counts). */
async function activeTimers(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('offline model through the Anthropic SDK', () => {
  it('streams the seed question: a short preamble in several deltas, then both tool calls with exact arguments', async () => {
    const { message, deltas } = await streamTurn(offlineClient(), { messages: [{ role: 'user', content: SEED }], tools: [METRICS_TOOL, SEARCH_TOOL] });
    assert.equal(message.stop_reason, 'tool_use');
    assert.ok(deltas.length > 1, `expected several text deltas, got ${deltas.length}`);
    assert.equal(deltas.join(''), textOf(message));
    assert.match(textOf(message), /^I'll calculate her clinical metrics .* and look up .* in the medical knowledge base\.$/);
    assert.equal(message.content[0]?.type, 'text');
    const uses = toolUses(message);
    assert.deepEqual(uses.map((u) => u.name), ['calculate_clinical_metrics', 'search_medical_knowledge']);
    assert.deepEqual(uses[0]?.input, { height: 64, height_unit: 'in', weight: 180, weight_unit: 'lb', age: 45, sex: 'female' });
    const search = uses[1]?.input as JsonObject;
    assert.equal(search.n_results, 3);
    assert.match(String(search.query), /fatigue and increased thirst/);
    assert.match(String(search.query), /type 2 diabetes/);
    assert.equal(search.condition, undefined);
    for (const use of uses) assert.match(use.id, /^toolu_offline_[0-9a-f]{24}$/);
    assert.notEqual(uses[0]?.id, uses[1]?.id);
    assert.ok(message.usage.input_tokens > 50 && message.usage.output_tokens > 20);
    assert.equal(message.model, MODEL);
  });

  it('calls only the tools it is offered', async () => {
    const { message } = await streamTurn(offlineClient(), { messages: [{ role: 'user', content: SEED }], tools: [METRICS_TOOL] });
    assert.deepEqual(toolUses(message).map((u) => u.name), ['calculate_clinical_metrics']);
    assert.doesNotMatch(textOf(message), /knowledge base/);
    assert.equal(message.stop_reason, 'tool_use');
  });

  it('answers directly when no tool is offered, estimating BMI itself', async () => {
    const { message } = await streamTurn(offlineClient(), { messages: [{ role: 'user', content: SEED }] });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
    const text = textOf(message);
    assert.match(text, /## Assessment[\s\S]*## Recommendations[\s\S]*## Follow-up/);
    assert.match(text, /Estimated BMI ≈ 30\.9/);
    assert.match(text, /HbA1c/);
  });

  it('writes a grounded, streamed final answer once the tool results arrive', async () => {
    const client = offlineClient();
    const { messages } = await seedRound(client);
    const { message, deltas } = await streamTurn(client, { messages, tools: ALL_TOOLS });
    const text = textOf(message);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
    assert.ok(deltas.length > 20, `expected many deltas, got ${deltas.length}`);
    assert.match(text, /^## Assessment\n/);
    assert.ok(text.indexOf('## Assessment') < text.indexOf('## Recommendations') && text.indexOf('## Recommendations') < text.indexOf('## Follow-up'));
    assert.match(text, /\*\*BMI 30\.9 kg\/m²\*\*: Obesity class I/);
    assert.match(text, /1\.92 m²/);
    assert.match(text, /Type 2 Diabetes Mellitus/, 'cites the knowledge base result');
    assert.match(text, /metformin/i);
    assert.match(text, /levothyroxine/i);
    assert.match(text, /TSH/);
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('acknowledges a failed tool, carries on without it and does not call it again', async () => {
    const client = offlineClient();
    const question: Anthropic.MessageParam = { role: 'user', content: SEED };
    const { message: first } = await streamTurn(client, { messages: [question], tools: ALL_TOOLS });
    const results = resultsFor(first, (use) =>
      use.name === 'calculate_clinical_metrics' ? { content: JSON.stringify({ error: 'worker unavailable' }), is_error: true } : {},
    );
    const { message } = await streamTurn(client, { messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: results }], tools: ALL_TOOLS });
    const text = textOf(message);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
    assert.match(text, /The clinical metrics tool returned an error \(worker unavailable\); I proceeded without it\./);
    assert.match(text, /Estimated BMI ≈ 30\.9/);
    assert.match(text, /## Follow-up/);
  });

  it('makes a scripted call to a tool it was never offered, then acknowledges the unknown-tool error', async () => {
    const client = offlineClient();
    const question: Anthropic.MessageParam = { role: 'user', content: 'Check the mesh: [[call no_such_tool {"x":1}]]' };
    const { message: first } = await streamTurn(client, { messages: [question], tools: [METRICS_TOOL] });
    assert.equal(first.stop_reason, 'tool_use');
    const uses = toolUses(first);
    assert.equal(uses.length, 1);
    assert.equal(uses[0]?.name, 'no_such_tool');
    assert.deepEqual(uses[0]?.input, { x: 1 });
    const { message } = await streamTurn(client, {
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0]?.id ?? '', content: 'Unknown tool: no_such_tool', is_error: true }] },
      ],
      tools: [METRICS_TOOL],
    });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
    assert.match(textOf(message), /The `no_such_tool` tool returned an error \(Unknown tool: no_such_tool\); I proceeded without it\./);
  });

  it('scripted calls replace the automatic choice, even with patient facts present', async () => {
    const { message } = await streamTurn(offlineClient(), {
      messages: [{ role: 'user', content: `${SEED} [[call search_medical_knowledge {"query":"thirst","n_results":1}]]` }],
      tools: ALL_TOOLS,
    });
    assert.deepEqual(
      toolUses(message).map((u) => [u.name, u.input]),
      [['search_medical_knowledge', { query: 'thirst', n_results: 1 }]],
    );
  });

  it('merges facts across turns: a follow-up blood pressure recalculates with the earlier height and weight', async () => {
    const client = offlineClient();
    const { messages } = await seedRound(client);
    const { message: answer1 } = await streamTurn(client, { messages, tools: ALL_TOOLS });
    const turn2: Anthropic.MessageParam[] = [...messages, { role: 'assistant', content: answer1.content }, { role: 'user', content: 'Her blood pressure today is 150/95.' }];
    const { message: calls2 } = await streamTurn(client, { messages: turn2, tools: ALL_TOOLS });
    assert.equal(calls2.stop_reason, 'tool_use');
    assert.match(textOf(calls2), /^Building on the earlier information, I'll recalculate her clinical metrics with the new blood pressure \(150\/95 mmHg\)/);
    const metrics = toolUses(calls2).find((u) => u.name === 'calculate_clinical_metrics');
    assert.deepEqual(metrics?.input, { height: 64, height_unit: 'in', weight: 180, weight_unit: 'lb', age: 45, sex: 'female', systolic_bp: 150, diastolic_bp: 95 });
    const search = toolUses(calls2).find((u) => u.name === 'search_medical_knowledge');
    assert.match(String((search?.input as JsonObject).query), /hypertension/);

    const { message: answer2 } = await streamTurn(client, { messages: [...turn2, { role: 'assistant', content: calls2.content }, { role: 'user', content: resultsFor(calls2) }], tools: ALL_TOOLS });
    const text = textOf(answer2);
    assert.equal(answer2.stop_reason, 'end_turn');
    assert.match(text, /Building on the earlier information \(45-year-old female.*fatigue and increased thirst\), this update adds blood pressure 150\/95 mmHg/);
    assert.match(text, /\*\*Blood pressure 150\/95 mmHg\*\*: Stage 2 hypertension \(mean arterial pressure 113\.3 mmHg\)/);
    assert.match(text, /\*\*Hypertension:\*\*.*amlodipine/);
    const count = words(text);
    assert.ok(count >= 150 && count <= 450, `answer has ${count} words`);
  });

  it('a follow-up with nothing new answers from the earlier results instead of calling tools again', async () => {
    const client = offlineClient();
    const { messages } = await seedRound(client);
    const { message: answer1 } = await streamTurn(client, { messages, tools: ALL_TOOLS });
    const { message } = await streamTurn(client, {
      messages: [...messages, { role: 'assistant', content: answer1.content }, { role: 'user', content: 'What would you prioritise first?' }],
      tools: ALL_TOOLS,
    });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
    assert.match(textOf(message), /Building on the earlier information/);
    assert.match(textOf(message), /BMI 30\.9 kg\/m²/);
  });

  it('checks medications with patient context and reports the interaction it finds', async () => {
    const client = offlineClient();
    const question: Anthropic.MessageParam = { role: 'user', content: '62 yo man on warfarin, asking whether Advil is safe for knee pain. eGFR 42.' };
    const { message: first } = await streamTurn(client, { messages: [question], tools: ALL_TOOLS });
    assert.deepEqual(toolUses(first).map((u) => [u.name, u.input]), [['check_medications', { medications: ['warfarin', 'ibuprofen'], patient: { age: 62, egfr: 42 } }]]);
    const { message } = await streamTurn(client, { messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: resultsFor(first) }], tools: ALL_TOOLS });
    assert.match(textOf(message), /\*\*Interaction:\*\* warfarin \+ ibuprofen \(major\): additive bleeding risk/);
  });

  it('is deterministic: the same request gives the same reply, a different one different ids', async () => {
    const params = { messages: [{ role: 'user' as const, content: SEED }], tools: ALL_TOOLS };
    const a = await streamTurn(offlineClient(), params);
    const b = await streamTurn(offlineClient(), params);
    assert.deepEqual(a.message, b.message);
    assert.deepEqual(a.deltas, b.deltas);
    const c = await streamTurn(offlineClient(), { ...params, messages: [{ role: 'user', content: `${SEED} ` }] });
    assert.notEqual(c.message.id, a.message.id);
    assert.notEqual(toolUses(c.message)[0]?.id, toolUses(a.message)[0]?.id);
  });

  it('answers non-streaming requests with the same message a stream produces', async () => {
    const client = offlineClient();
    const { messages } = await seedRound(client);
    const created = await client.messages.create({ model: MODEL, max_tokens: 2048, messages, tools: ALL_TOOLS });
    const streamed = await streamTurn(client, { messages, tools: ALL_TOOLS });
    assert.equal(created.type, 'message');
    assert.equal(created.stop_reason, 'end_turn');
    assert.deepEqual(created.content, streamed.message.content);
    assert.deepEqual(created.usage.output_tokens, streamed.message.usage.output_tokens);
    assert.match(created._request_id ?? '', /^req_offline_/);
  });

  it('honours max_tokens: truncates and says so', async () => {
    const client = offlineClient();
    const { messages } = await seedRound(client);
    const { message } = await streamTurn(client, { messages, tools: ALL_TOOLS, max_tokens: 40 });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.ok(message.usage.output_tokens <= 40);
    assert.ok(textOf(message).length > 0 && textOf(message).length <= 160);
    const calls = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: SEED }], tools: ALL_TOOLS });
    assert.equal(calls.stop_reason, 'max_tokens');
    assert.equal(toolUses(calls).length, 0, 'a tool call that does not fit is not started');
  });

  it('estimates usage from the size of the request and the reply', async () => {
    const client = offlineClient();
    const short = await client.messages.create({ model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: SEED }] });
    const long = await client.messages.create({ model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: SEED }], tools: ALL_TOOLS, system: 'You are a careful clinician.' });
    assert.ok(long.usage.input_tokens > short.usage.input_tokens);
    assert.equal(short.usage.output_tokens, Math.ceil(textOf(short).length / 4));
  });

  it('never calls tools when tool_choice is none', async () => {
    const { message } = await streamTurn(offlineClient(), { messages: [{ role: 'user', content: SEED }], tools: ALL_TOOLS, tool_choice: { type: 'none' } });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(toolUses(message).length, 0);
  });

  it('stream.abort() mid-stream rejects finalMessage with APIUserAbortError at once, with no events after it', async () => {
    const client = offlineClient(20);
    const { messages } = await seedRound(offlineClient());
    const stream = client.messages.stream({ model: MODEL, max_tokens: 2048, messages, tools: ALL_TOOLS });
    let eventsAfterAbort = 0;
    let aborted = false;
    let abortedAt = 0;
    stream.on('streamEvent', () => {
      if (aborted) eventsAfterAbort++;
    });
    stream.on('text', () => {
      if (!aborted && stream.currentMessage && textOf(stream.currentMessage).length > 30) {
        aborted = true;
        abortedAt = performance.now();
        stream.abort();
      }
    });
    await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);
    assert.ok(performance.now() - abortedAt < 100, 'rejects promptly');
    await tick(80);
    assert.equal(eventsAfterAbort, 0);
    assert.ok(aborted);
  });

  it('an abort signal passed by the caller stops the stream and leaves no timer running', async () => {
    const client = offlineClient(50);
    const before = await activeTimers();
    const controller = new AbortController();
    const stream = client.messages.stream({ model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: SEED }] }, { signal: controller.signal });
    await new Promise<void>((resolve) => stream.once('text', () => resolve()));
    controller.abort();
    await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);
    assert.equal(await activeTimers(), before, 'the 50 ms delta timer was cleared');
  });

  it('leaving raw iteration early cancels the stream and leaves no timer running', async () => {
    const client = offlineClient(50);
    const before = await activeTimers();
    const stream = await client.messages.create({ model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: SEED }], stream: true });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta') break;
    }
    assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta']);
    assert.equal(await activeTimers(), before, 'the 50 ms delta timer was cleared');
  });

  it('rejects malformed requests with the SDK BadRequestError, as the API would', async () => {
    const client = offlineClient();
    await assert.rejects(
      client.messages.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
      (error: unknown) => error instanceof Anthropic.BadRequestError && error.status === 400 && /max_tokens/.test(error.message),
    );
    await assert.rejects(
      client.messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_missing', content: '{}' }] }],
      }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /unexpected `tool_use_id`/.test(error.message),
    );
    await assert.rejects(
      client.messages.stream({ model: MODEL, max_tokens: 100, messages: [] }).finalMessage(),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /messages/.test(error.message),
    );
  });

  it('refuses a request beyond its context window with the API’s 400 and wording', async () => {
    const model = new OfflineClinicalModel({ contextTokens: 1_000 });
    const client = new Anthropic({
      apiKey: null,
      defaultHeaders: { authorization: null },
      baseURL: 'http://offline-model.invalid',
      fetch: createOfflineModelFetch({ deltaDelayMs: 0, model }),
      maxRetries: 0,
    });
    const fits = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: SEED }] });
    assert.ok(fits.usage.input_tokens <= 1_000);
    const long = `${SEED} ${'She also reports poor sleep. '.repeat(200)}`;
    await assert.rejects(
      client.messages.stream({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: long }] }).finalMessage(),
      (error: unknown) =>
        error instanceof Anthropic.BadRequestError &&
        /prompt is too long: \d+ tokens > 1000 maximum/.test(error.message) &&
        (error.error as { error?: { type?: string } }).error?.type === 'invalid_request_error',
    );
    assert.equal(new OfflineClinicalModel().contextTokens, 200_000, 'Claude’s window by default');
  });

  it('a headache is safety-netted, and with nothing measured there is no "recheck the measurements"', () => {
    // Found by the length property below (148 words): a headache alone had only generic advice.
    const reply = new OfflineClinicalModel().respond({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: '18-year-old woman, presenting with headache.' }] });
    const block = reply.content[0];
    assert.ok(block?.type === 'text');
    const followUp = block.text.slice(block.text.indexOf('## Follow-up'));
    assert.match(followUp, /Seek urgent care for a sudden, severe \("worst ever"\) headache, headache with fever and a stiff neck/);
    assert.doesNotMatch(block.text, /Recheck the measurements/);
    assert.ok(words(block.text) >= 150);
  });

  it('property: any described patient gets a three-section answer of 150–450 words', () => {
    const model = new OfflineClinicalModel();
    const symptoms = ['fatigue', 'increased thirst', 'frequent urination', 'weight gain', 'cold intolerance', 'snoring', 'shortness of breath', 'ankle swelling', 'chest pain', 'headache', 'dizziness', 'low mood', 'palpitations'];
    const meds = ['metformin', 'lisinopril', 'atorvastatin', 'warfarin', 'ibuprofen', 'sertraline'];
    fc.assert(
      fc.property(
        fc.integer({ min: 18, max: 95 }),
        fc.constantFrom('woman', 'man'),
        fc.option(fc.tuple(fc.integer({ min: 58, max: 76 }), fc.integer({ min: 100, max: 350 }))),
        fc.option(fc.tuple(fc.integer({ min: 100, max: 200 }), fc.integer({ min: 60, max: 110 }))),
        fc.subarray(symptoms, { minLength: 1, maxLength: 6 }),
        fc.subarray(meds, { maxLength: 3 }),
        (age, sex, body, bp, presenting, taking) => {
          const parts = [`${age}-year-old ${sex}`];
          if (body) parts.push(`${body[0]} inches tall, ${body[1]} lbs`);
          if (bp) parts.push(`BP ${bp[0]}/${bp[1]}`);
          parts.push(`presenting with ${presenting.join(', ')}`);
          if (taking.length > 0) parts.push(`takes ${taking.join(' and ')}`);
          const reply = model.respond({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: `${parts.join(', ')}.` }] });
          const block = reply.content[0];
          assert.equal(reply.stop_reason, 'end_turn');
          assert.ok(block?.type === 'text');
          assert.match(block.text, /^## Assessment\n[\s\S]*\n## Recommendations\n[\s\S]*\n## Follow-up\n/);
          const count = words(block.text);
          assert.ok(count >= 150 && count <= 450, `${count} words for: ${parts.join(', ')}`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
