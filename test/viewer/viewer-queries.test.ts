// The viewer's data queries against a real store database (in memory): which traces are listed and
// in what order, their summaries, text and score filters (bound parameters, so quotes, LIKE
// wildcards and SQL in the search text are just text), paging, and one trace's rows.
import assert from 'node:assert/strict';
import { spanRow, type SpanSpec } from './fixtures/span-rows.js';
import { openDatabase, type TraceDatabase } from '../../services/tracestore/db/open-database.js';
import { HttpError } from '../../services/tracestore/http/http-error.js';
import { Registry } from '../../services/tracestore/store/registry.js';
import { RowStore } from '../../services/tracestore/store/row-store.js';
import { Sequences } from '../../services/tracestore/store/sequences.js';
import {
  DEFAULT_LIST_LIMIT,
  decodeListCursor,
  encodeListCursor,
  parseTraceListRequest,
  type ScoreFilter,
} from '../../services/tracestore/viewer/trace-list-request.js';
import { escapeLikePattern, MAX_EXAMINED, ViewerQueries, type TraceListQuery } from '../../services/tracestore/viewer/viewer-queries.js';

const T0 = 1_800_000_000;

describe('viewer data queries', () => {
  let db: TraceDatabase;
  let rows: RowStore;
  let queries: ViewerQueries;
  let registry: Registry;
  let projectId: string;
  let otherProjectId: string;

  const write = (project: string, specs: SpanSpec[]): void => {
    rows.writeLogRows(specs.map((spec) => spanRow(project, spec)));
  };
  const list = (extra: Partial<TraceListQuery> = {}): string[] =>
    queries.recentTraces({ projectId, limit: 50, ...extra }).traces.map((trace) => trace.root_span_id);
  // These cases are about the mean; the worst-span filter has its tests in viewer-search-errors.test.ts.
  const withScore = (score: Omit<ScoreFilter, 'aggregate'>): string[] => list({ score: { ...score, aggregate: 'mean' } });

  before(() => {
    db = openDatabase(':memory:');
    const sequences = new Sequences(db);
    registry = new Registry(db);
    rows = new RowStore(db, sequences);
    queries = new ViewerQueries(db);
    projectId = registry.registerProject('tracemesh').id;
    otherProjectId = registry.registerProject('elsewhere').id;

    // "thirst": two turns, three parallel tools in the first, a score on two tool spans.
    write(projectId, [
      { trace: 'thirst', span: 'a-root', name: 'client_conversation', type: 'task', start: T0, end: T0 + 4,
        fields: { input: { patient_query: 'Fatigue and increased thirst, 100%_sure?' }, output: { total_turns: 2 } } },
      { trace: 'thirst', span: 'a-turn1', parent: 'a-root', name: 'client_turn', type: 'task', start: T0, end: T0 + 2 },
      { trace: 'thirst', span: 'a-server1', parent: 'a-turn1', name: 'server_process_turn', type: 'task', start: T0 + 0.1, end: T0 + 1.9,
        fields: { input: { turn_index: 0, message: 'Fatigue and increased thirst' } } },
      { trace: 'thirst', span: 'a-llm1', parent: 'a-server1', name: 'claude_messages_create', type: 'llm', start: T0 + 0.1, end: T0 + 0.5,
        fields: { metrics: { start: T0 + 0.1, end: T0 + 0.5, tokens: 1000 }, output: 'Checking metformin and BMI' } },
      { trace: 'thirst', span: 'a-tool1', parent: 'a-server1', name: 'calculate_clinical_metrics', type: 'tool', start: T0 + 0.5, end: T0 + 0.7,
        fields: { input: { height: 64, note: 'He said "it\'s fine"' }, output: { bmi: { value: 30.9 } }, scores: { health_risk: 0.3 } } },
      { trace: 'thirst', span: 'a-tool2', parent: 'a-server1', name: 'search_medical_knowledge', type: 'tool', start: T0 + 0.5, end: T0 + 0.9,
        fields: { input: { query: 'polydipsia' }, output: { results: [{ title: 'Type 2 diabetes' }] } } },
      { trace: 'thirst', span: 'a-turn2', parent: 'a-root', name: 'client_turn', type: 'task', start: T0 + 2, end: T0 + 4 },
      { trace: 'thirst', span: 'a-tool3', parent: 'a-turn2', name: 'calculate_clinical_metrics', type: 'tool', start: T0 + 2.5, end: T0 + 2.6,
        fields: { scores: { health_risk: 0.4, safety: 1 } } },
    ]);
    // "healthy": one turn, high score, an LLM span without tokens.
    write(projectId, [
      { trace: 'healthy', span: 'b-root', name: 'client_conversation', type: 'task', start: T0 + 10, end: T0 + 11,
        fields: { input: { patient_query: 'Routine check-up' } } },
      { trace: 'healthy', span: 'b-turn', parent: 'b-root', name: 'client_turn', type: 'task', start: T0 + 10, end: T0 + 11 },
      { trace: 'healthy', span: 'b-tool', parent: 'b-turn', name: 'calculate_clinical_metrics', type: 'tool', start: T0 + 10.2, end: T0 + 10.3,
        fields: { scores: { health_risk: 1 } } },
    ]);
    // "failing": an error on a tool span.
    write(projectId, [
      { trace: 'failing', span: 'c-root', name: 'client_conversation', type: 'task', start: T0 + 20, end: T0 + 21,
        fields: { input: { patient_query: 'Call no_such_tool' } } },
      { trace: 'failing', span: 'c-tool', parent: 'c-root', name: 'no_such_tool', type: 'tool', start: T0 + 20.1, end: T0 + 20.2,
        fields: { error: 'NOT_FOUND: unknown tool' } },
    ]);
    // "grpcurl": a caller with only traceparent; the top span's parent was never stored.
    write(projectId, [
      { trace: 'grpcurl', span: 'd-server', parent: 'never-stored', name: 'tracemesh.conversation.v1.ConversationService/Chat', type: 'function',
        start: T0 + 30, end: T0 + 31, fields: { metadata: { 'rpc.system.name': 'grpc', 'otel.kind': 'server' } } },
      { trace: 'grpcurl', span: 'd-turn', parent: 'd-server', name: 'server_process_turn', type: 'task', start: T0 + 30.1, end: T0 + 30.9,
        fields: { input: { turn_index: 0, message: 'What is his BMI?' } } },
    ]);
    // Another project's trace never shows up in this one's list.
    write(otherProjectId, [{ trace: 'other', span: 'e-root', name: 'client_conversation', type: 'task', start: T0 + 40, end: T0 + 41 }]);
  });
  after(() => db.close());

  it('lists each trace once by its top span, newest first, within one project', () => {
    assert.deepEqual(list(), ['grpcurl', 'failing', 'healthy', 'thirst']);
    assert.deepEqual(queries.recentTraces({ projectId: otherProjectId, limit: 50 }).traces.map((t) => t.root_span_id), ['other']);
  });

  it('summarises a trace: first query, turns, duration, tools, errors, tokens and mean scores', () => {
    const [grpcurl, failing, , thirst] = queries.recentTraces({ projectId, limit: 50 }).traces;
    assert.deepEqual(thirst, {
      root_span_id: 'thirst',
      top_span: { id: 'row-a-root', span_id: 'a-root', name: 'client_conversation', type: 'task', is_root: true },
      created: new Date(T0 * 1000).toISOString(),
      started: T0,
      duration_s: 4,
      first_query: 'Fatigue and increased thirst, 100%_sure?',
      turns: 2,
      span_count: 8,
      tool_count: 3,
      llm_count: 1,
      error_count: 0,
      first_error: null,
      tokens: 1000,
      scores: { health_risk: 0.35, safety: 1 },
      score_min: { health_risk: 0.3, safety: 1 },
    });
    assert.equal(failing?.error_count, 1);
    assert.equal(failing?.first_error, 'NOT_FOUND: unknown tool');
    // Without a client_conversation the first turn's message is the query, and its turns count.
    assert.equal(grpcurl?.top_span.name, 'tracemesh.conversation.v1.ConversationService/Chat');
    assert.equal(grpcurl?.top_span.is_root, false);
    assert.equal(grpcurl?.first_query, 'What is his BMI?');
    assert.equal(grpcurl?.turns, 1);
  });

  it('searches any span input or output, case-insensitively, with LIKE wildcards taken literally', () => {
    assert.deepEqual(list({ text: 'METFORMIN' }), ['thirst'], 'an LLM output string');
    assert.deepEqual(list({ text: 'type 2 diabetes' }), ['thirst'], 'a nested tool output value');
    assert.deepEqual(list({ text: 'what is his' }), ['grpcurl']);
    assert.deepEqual(list({ text: '100%_sure' }), ['thirst']);
    assert.deepEqual(list({ text: '100%' }), ['thirst']);
    assert.deepEqual(list({ text: '%' }), ['thirst'], 'only the text with a percent sign');
    assert.deepEqual(list({ text: '_' }), ['failing', 'thirst'], 'an underscore matches only underscores ("no_such_tool", "100%_sure")');
    assert.deepEqual(list({ text: 'he said "it\'s fine"' }), ['thirst'], 'quotes inside stored JSON strings');
    assert.deepEqual(list({ text: 'no such text anywhere' }), []);
  });

  it('treats SQL in the search text and score name as plain text', () => {
    for (const attack of ["' OR 1=1 --", '") OR 1=1 --', "x'; DROP TABLE spans; --", '%\' OR \'%\'=\'', '\\']) {
      assert.deepEqual(list({ text: attack }), [], attack);
      assert.deepEqual(withScore({ name: attack, op: 'ge', value: 0 }), [], attack);
    }
    assert.deepEqual(list(), ['grpcurl', 'failing', 'healthy', 'thirst'], 'the table is intact');
  });

  it('filters by a trace score: its mean over the spans, with each comparison', () => {
    assert.deepEqual(withScore({ name: 'health_risk', op: 'lt', value: 0.5 }), ['thirst'], 'mean 0.35');
    assert.deepEqual(withScore({ name: 'health_risk', op: 'le', value: 0.35 }), ['thirst']);
    assert.deepEqual(withScore({ name: 'health_risk', op: 'gt', value: 0.35 }), ['healthy']);
    assert.deepEqual(withScore({ name: 'health_risk', op: 'ge', value: 0.35 }), ['healthy', 'thirst']);
    assert.deepEqual(withScore({ name: 'health_risk', op: 'eq', value: 1 }), ['healthy']);
    assert.deepEqual(withScore({ name: 'no_such_score', op: 'ge', value: 0 }), [], 'traces without the score are left out');
    assert.deepEqual(list({ text: 'thirst', score: { name: 'health_risk', op: 'gt', value: 0.5, aggregate: 'mean' } }), [], 'both filters apply');
  });

  it('pages with a cursor: no trace twice, none skipped, no cursor after the last page', () => {
    const first = queries.recentTraces({ projectId, limit: 3 });
    assert.deepEqual(first.traces.map((t) => t.root_span_id), ['grpcurl', 'failing', 'healthy']);
    assert.ok(first.next);
    const second = queries.recentTraces({ projectId, limit: 3, cursor: decodeListCursor(encodeListCursor(first.next)) });
    assert.deepEqual(second.traces.map((t) => t.root_span_id), ['thirst']);
    assert.equal(second.next, undefined);
    assert.equal(queries.recentTraces({ projectId, limit: 4 }).next, undefined, 'an exactly full page has nothing after it');
  });

  it('lists a trace still being written once, though two of its spans have no stored parent yet', () => {
    write(projectId, [
      { trace: 'inflight', span: 'f-a', parent: 'f-missing-1', name: 'worker_execute_tool', type: 'function', start: T0 + 50, end: T0 + 51 },
      { trace: 'inflight', span: 'f-b', parent: 'f-missing-2', name: 'claude_messages_create', type: 'llm', start: T0 + 50.5, end: T0 + 51 },
    ]);
    try {
      assert.deepEqual(list().filter((id) => id === 'inflight'), ['inflight']);
      const page = queries.recentTraces({ projectId, limit: 1 });
      assert.deepEqual(page.traces.map((t) => t.root_span_id), ['inflight']);
      const next = queries.recentTraces({ projectId, limit: 1, cursor: page.next });
      assert.deepEqual(next.traces.map((t) => t.root_span_id), ['grpcurl'], 'the next page skips the same trace\'s other span');
    } finally {
      rows.writeLogRows(['f-a', 'f-b'].map((span) => ({ id: `row-${span}`, project_id: projectId, log_id: 'g', _object_delete: true })));
    }
  });

  it('finds one trace in project logs and returns its rows in start order, with its summary', () => {
    const location = queries.locateTrace('thirst');
    assert.deepEqual(location, { object_type: 'project_logs', object_id: projectId, object_name: 'tracemesh' });
    const text = queries.traceRowsText(location!, 'thirst');
    const names = text.rows.map((row) => (JSON.parse(row) as { span_attributes: { name: string } }).span_attributes.name);
    assert.equal(names.length, 8);
    assert.equal(names[0], 'client_conversation');
    assert.equal(text.truncated, false);
    assert.equal(queries.traceSummary(location!, 'thirst')?.turns, 2);
    assert.equal(queries.locateTrace("thirst' OR '1'='1"), undefined);
    assert.equal(queries.locateTrace('no-such-trace'), undefined);
  });

  it('finds a trace stored in an experiment (an eval case) when no project logs hold it', () => {
    const experiment = registry.createObject('experiment', projectId, 'offline-eval', {});
    const { project_id: _project, log_id: _log, ...caseRow } = spanRow(projectId, { trace: 'eval-case', span: 'g-root', name: 'eval', type: 'eval', start: T0, end: T0 + 1 });
    rows.writeLogRows([{ ...caseRow, experiment_id: experiment.id }]);
    const location = queries.locateTrace('eval-case');
    assert.deepEqual(location, { object_type: 'experiment', object_id: experiment.id, object_name: 'offline-eval' });
    assert.equal(queries.traceRowsText(location!, 'eval-case').rows.length, 1);
    assert.equal(queries.traceSummary(location!, 'eval-case')?.top_span.name, 'eval');
    assert.ok(!list().includes('eval-case'), 'experiments are not in the project\'s conversation list');
  });

  it('lists projects with the most recently active first', () => {
    assert.deepEqual(queries.projects().map((p) => p.name), ['elsewhere', 'tracemesh']);
  });

  it('bounds the traces a filtered page examines, and finds the rest by its cursor', () => {
    // A project of its own: MAX_EXAMINED + 500 one-span traces, only the oldest mentions "needle".
    const haystack = registry.registerProject('haystack').id;
    const count = MAX_EXAMINED + 500;
    write(
      haystack,
      Array.from({ length: count }, (_, i) => ({
        trace: `hay-${i}`, span: `hay-${i}`, name: 'client_conversation', type: 'task', start: T0 + i, end: T0 + i + 1,
        fields: { input: { patient_query: i === 0 ? 'a needle in it' : 'nothing to see' } },
      })),
    );
    const first = queries.recentTraces({ projectId: haystack, limit: 10, text: 'needle' });
    assert.deepEqual(first.traces, [], `the first ${MAX_EXAMINED} traces (newest) hold no match`);
    assert.ok(first.next, 'and the page says where to go on');
    const second = queries.recentTraces({ projectId: haystack, limit: 10, text: 'needle', cursor: first.next });
    assert.deepEqual(second.traces.map((t) => t.root_span_id), ['hay-0'], 'the next page reaches the oldest trace');
    assert.equal(second.next, undefined);
    // Unfiltered pages are bounded by their limit alone.
    assert.equal(queries.recentTraces({ projectId: haystack, limit: 2_500 }).traces.length, 2_500);
  });
});

describe('viewer list request parsing', () => {
  const parse = (query: string) => parseTraceListRequest(new URLSearchParams(query));
  const rejects = (query: string, pattern: RegExp): void => {
    assert.throws(() => parse(query), (error: unknown) => error instanceof HttpError && error.status === 400 && pattern.test(error.message), query);
  };

  it('reads project, text, score filter, limit and cursor', () => {
    assert.deepEqual(parse(''), { limit: DEFAULT_LIST_LIMIT });
    const cursor = encodeListCursor({ created: '2026-01-01T00:00:00.000Z', rowid: 42 });
    assert.deepEqual(parse(`project=p1&q=%20thirst%20&score=health_risk&op=lt&value=0.5&limit=10&cursor=${cursor}`), {
      projectId: 'p1',
      text: 'thirst',
      score: { name: 'health_risk', op: 'lt', value: 0.5, aggregate: 'min' },
      limit: 10,
      cursor: { created: '2026-01-01T00:00:00.000Z', rowid: 42 },
    });
  });

  it('answers 400 for malformed parameters', () => {
    rejects('limit=0', /limit/);
    rejects('limit=1000', /limit/);
    rejects('limit=2.5', /limit/);
    rejects('score=health_risk', /op/);
    rejects('score=health_risk&op=lt', /value/);
    rejects('score=health_risk&op=lt&value=abc', /value/);
    rejects('op=lt&value=1', /score/);
    rejects("score=x&op=%3C%27&value=1", /op/);
    rejects('cursor=not-a-cursor', /cursor/);
    rejects(`cursor=${Buffer.from('["x", "1"]').toString('base64url')}`, /cursor/);
    rejects(`q=${'x'.repeat(501)}`, /longer/);
  });

  it('escapes LIKE wildcards and the escape character', () => {
    assert.equal(escapeLikePattern('100%_a\\b'), '100\\%\\_a\\\\b');
  });
});
