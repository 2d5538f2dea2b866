// The offline model's prompt cache, driven through the real @anthropic-ai/sdk: breakpoints write
// the prefix they end, later requests read the longest prefix they share (20 positions per
// breakpoint, the API's lookback), entries belong to one model, prefixes below the model's minimum
// are not cached, entries expire and every entry a request uses is refreshed, and malformed, too
// many or wrongly ordered breakpoints are refused as the API refuses them, in its words.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createOfflineModelFetch, OfflineClinicalModel } from '../../lib/llm/offline/index.js';
import { minimumCacheableTokens, promptUnitsOf } from '../../lib/llm/offline/prompt-cache.js';
import { cachedSystemPrompt, withCacheBreakpoint } from '../../services/conversation/prompt-caching.js';

const MODEL = 'tracemesh-offline-clinical';
// ≈ 1,500 tokens at the offline model's 4 characters a token: above Sonnet's 1,024 minimum, below Haiku 4.5's 4,096.
const LONG_SYSTEM = 'You are a careful clinical assistant. Cite the tools you used and say what you could not check. '.repeat(62);
const EPHEMERAL = { type: 'ephemeral' } as const;

function offline(now: () => number = Date.now): Anthropic {
  return new Anthropic({
    apiKey: null,
    defaultHeaders: { authorization: null },
    baseURL: 'http://offline-model.invalid',
    fetch: createOfflineModelFetch({ model: new OfflineClinicalModel({ now }) }),
    maxRetries: 0,
  });
}

function create(client: Anthropic, params: Partial<Anthropic.MessageCreateParamsNonStreaming>): Promise<Anthropic.Message> {
  return client.messages.create({ model: MODEL, max_tokens: 300, messages: [{ role: 'user', content: 'Hello' }], ...params });
}

const total = (usage: Anthropic.Usage): number => usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);

/** The API's error message a request is refused with (a 400 invalid_request_error). */
async function refusal(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (error) {
    assert.ok(error instanceof Anthropic.BadRequestError, String(error));
    return (error.error as { error: { message: string } }).error.message;
  }
  assert.fail('the request was accepted');
}

const text = (value: string): Anthropic.TextBlockParam => ({ type: 'text', text: value });

describe('offline model: prompt caching', () => {
  it('writes the prefix a breakpoint ends, then reads it; the input split always adds up to the uncached count', async () => {
    const client = offline();
    const plain = await create(offline(), { system: LONG_SYSTEM });
    assert.equal(plain.usage.cache_read_input_tokens, 0);
    assert.equal(plain.usage.cache_creation_input_tokens, 0);

    const first = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 1_024, JSON.stringify(first.usage));
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.deepEqual(first.usage.cache_creation, { ephemeral_5m_input_tokens: first.usage.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 });

    const again = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.equal(again.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.equal(again.usage.cache_creation_input_tokens, 0);
    for (const usage of [first.usage, again.usage]) assert.equal(total(usage), plain.usage.input_tokens);
  });

  it('a string prompt and the same text as one block share the cache', async () => {
    const client = offline();
    const asString = await create(client, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: 'Hello' }]) });
    assert.ok((asString.usage.cache_creation_input_tokens ?? 0) > 0);
    const asBlocks = await create(client, { system: [{ type: 'text', text: LONG_SYSTEM }], messages: withCacheBreakpoint([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]) });
    assert.equal(asBlocks.usage.cache_read_input_tokens, asString.usage.cache_creation_input_tokens);
  });

  it('a breakpoint that moves forward with the conversation reads the last request\'s prefix and writes only what is new', async () => {
    const client = offline();
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: 'A 58-year-old woman on lisinopril.' }];
    const first = await create(client, { system: LONG_SYSTEM, messages: withCacheBreakpoint(history) });
    const firstPrefix = first.usage.cache_creation_input_tokens ?? 0;
    assert.ok(firstPrefix > 0);
    history.push({ role: 'assistant', content: first.content.filter((block) => block.type === 'text') }, { role: 'user', content: 'And her potassium is 5.9 mmol/L.' });
    const second = await create(client, { system: LONG_SYSTEM, messages: withCacheBreakpoint(history) });
    assert.equal(second.usage.cache_read_input_tokens, firstPrefix, 'the first request\'s prefix, found 2 blocks back');
    assert.ok((second.usage.cache_creation_input_tokens ?? 0) > 0 && (second.usage.cache_creation_input_tokens ?? 0) < firstPrefix, JSON.stringify(second.usage));
  });

  it('checks 20 positions per breakpoint, the breakpoint itself first: an entry 20 blocks back is missed', async () => {
    // The docs' example: breakpoint on block 35, entry at block 15 — "one position outside the window".
    const blocks = (n: number): Anthropic.TextBlockParam[] => Array.from({ length: n }, (_, i) => text(`note ${i}`));
    const near = offline();
    const first = await create(near, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(1) }]) });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0);
    const within = await create(near, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(20) }]) });
    assert.equal(within.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens, 'the entry 19 blocks back is the 20th position: read');

    const far = offline();
    await create(far, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(1) }]) });
    const beyond = await create(far, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(21) }]) });
    assert.equal(beyond.usage.cache_read_input_tokens, 0, '20 blocks back is past the lookback');
  });

  it('does not cache a prefix below the model\'s minimum (1,024 tokens for Sonnet, 4,096 for Haiku 4.5)', async () => {
    const short = await create(offline(), { system: cachedSystemPrompt('Be brief.') });
    assert.equal(short.usage.cache_creation_input_tokens, 0);
    const client = offline();
    const haiku = await create(client, { model: 'claude-haiku-4-5', system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.equal(haiku.usage.cache_creation_input_tokens, 0);
    const sonnet = await create(client, { model: 'claude-sonnet-4-6', system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.ok((sonnet.usage.cache_creation_input_tokens ?? 0) > 1_024);
  });

  it('knows each model\'s minimum from the prompt caching page (512 for the Claude 5 models but Sonnet 5, 2,048 for Opus 4.7)', async () => {
    const expected: Record<string, number> = {
      'claude-fable-5': 512,
      'claude-fable-5-1': 512,
      'claude-mythos-5': 512,
      'claude-mythos-5-1': 512,
      'claude-opus-5': 512,
      'claude-opus-5-5': 512,
      'claude-sonnet-5-5': 512,
      'claude-haiku-5-5': 512,
      'claude-sonnet-5': 1_024,
      'claude-opus-4-8': 1_024,
      'claude-sonnet-4-6': 1_024,
      'claude-sonnet-4-5-20250929': 1_024,
      'claude-opus-4-1-20250805': 1_024,
      'claude-opus-4-20250514': 1_024,
      'claude-3-7-sonnet-latest': 1_024,
      'claude-opus-4-7': 2_048,
      'claude-mythos-preview': 2_048,
      'claude-3-5-haiku-20241022': 2_048,
      'claude-3-haiku-20240307': 2_048,
      'claude-opus-4-6': 4_096,
      'claude-opus-4-5-20251101': 4_096,
      'claude-haiku-4-5-20251001': 4_096,
      [MODEL]: 1_024,
    };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((model) => [model, minimumCacheableTokens(model)])), expected);

    // ≈ 1,500 tokens: below Opus 4.7's 2,048, above Opus 4.8's 1,024; ≈ 730: above Claude Opus 5's 512, below Sonnet 5's 1,024.
    const written = async (model: string, system: string): Promise<number> =>
      (await create(offline(), { model, system: cachedSystemPrompt(system) })).usage.cache_creation_input_tokens ?? 0;
    assert.equal(await written('claude-opus-4-7', LONG_SYSTEM), 0);
    assert.ok((await written('claude-opus-4-8', LONG_SYSTEM)) > 1_024);
    const medium = LONG_SYSTEM.slice(0, 2_900);
    assert.ok((await written('claude-opus-5', medium)) > 512);
    assert.equal(await written('claude-sonnet-5', medium), 0);
  });

  it('keeps each model\'s entries apart: the same prompt to another model is written again', async () => {
    const client = offline();
    const sonnet = await create(client, { model: 'claude-sonnet-4-6', system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.ok((sonnet.usage.cache_creation_input_tokens ?? 0) > 0);
    const opus = await create(client, { model: 'claude-opus-4-8', system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.equal(opus.usage.cache_read_input_tokens, 0);
    assert.equal(opus.usage.cache_creation_input_tokens, sonnet.usage.cache_creation_input_tokens);
    const again = await create(client, { model: 'claude-sonnet-4-6', system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.equal(again.usage.cache_read_input_tokens, sonnet.usage.cache_creation_input_tokens);
  });

  it('an entry lives 5 minutes from its last read (1 hour with ttl "1h")', async () => {
    let now = 1_000_000;
    const client = offline(() => now);
    const written = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) });
    const prefix = written.usage.cache_creation_input_tokens;
    now += 4 * 60_000;
    assert.equal((await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) })).usage.cache_read_input_tokens, prefix, 'read at 4 minutes');
    now += 4 * 60_000;
    assert.equal((await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) })).usage.cache_read_input_tokens, prefix, 'read again 4 minutes after the last read');
    now += 5 * 60_000 + 1;
    const expired = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) });
    assert.equal(expired.usage.cache_read_input_tokens, 0, 'gone 5 minutes after the last read');
    assert.equal(expired.usage.cache_creation_input_tokens, prefix);

    const hour: Anthropic.TextBlockParam[] = [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const long = await create(client, { system: hour, messages: [{ role: 'user', content: 'Other question' }] });
    assert.equal(long.usage.cache_creation?.ephemeral_1h_input_tokens, long.usage.cache_creation_input_tokens);
    now += 50 * 60_000;
    assert.equal((await create(client, { system: hour, messages: [{ role: 'user', content: 'Other question' }] })).usage.cache_read_input_tokens, long.usage.cache_creation_input_tokens);
  });

  it('refreshes every entry a request uses: the system prompt\'s stays alive while a conversation reads past it', async () => {
    let now = 1_000_000;
    const client = offline(() => now);
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: 'A 58-year-old woman on lisinopril.' }];
    const first = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM), messages: withCacheBreakpoint(history) });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0);
    for (const followUp of ['Her potassium is 5.9 mmol/L.', 'And her eGFR is 48.']) {
      now += 4 * 60_000;
      history.push({ role: 'assistant', content: [text('Noted.')] }, { role: 'user', content: followUp });
      const next = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM), messages: withCacheBreakpoint(history) });
      assert.ok((next.usage.cache_read_input_tokens ?? 0) > 0, 'reads the previous request');
    }
    // 10 minutes after the system prompt's entry was written, 2 after the conversation last read past it.
    now += 2 * 60_000;
    const other = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM), messages: [{ role: 'user', content: 'Another patient.' }] });
    const systemOnly = await create(offline(), { system: cachedSystemPrompt(LONG_SYSTEM), messages: [{ role: 'user', content: 'Another patient.' }] });
    assert.equal(other.usage.cache_read_input_tokens, systemOnly.usage.cache_creation_input_tokens, 'a new conversation still reads the tools and system prompt');
  });

  it('the top-level cache_control marks the last block (automatic caching)', async () => {
    const client = offline();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'A 58-year-old woman on lisinopril.' }];
    const first = await create(client, { system: LONG_SYSTEM, messages, cache_control: EPHEMERAL });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0);
    const again = await create(client, { system: LONG_SYSTEM, messages, cache_control: EPHEMERAL });
    assert.equal(again.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
  });

  it('automatic caching takes one of the 4 slots, agrees with a marker of the same TTL on its block, and walks back past a thinking block', async () => {
    const client = offline();
    const marked = (n: number): Anthropic.TextBlockParam[] => Array.from({ length: n }, (_, i) => ({ ...text(`part ${i}`), cache_control: EPHEMERAL }));
    assert.equal(
      await refusal(create(client, { system: marked(4), messages: [{ role: 'user', content: 'Hello' }], cache_control: EPHEMERAL })),
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
    // Its block already marked with the same TTL: nothing more (4 in all).
    await create(client, { system: marked(3), messages: [{ role: 'user', content: [{ ...text('Hello'), cache_control: EPHEMERAL }] }], cache_control: EPHEMERAL });
    assert.match(
      await refusal(create(client, { messages: [{ role: 'user', content: [{ ...text('Hello'), cache_control: EPHEMERAL }] }], cache_control: { type: 'ephemeral', ttl: '1h' } })),
      /^cache_control: .*messages\.0\.content\.0.*ttl='5m'/,
    );

    const units = promptUnitsOf({
      model: MODEL,
      max_tokens: 10,
      cache_control: { type: 'ephemeral' },
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hi' }, { type: 'thinking', thinking: 'hmm', signature: 'sig' }] },
      ],
    });
    assert.deepEqual(units?.filter((unit) => unit.breakpoint).map((unit) => unit.where), ['messages.1.content.0']);
  });

  it('streams the cache counts in message_start, as the API does', async () => {
    const client = offline();
    await create(client, { system: cachedSystemPrompt(LONG_SYSTEM) });
    let started: Anthropic.Usage | undefined;
    const stream = client.messages.stream({ model: MODEL, max_tokens: 300, system: cachedSystemPrompt(LONG_SYSTEM), messages: [{ role: 'user', content: 'Hello' }] });
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') started = event.message.usage;
    });
    const message = await stream.finalMessage();
    assert.ok((started?.cache_read_input_tokens ?? 0) > 0, JSON.stringify(started));
    assert.equal(message.usage.cache_read_input_tokens, started?.cache_read_input_tokens);
  });

  it('refuses more than 4 breakpoints and a malformed cache_control with a 400 naming it, in the API\'s words', async () => {
    const client = offline();
    const five: Anthropic.TextBlockParam[] = Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: EPHEMERAL }));
    assert.equal(await refusal(create(client, { system: five })), 'A maximum of 4 blocks with cache_control may be provided. Found 5.');
    const withMarker = (cacheControl: unknown): Anthropic.TextBlockParam[] => [{ type: 'text', text: 'x', cache_control: cacheControl }] as unknown as Anthropic.TextBlockParam[];
    assert.equal(
      await refusal(create(client, { system: withMarker({ type: 'persistent' }) })),
      "system.0.cache_control: Input tag 'persistent' found using 'type' does not match any of the expected tags: 'ephemeral'",
    );
    assert.equal(await refusal(create(client, { system: withMarker({ type: 'ephemeral', ttl: '2h' }) })), "system.0.cache_control.ephemeral.ttl: Input should be '5m' or '1h'");
    assert.equal(await refusal(create(client, { system: withMarker({ type: 'ephemeral', scope: 'global' }) })), 'system.0.cache_control.ephemeral.scope: Extra inputs are not permitted');
    // Message blocks are a union tagged by type: the path names the tag, as the API's does.
    assert.equal(
      await refusal(create(client, { messages: [{ role: 'user', content: withMarker({ type: 'ephemeral', ttl: 3600 }) }] })),
      "messages.0.content.0.text.cache_control.ephemeral.ttl: Input should be '5m' or '1h'",
    );
  });

  it('refuses a marker on an empty text block or a thinking block', async () => {
    const client = offline();
    assert.equal(
      await refusal(create(client, { messages: [{ role: 'user', content: [text('Hello'), { ...text(''), cache_control: EPHEMERAL }] }] })),
      'messages.0.content.1.text: cache_control cannot be set for empty text blocks',
    );
    const thinking = { type: 'thinking', thinking: 'hmm', signature: 'sig', cache_control: EPHEMERAL } as unknown as Anthropic.ThinkingBlockParam;
    assert.equal(
      await refusal(create(client, { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: [thinking, text('Hi')] }, { role: 'user', content: 'More' }] })),
      'messages.1.content.0.thinking.cache_control: Extra inputs are not permitted',
    );
  });

  it('wants 1-hour breakpoints before 5-minute ones, and bills each segment at its own TTL', async () => {
    const client = offline();
    const hour: Anthropic.CacheControlEphemeral = { type: 'ephemeral', ttl: '1h' };
    assert.equal(
      await refusal(create(client, { system: [{ ...text(LONG_SYSTEM), cache_control: EPHEMERAL }], messages: [{ role: 'user', content: [{ ...text('Hello'), cache_control: hour }] }] })),
      "messages.0.content.0.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.",
    );
    // Tools come first: a 5-minute tool breakpoint before a 1-hour system one is refused too.
    const tool: Anthropic.Tool = { name: 'lookup', description: 'Looks things up.', input_schema: { type: 'object', properties: {} }, cache_control: EPHEMERAL };
    assert.match(await refusal(create(client, { tools: [tool], system: [{ ...text(LONG_SYSTEM), cache_control: hour }] })), /^system\.0\.cache_control\.ttl: a ttl='1h'/);

    const question = 'A 58-year-old woman on lisinopril and metformin. '.repeat(40);
    const systemOnly = await create(offline(), { system: [{ ...text(LONG_SYSTEM), cache_control: hour }] });
    const both = await create(client, { system: [{ ...text(LONG_SYSTEM), cache_control: hour }], messages: [{ role: 'user', content: [{ ...text(question), cache_control: EPHEMERAL }] }] });
    const creation = both.usage.cache_creation!;
    assert.equal(creation.ephemeral_1h_input_tokens, systemOnly.usage.cache_creation_input_tokens, 'B − A at the 1-hour rate');
    assert.ok(creation.ephemeral_5m_input_tokens > 0, 'C − B at the 5-minute rate');
    assert.equal(creation.ephemeral_1h_input_tokens + creation.ephemeral_5m_input_tokens, both.usage.cache_creation_input_tokens);
  });
});

describe('prompt-cache breakpoints of the agent loop', () => {
  it('marks the last block of the last message, and of the message the previous call ended with, on a copy', () => {
    const history: Anthropic.MessageParam[] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' }, { type: 'text', text: 'more' }] },
    ];
    const before = JSON.stringify(history);
    const marked = withCacheBreakpoint(history);
    assert.equal(JSON.stringify(history), before, 'the history is not changed');
    assert.deepEqual(marked[0]?.content, [{ type: 'text', text: 'first', cache_control: EPHEMERAL }], 'where the previous call ended');
    assert.deepEqual(marked[1], history[1]);
    assert.deepEqual(marked[2]?.content, [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' }, { type: 'text', text: 'more', cache_control: EPHEMERAL }]);
    assert.deepEqual(withCacheBreakpoint([{ role: 'user', content: 'hi' }]), [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: EPHEMERAL }] }]);
    assert.deepEqual(cachedSystemPrompt('sys'), [{ type: 'text', text: 'sys', cache_control: EPHEMERAL }]);
  });

  it('a response with 10 tool calls (21 blocks) does not cost the next call the previous call\'s entry', async () => {
    const client = offline();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'A 58-year-old woman on lisinopril. What are her risks?' }];
    const first = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM), messages: withCacheBreakpoint(messages) });
    const firstPrefix = (first.usage.cache_read_input_tokens ?? 0) + (first.usage.cache_creation_input_tokens ?? 0);
    const ids = Array.from({ length: 10 }, (_, i) => `toolu_${i}`);
    messages.push(
      { role: 'assistant', content: [text('Checking.'), ...ids.map((id): Anthropic.ToolUseBlockParam => ({ type: 'tool_use', id, name: 'lookup', input: { n: id } }))] },
      { role: 'user', content: ids.map((id): Anthropic.ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: id, content: '{"ok":true}' })) },
    );
    const second = await create(client, { system: cachedSystemPrompt(LONG_SYSTEM), messages: withCacheBreakpoint(messages) });
    assert.equal(second.usage.cache_read_input_tokens, firstPrefix, 'the first call\'s whole prompt is read');
  });
});
