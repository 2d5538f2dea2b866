// The trace analytics library against the shared mesh's trace store, seeded with real
// conversations (seeded-conversations.ts): each query's answer is checked against what the
// conversations did (their turn results) or against the raw spans, computed here by hand.
import assert from 'node:assert/strict';
import { and, as, eq, field, inList, projectLogs, value } from '../../clients/node/analytics/btql-ast.js';
import { BtqlClient } from '../../clients/node/analytics/btql-client.js';
import { numberAt, objectAt, spanError, stringAt } from '../../clients/node/span-fields.js';
import { TraceAnalytics } from '../../clients/node/analytics/trace-analytics.js';
import type { ToolStatistics } from '../../clients/node/analytics/tool-statistics.js';
import type { ConversationSummary } from '../../clients/node/analytics/conversations.js';
import { seededConversations, type SeededConversations } from './seeded-conversations.js';

function near(actual: number | undefined, expected: number | undefined, label: string): void {
  if (expected === undefined) return assert.equal(actual, undefined, label);
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${label}: ${String(actual)} ≈ ${expected}`);
}

/** Linear-interpolation percentile, as the store computes it. */
function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const low = sorted[Math.floor(rank)]!;
  return low + (sorted[Math.ceil(rank)]! - low) * (rank - Math.floor(rank));
}

describe('trace analytics queries (real conversations through the mesh)', function () {
  this.timeout(120_000);
  let seed: SeededConversations;
  let analytics: TraceAnalytics;

  before(async () => {
    seed = await seededConversations();
    analytics = new TraceAnalytics();
  });

  const ours = (rootSpanIds: string[]): string[] => {
    const mine = new Map(seed.order.map((label) => [seed.conversations[label].rootSpanId, label]));
    return rootSpanIds.flatMap((id) => mine.get(id) ?? []);
  };

  it('recent conversations: client_conversation roots, newest first, with the aggregated output', async () => {
    const recent = await analytics.recentConversations({ limit: 200 });
    assert.deepEqual(ours(recent.map((c) => c.rootSpanId)), [...seed.order].reverse(), 'ours, newest first');
    const created = recent.map((c) => c.created);
    assert.deepEqual(created, [...created].sort().reverse(), 'the whole list is newest first');
    const twoTurns = recent.find((c) => c.rootSpanId === seed.conversations.twoTurns.rootSpanId)!;
    assert.equal(twoTurns.conversationId, seed.conversations.twoTurns.conversationId);
    assert.equal(twoTurns.totalTurns, 2);
    assert.equal(twoTurns.patientQuery, seed.conversations.twoTurns.queries[0]);
    assert.equal(twoTurns.finalResponse, seed.conversations.twoTurns.results[1]!.text);
    assert.deepEqual(await analytics.recentConversations({ limit: 2 }), recent.slice(0, 2), '--limit takes the newest');
  });

  it('search by patient query text: case-insensitive, wildcards literal, values never parsed', async () => {
    const found = await analytics.searchConversations(seed.marker.toUpperCase(), { limit: 100 });
    assert.deepEqual(ours(found.map((c) => c.rootSpanId)).sort(), [...seed.order].sort());
    assert.equal(found.length, seed.order.length + 1, 'only conversations with the marker (the untraced one too)');
    const thirst = await analytics.searchConversations(`increased thirst. could this be diabetes? (${seed.marker}`);
    assert.deepEqual(ours(thirst.map((c) => c.rootSpanId)), ['thirst']);
    for (const text of ['_', '%']) {
      const literal = await analytics.searchConversations(text, { limit: 500 });
      // A conversation matches by its patient query or error, or by any message or error of its turns.
      const others = literal.filter((c) => !c.patientQuery.includes(text) && !(c.error ?? '').includes(text));
      const client = new BtqlClient();
      const turns = others.length === 0 ? [] : await client.rows({
        from: projectLogs(await client.projectId()),
        select: [as('root_span_id', field('root_span_id')), as('message', field('input', 'message')), as('error', field('error'))],
        filter: and(eq(field('span_attributes', 'name'), value('server_process_turn')), inList(field('root_span_id'), others.flatMap((c) => c.traceIds))),
      });
      for (const c of others) {
        const texts = turns.filter((t) => c.traceIds.includes(stringAt(t, 'root_span_id') ?? '')).flatMap((t) => [stringAt(t, 'message') ?? '', spanError(t) ?? '']);
        assert.ok(texts.some((t) => t.includes(text)), `"${text}" matches itself, not any character: ${JSON.stringify(c)}`);
      }
    }
    assert.ok(ours((await analytics.searchConversations('_', { limit: 500 })).map((c) => c.rootSpanId)).includes('toolError'));
    assert.deepEqual(await analytics.searchConversations(`${seed.marker}' OR 1=1 --`), []);
  });

  it('lists, searches and summarises a conversation from a caller that traces nothing (from the service\'s own turn spans)', async () => {
    const { untraced } = seed;
    assert.equal(new Set(untraced.traceIds).size, 2, 'each turn of an untraced caller is a trace of its own');
    const expected = {
      rootSpanId: untraced.traceIds[0],
      conversationId: untraced.conversationId,
      patientQuery: untraced.queries[0],
      finalResponse: untraced.results[1]!.text,
      totalTurns: 2,
      traceIds: untraced.traceIds,
    };
    const pick = (list: ConversationSummary[]) => {
      const found = list.find((c) => c.conversationId === untraced.conversationId);
      return found && { rootSpanId: found.rootSpanId, conversationId: found.conversationId, patientQuery: found.patientQuery, finalResponse: found.finalResponse, totalTurns: found.totalTurns, traceIds: found.traceIds };
    };
    assert.deepEqual(pick(await analytics.recentConversations({ limit: 200 })), expected);
    assert.deepEqual(pick(await analytics.conversationsSince(1, { limit: 500 })), expected);
    // Any of its messages matches, the second one included.
    assert.deepEqual(pick(await analytics.searchConversations('160 cm and 70 kg', { limit: 500 })), expected);
    // The traced conversations are told once, by their client roots.
    const found = await analytics.searchConversations(seed.marker, { limit: 100 });
    assert.equal(new Set(found.map((c) => c.conversationId)).size, found.length, 'no conversation twice');
  });

  it('conversations in the last N hours', async () => {
    const lastHour = await analytics.conversationsSince(1, { limit: 500 });
    assert.deepEqual(ours(lastHour.map((c) => c.rootSpanId)), [...seed.order].reverse());
    assert.ok(lastHour.every((c) => Date.parse(c.created) >= Date.now() - 3_600_000));
    const twoHoursAhead = new Date(Date.now() + 2 * 3_600_000);
    assert.deepEqual(await analytics.conversationsSince(1, { now: twoHoursAhead }), [], 'nothing started after now + 1 h');
  });

  it('tool statistics per tool equal a hand computation over the raw worker_execute_tool spans', async () => {
    // Our traces only: other tests' spans may still be arriving while this one runs.
    const rootSpanIds = seed.order.map((label) => seed.conversations[label].rootSpanId);
    const client = new BtqlClient();
    const raw = await client.rows({
      from: projectLogs(await client.projectId()),
      select: [as('tool', field('input', 'tool_name')), as('error', field('error')), as('metrics', field('metrics'))],
      filter: and(eq(field('span_attributes', 'name'), value('worker_execute_tool')), inList(field('root_span_id'), rootSpanIds)),
    });
    const expected = new Map<string, { calls: number; errors: number; durations: number[] }>();
    for (const row of raw) {
      const tool = stringAt(row, 'tool')!;
      const entry = expected.get(tool) ?? { calls: 0, errors: 0, durations: [] };
      entry.calls++;
      if (spanError(row) !== undefined) entry.errors++;
      const metrics = objectAt(row, 'metrics');
      entry.durations.push((numberAt(metrics, 'end')! - numberAt(metrics, 'start')!) * 1000);
      expected.set(tool, entry);
    }
    const stats = await analytics.toolStatistics({ rootSpanIds });
    assert.deepEqual(stats.map((s) => s.tool).sort(), [...expected.keys()].sort());
    for (const actual of stats) {
      const hand = expected.get(actual.tool)!;
      assert.equal(actual.calls, hand.calls, `${actual.tool} calls`);
      assert.equal(actual.errors, hand.errors, `${actual.tool} errors`);
      near(actual.errorRate, hand.errors / hand.calls, `${actual.tool} error rate`);
      near(actual.meanMs, hand.durations.reduce((a, b) => a + b, 0) / hand.durations.length, `${actual.tool} mean`);
      near(actual.p95Ms, percentile(hand.durations, 0.95), `${actual.tool} p95`);
    }
    const calls = stats.map((s) => s.calls);
    assert.deepEqual(calls, [...calls].sort((a, b) => b - a), 'most-called first');

    // What the seeded conversations did is in there.
    const byTool = new Map<string, ToolStatistics>(stats.map((s) => [s.tool, s]));
    const unknown = byTool.get('no_such_tool');
    assert.ok(unknown && unknown.errors >= 1 && unknown.errorRate === 1, 'the unknown tool always fails');
    const metricsCalls = seed.order.flatMap((label) => seed.conversations[label].results.flatMap((r) => r.toolCalls)).filter((c) => c.toolName === 'calculate_clinical_metrics');
    assert.equal(byTool.get('calculate_clinical_metrics')?.calls, metricsCalls.length);
    assert.deepEqual([unknown.calls, unknown.errors], [1, 1]);
    const since = await analytics.toolStatistics({ since: seed.startedAt });
    assert.ok((since.find((s) => s.tool === 'no_such_tool')?.calls ?? 0) >= 1, 'a time window finds them too');
  });

  it('tool statistics from the tools\' own spans leave out calls that never reached a tool', async () => {
    const stats = await analytics.toolStatistics({ source: 'tools', since: seed.startedAt });
    assert.ok(!stats.some((s) => s.tool === 'no_such_tool'));
    const metrics = stats.find((s) => s.tool === 'calculate_clinical_metrics');
    assert.ok(metrics && metrics.calls >= 1 && metrics.meanMs !== undefined && metrics.p95Ms !== undefined && metrics.p95Ms >= 0);
  });

  it('low scores for any score name and threshold, worst first, with trace and conversation', async () => {
    const low = await analytics.lowScores(seed.feedbackScore);
    assert.equal(low.length, 1);
    assert.deepEqual(
      { ...low[0], created: undefined },
      {
        rootSpanId: seed.conversations.healthy.rootSpanId,
        spanId: low[0]!.spanId,
        spanName: 'client_conversation',
        score: 0.2,
        created: undefined,
        conversationId: seed.conversations.healthy.conversationId,
        patientQuery: seed.conversations.healthy.queries[0],
      },
    );
    const both = await analytics.lowScores(seed.feedbackScore, { below: 0.95 });
    assert.deepEqual(both.map((s) => [s.score, ours([s.rootSpanId])[0]]), [[0.2, 'healthy'], [0.9, 'thirst']]);
    assert.deepEqual(await analytics.lowScores(seed.feedbackScore, { below: 0.2 }), [], 'strictly below');

    // The tool's own online score: the obese patient's health_risk is 0.3.
    const risk = await analytics.lowScores('health_risk', { below: 0.35, limit: 1000 });
    const thirst = risk.find((s) => s.rootSpanId === seed.conversations.thirst.rootSpanId);
    assert.equal(thirst?.spanName, 'calculate_clinical_metrics');
    assert.equal(thirst?.score, 0.3);
    assert.equal(thirst?.conversationId, seed.conversations.thirst.conversationId);
    assert.ok(risk.every((s) => s.score < 0.35));
    assert.deepEqual(risk.map((s) => s.score), [...risk.map((s) => s.score)].sort((a, b) => a - b));

    await assert.rejects(analytics.lowScores('bad"name'), /double quote/, 'a score name the store cannot address is refused, not spliced');
  });

  it('analyses a two-turn conversation by conversation id: turns, tools, tokens, latency', async () => {
    const seeded = seed.conversations.twoTurns;
    const analysis = await analytics.analyzeConversation(seeded.conversationId);
    assert.ok(analysis);
    assert.equal(analysis.conversationId, seeded.conversationId);
    assert.deepEqual(analysis.rootSpanIds, [seeded.rootSpanId]);
    assert.equal(analysis.patientQuery, seeded.queries[0]);
    assert.equal(analysis.finalResponse, seeded.results[1]!.text);
    assert.deepEqual(analysis.turns.map((t) => t.index), [0, 1]);
    assert.deepEqual(analysis.turns.map((t) => t.message), seeded.queries);
    assert.deepEqual(analysis.turns.map((t) => t.response), seeded.results.map((r) => r.text));
    // Calls of one round run in parallel: compare them as sets.
    assert.deepEqual(analysis.turns.map((t) => [...t.tools].sort()), seeded.results.map((r) => r.toolCalls.map((c) => c.toolName).sort()));
    assert.deepEqual(analysis.turns.map((t) => t.llmCalls), seeded.results.map((r) => r.iterations));
    // Each llm span logs its usage; a turn's usage is their sum.
    assert.deepEqual(
      analysis.turns.map((t) => [t.tokens.prompt, t.tokens.completion]),
      seeded.results.map((r) => [r.usage!.inputTokens, r.usage!.outputTokens]),
    );
    const prompt = seeded.results.reduce((sum, r) => sum + r.usage!.inputTokens, 0);
    const completion = seeded.results.reduce((sum, r) => sum + r.usage!.outputTokens, 0);
    const promptCached = seeded.results.reduce((sum, r) => sum + r.usage!.cacheReadInputTokens, 0);
    assert.ok(promptCached > 0, 'the later model calls read the earlier ones from the prompt cache');
    assert.deepEqual(analysis.tokens, { prompt, promptCached, completion, total: prompt + completion });
    for (const turn of analysis.turns) {
      assert.ok(turn.latencyMs !== undefined && turn.latencyMs > 0, 'server latency');
      assert.ok(turn.clientLatencyMs !== undefined && turn.clientLatencyMs >= turn.latencyMs, 'the caller waited at least as long as the server worked');
    }
    assert.deepEqual(analysis.errors, []);
  });

  it('analyses a conversation by trace id, with its failed tool call', async () => {
    const seeded = seed.conversations.toolError;
    const analysis = await analytics.analyzeConversation(seeded.rootSpanId);
    assert.ok(analysis);
    assert.equal(analysis.conversationId, seeded.conversationId);
    assert.equal(analysis.turns.length, 1);
    assert.deepEqual([...analysis.turns[0]!.tools].sort(), ['calculate_clinical_metrics', 'no_such_tool']);
    assert.equal(analysis.turns[0]!.toolErrors, 1);
    assert.deepEqual(
      analysis.tools.map((t) => [t.tool, t.calls, t.errors]).sort(),
      [['calculate_clinical_metrics', 1, 0], ['no_such_tool', 1, 1]],
    );
    const failedCall = analysis.errors.find((e) => e.spanName === 'worker_execute_tool');
    assert.match(failedCall?.message ?? '', /^NOT_FOUND: unknown tool "no_such_tool"/);
    assert.equal(await analytics.analyzeConversation('conv_does_not_exist'), undefined);
    assert.equal(await analytics.analyzeConversation('0'.repeat(32)), undefined);
  });
});
