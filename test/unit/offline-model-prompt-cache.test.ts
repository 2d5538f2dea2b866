// The offline model's prompt cache, driven through the real @anthropic-ai/sdk: breakpoints write
// the prefix they end, later requests read the longest prefix they share (with the API's 20-block
// lookback), prefixes below the model's minimum are not cached, entries expire, and malformed or
// too many breakpoints are refused as the API refuses them.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createOfflineModelFetch, OfflineClinicalModel } from '../../lib/llm/offline/index.js';
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

  it('looks back no more than 20 blocks from a breakpoint', async () => {
    const blocks = (n: number): Anthropic.TextBlockParam[] => Array.from({ length: n }, (_, i) => ({ type: 'text', text: `note ${i}` }));
    const near = offline();
    const first = await create(near, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(1) }]) });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0);
    const within = await create(near, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(21) }]) });
    assert.equal(within.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens, 'the entry 20 blocks back is read');

    const far = offline();
    await create(far, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(1) }]) });
    const beyond = await create(far, { system: LONG_SYSTEM, messages: withCacheBreakpoint([{ role: 'user', content: blocks(22) }]) });
    assert.equal(beyond.usage.cache_read_input_tokens, 0, '21 blocks back is past the lookback');
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

  it('the top-level cache_control marks the last block (automatic caching)', async () => {
    const client = offline();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'A 58-year-old woman on lisinopril.' }];
    const first = await create(client, { system: LONG_SYSTEM, messages, cache_control: EPHEMERAL });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0);
    const again = await create(client, { system: LONG_SYSTEM, messages, cache_control: EPHEMERAL });
    assert.equal(again.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
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

  it('refuses more than 4 breakpoints and a malformed cache_control with a 400 naming it', async () => {
    const client = offline();
    const five: Anthropic.TextBlockParam[] = Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: EPHEMERAL }));
    await assert.rejects(create(client, { system: five }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.match(error.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5\./);
      return true;
    });
    const bad = [{ type: 'text', text: 'x', cache_control: { type: 'persistent' } }] as unknown as Anthropic.TextBlockParam[];
    await assert.rejects(create(client, { system: bad }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.match(error.message, /system\.0\.cache_control\.type/);
      return true;
    });
    const badTtl = [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } }] as unknown as Anthropic.TextBlockParam[];
    await assert.rejects(create(client, { system: badTtl }), /system\.0\.cache_control\.ttl/);
  });
});

describe('prompt-cache breakpoints of the agent loop', () => {
  it('marks the last block of the last message on a copy, leaving the history as it was', () => {
    const history: Anthropic.MessageParam[] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' }, { type: 'text', text: 'more' }] },
    ];
    const before = JSON.stringify(history);
    const marked = withCacheBreakpoint(history);
    assert.equal(JSON.stringify(history), before, 'the history is not changed');
    assert.deepEqual(marked.slice(0, 2), history.slice(0, 2));
    assert.deepEqual(marked[2]?.content, [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' }, { type: 'text', text: 'more', cache_control: EPHEMERAL }]);
    assert.deepEqual(withCacheBreakpoint([{ role: 'user', content: 'hi' }]), [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: EPHEMERAL }] }]);
    assert.deepEqual(cachedSystemPrompt('sys'), [{ type: 'text', text: 'sys', cache_control: EPHEMERAL }]);
  });
});
