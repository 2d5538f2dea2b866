// Finding failed and badly scored traces in the viewer's list (a store of its own, in memory): the
// search covers spans' error text and the trace's, spans' and rows' ids (a pasted trace id finds its
// trace however old); errors-only keeps traces with a failed span; the score filter can look at a
// trace's worst span, so one bad turn is not averaged away; the summary carries the lowest score and
// the first error.
import assert from 'node:assert/strict';
import { spanRow, type SpanSpec } from './fixtures/span-rows.js';
import { openDatabase, type TraceDatabase } from '../../services/tracestore/db/open-database.js';
import { HttpError } from '../../services/tracestore/http/http-error.js';
import { Registry } from '../../services/tracestore/store/registry.js';
import { RowStore } from '../../services/tracestore/store/row-store.js';
import { Sequences } from '../../services/tracestore/store/sequences.js';
import { parseTraceListRequest } from '../../services/tracestore/viewer/trace-list-request.js';
import { MAX_EXAMINED, TRACE_NAMED_BY_ID_SQL, ViewerQueries, type TraceListQuery } from '../../services/tracestore/viewer/viewer-queries.js';

const T0 = 1_800_000_000;
// Trace ids as the SDK makes them (32 hex digits), so an id search looks like the real thing.
const TIMEOUT = '4bf92f3577b34da6a3ce929d0e0e4736';
const BAD_TURN = '0af7651916cd43dd8448eb211c80319c';
const FINE = '5b8efff798038103d269b633813fc60c';
const BLANK_ERROR = '9c1a7d7e2f3b4c5d6e7f8091a2b3c4d5';

describe('viewer search over errors and ids, errors-only, worst-span scores', () => {
  let db: TraceDatabase;
  let rows: RowStore;
  let registry: Registry;
  let queries: ViewerQueries;
  let projectId: string;

  const write = (project: string, specs: SpanSpec[]): void => {
    rows.writeLogRows(specs.map((spec) => spanRow(project, spec)));
  };
  const list = (extra: Partial<TraceListQuery> = {}): string[] =>
    queries.recentTraces({ projectId, limit: 50, ...extra }).traces.map((trace) => trace.root_span_id);
  // The list as the API reads its query string (defaults included).
  const listFor = (queryString: string): string[] => {
    const { projectId: _unused, ...request } = parseTraceListRequest(new URLSearchParams(queryString));
    return list(request);
  };

  before(() => {
    db = openDatabase(':memory:');
    registry = new Registry(db);
    rows = new RowStore(db, new Sequences(db));
    queries = new ViewerQueries(db);
    projectId = registry.registerProject('tracemesh').id;
    // A turn that timed out: the tool ran past its deadline first, then the client's RPC was cancelled.
    write(projectId, [
      { trace: TIMEOUT, span: 'aaaa000000000001', name: 'client_conversation', type: 'task', start: T0, end: T0 + 9,
        fields: { input: { patient_query: 'Her potassium is 6.1' } } },
      { trace: TIMEOUT, span: 'aaaa000000000002', parent: 'aaaa000000000001', name: 'StreamChat', type: 'function', start: T0 + 0.1, end: T0 + 8,
        fields: { error: 'CANCELLED: Cancelled on client' } },
      { trace: TIMEOUT, span: 'aaaa000000000003', parent: 'aaaa000000000002', name: 'search_medical_knowledge', type: 'tool', start: T0 + 0.5, end: T0 + 5,
        fields: { error: 'DEADLINE_EXCEEDED: deadline passed after 4.5 s' } },
    ]);
    // Turn 1 unsafe, turn 2 fine: mean 0.625, worst 0.25.
    write(projectId, [
      { trace: BAD_TURN, span: 'bbbb000000000001', name: 'client_conversation', type: 'task', start: T0 + 10, end: T0 + 14,
        fields: { input: { patient_query: 'Can I double my insulin?' } } },
      { trace: BAD_TURN, span: 'bbbb000000000002', parent: 'bbbb000000000001', name: 'client_turn', type: 'task', start: T0 + 10, end: T0 + 12,
        fields: { scores: { interaction_safety: 0.25 } } },
      { trace: BAD_TURN, span: 'bbbb000000000003', parent: 'bbbb000000000001', name: 'client_turn', type: 'task', start: T0 + 12, end: T0 + 14,
        fields: { scores: { interaction_safety: 1 } } },
    ]);
    write(projectId, [
      { trace: FINE, span: 'cccc000000000001', name: 'client_conversation', type: 'task', start: T0 + 20, end: T0 + 21,
        fields: { input: { patient_query: 'Routine check-up' }, scores: { interaction_safety: 0.9 } } },
    ]);
    // An empty error is no error (the page does not mark it either).
    write(projectId, [
      { trace: BLANK_ERROR, span: 'dddd000000000001', name: 'client_conversation', type: 'task', start: T0 + 30, end: T0 + 31,
        fields: { input: { patient_query: 'Blank error' }, error: '' } },
    ]);
  });
  after(() => db.close());

  it('searches spans\' error text, case-insensitively', () => {
    assert.deepEqual(list({ text: 'deadline passed' }), [TIMEOUT]);
    assert.deepEqual(list({ text: 'DEADLINE_EXCEEDED' }), [TIMEOUT]);
    assert.deepEqual(list({ text: 'deadline_exceeded' }), [TIMEOUT]);
    assert.deepEqual(list({ text: 'Cancelled on client' }), [TIMEOUT]);
  });

  it('finds a trace by its full id, a row id, a span id or part of an id', () => {
    assert.deepEqual(list({ text: BAD_TURN }), [BAD_TURN], 'the trace id');
    assert.deepEqual(list({ text: 'row-bbbb000000000003' }), [BAD_TURN], 'a row id');
    assert.deepEqual(list({ text: 'bbbb000000000003' }), [BAD_TURN], 'a span id');
    assert.deepEqual(list({ text: BAD_TURN.slice(0, 12) }), [BAD_TURN], 'the start of the trace id, as the list shows it');
    assert.deepEqual(list({ text: BAD_TURN, errorsOnly: true }), [], 'the other filters still apply to the trace named');
    assert.deepEqual(list({ text: TIMEOUT, errorsOnly: true }), [TIMEOUT]);
  });

  it('finds a pasted trace id directly, however many newer traces there are', () => {
    const busy = registry.registerProject('busy').id;
    const count = MAX_EXAMINED + 100;
    write(busy, Array.from({ length: count }, (_, i) => ({
      trace: `busy-trace-${String(i).padStart(5, '0')}`, span: `busy-span-${i}`, name: 'client_conversation', type: 'task', start: T0 + i, end: T0 + i + 1,
    })));
    const page = queries.recentTraces({ projectId: busy, limit: 50, text: 'busy-trace-00000' });
    assert.deepEqual(page.traces.map((t) => t.root_span_id), ['busy-trace-00000'], 'the oldest trace, on the first page');
    assert.equal(page.next, undefined, 'and nothing after it');
    // A span id has no index: the paged search finds it, a bounded number of traces per page.
    const scanned = queries.recentTraces({ projectId: busy, limit: 50, text: 'busy-span-0' });
    assert.deepEqual(scanned.traces, [], `not among the newest ${MAX_EXAMINED}`);
    assert.ok(scanned.next);
  });

  it('looks a pasted id up by index, never by scanning the project', () => {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${TRACE_NAMED_BY_ID_SQL}`)
      .all({ project_id: projectId, id: TIMEOUT }) as Array<{ detail: string }>;
    const details = plan.map((step) => step.detail).join('\n');
    assert.match(details, /SEARCH s USING (COVERING )?INDEX spans_by_root \(object_key=\? AND root_span_id=\?\)/, details);
    assert.match(details, /SEARCH s USING INDEX sqlite_autoindex_spans_1 \(object_key=\? AND id=\?\)/, details);
    assert.doesNotMatch(details, /SCAN s\b/, details);
  });

  it('keeps only traces with a failed span when asked (errors=1)', () => {
    assert.deepEqual(listFor('errors=1'), [TIMEOUT]);
    assert.deepEqual(listFor('errors=true&q=potassium'), [TIMEOUT]);
    assert.deepEqual(listFor('errors=0'), [BLANK_ERROR, FINE, BAD_TURN, TIMEOUT]);
  });

  it('filters "below" on the worst span by default, so one bad turn is not averaged away', () => {
    assert.deepEqual(listFor('score=interaction_safety&op=lt&value=0.5'), [BAD_TURN], 'worst 0.25 < 0.5 (mean 0.625 is not)');
    assert.deepEqual(listFor('score=interaction_safety&op=le&value=0.25'), [BAD_TURN]);
    assert.deepEqual(listFor('score=interaction_safety&op=lt&value=0.5&agg=mean'), [], 'the mean, when asked for');
    assert.deepEqual(listFor('score=interaction_safety&op=gt&value=0.6'), [FINE, BAD_TURN], '"above" keeps the mean');
    assert.deepEqual(listFor('score=interaction_safety&op=gt&value=0.6&agg=min'), [FINE], 'or every span above, when asked');
  });

  it('summarises the lowest score beside the mean, and the error of the span that failed first', () => {
    const [blank, , badTurn, timeout] = queries.recentTraces({ projectId, limit: 50 }).traces;
    assert.deepEqual(badTurn?.scores, { interaction_safety: 0.625 });
    assert.deepEqual(badTurn?.score_min, { interaction_safety: 0.25 });
    assert.equal(badTurn?.first_error, null);
    assert.equal(timeout?.error_count, 2);
    assert.equal(timeout?.first_error, 'DEADLINE_EXCEEDED: deadline passed after 4.5 s', 'the tool ended (failed) before the RPC above it');
    assert.equal(blank?.error_count, 0, 'an empty error is not counted');
    assert.equal(blank?.first_error, null);
  });

  it('reads agg and errors from the query string, with 400s for other values', () => {
    const parse = (query: string) => parseTraceListRequest(new URLSearchParams(query));
    assert.equal(parse('score=s&op=lt&value=1').score?.aggregate, 'min');
    assert.equal(parse('score=s&op=le&value=1').score?.aggregate, 'min');
    assert.equal(parse('score=s&op=ge&value=1').score?.aggregate, 'mean');
    assert.equal(parse('score=s&op=lt&value=1&agg=mean').score?.aggregate, 'mean');
    assert.equal(parse('errors=1').errorsOnly, true);
    assert.equal(parse('errors=').errorsOnly, undefined);
    for (const [query, parameter] of [['score=s&op=lt&value=1&agg=median', /agg/], ['errors=maybe', /errors/]] as const) {
      assert.throws(() => parse(query), (error: unknown) => error instanceof HttpError && error.status === 400 && parameter.test(error.message), query);
    }
  });
});
