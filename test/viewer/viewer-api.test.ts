// The viewer over HTTP on a store with a token: the page and its files are served without the
// token (they hold no data), the /ui/api/ data only with it; content types, security headers and
// caching; and the data endpoints' answers and errors.
import assert from 'node:assert/strict';
import { getJson, startViewerStore, type ViewerStore } from './viewer-harness.js';

const TOKEN = 'viewer-api-secret';

interface TraceListBody {
  project: { id: string; name: string } | null;
  traces: Array<{ root_span_id: string; first_query: string | null; tool_count: number; scores: Record<string, number> }>;
  next_cursor: string | null;
}

describe('trace viewer over HTTP', () => {
  let store: ViewerStore;
  let projectId: string;

  before(async () => {
    store = await startViewerStore(TOKEN);
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const registered = await fetch(`${store.url}/api/project/register`, { method: 'POST', headers, body: JSON.stringify({ project_name: 'tracemesh' }) });
    projectId = ((await registered.json()) as { project: { id: string } }).project.id;
    const start = Date.now() / 1000;
    const row = (span: string, name: string, type: string, parent: string | undefined, extra: object) => ({
      id: span, span_id: span, root_span_id: 'trace-1', project_id: projectId, log_id: 'g',
      ...(parent ? { span_parents: [parent] } : {}),
      span_attributes: { name, type }, metrics: { start, end: start + 1 }, ...extra,
    });
    const written = await fetch(`${store.url}/logs3`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        rows: [
          row('root', 'client_conversation', 'task', undefined, { input: { patient_query: 'Thirst and fatigue' } }),
          row('tool', 'calculate_clinical_metrics', 'tool', 'root', { input: { height: 64 }, scores: { health_risk: 0.3 } }),
          { id: 'comment-1', project_id: projectId, log_id: 'g', origin: { id: 'root' }, comment: { text: 'Looks right' } },
        ],
      }),
    });
    assert.equal(written.status, 200);
  });
  after(() => store.dispose());

  it('serves the page shell for /ui, /ui/ and /ui/trace/<id> without the token, with a strict CSP', async () => {
    for (const path of ['/ui', '/ui/', '/ui/trace/0af7651916cd43dd8448eb211c80319c']) {
      const response = await fetch(`${store.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await response.text(), /<script type="module" src="\/ui\/assets\/viewer\.js">/);
    }
  });

  it('sends the store\'s bare address to the viewer', async () => {
    const response = await fetch(`${store.url}/`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/ui/');
    assert.equal((await fetch(`${store.url}/`)).url, `${store.url}/ui/`, 'a browser lands on the viewer');
  });

  it('serves the scripts and stylesheet with their types, and answers 304 to a matching ETag', async () => {
    for (const [path, type] of [['viewer.js', /^text\/javascript/], ['trace-view.js', /^text\/javascript/], ['viewer.css', /^text\/css/], ['favicon.svg', /^image\/svg\+xml/]] as const) {
      const response = await fetch(`${store.url}/ui/assets/${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', type, path);
      const etag = response.headers.get('etag');
      assert.ok(etag, path);
      const again = await fetch(`${store.url}/ui/assets/${path}`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304, path);
    }
    const text = await (await fetch(`${store.url}/ui/assets/viewer.js`)).text();
    assert.doesNotMatch(text, /https?:\/\//, 'nothing is loaded from elsewhere');
  });

  it('serves nothing else without the token: unknown files, other paths, the data', async () => {
    for (const path of ['/ui/assets/nope.js', '/ui/assets/%2e%2e/viewer-routes.ts', '/ui/trace/a/b', '/ui/api/projects', '/ui/api/traces', '/ui/api/traces/trace-1']) {
      const response = await getJson(`${store.url}${path}`);
      assert.equal(response.status, 401, path);
      assert.match(String((response.body as { error?: string }).error), /bearer token/, path);
    }
    assert.equal((await getJson(`${store.url}/ui/api/traces`, 'wrong-token')).status, 401);
    assert.equal((await fetch(`${store.url}/ui/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404, 'pages are GET only');
  });

  it('lists traces with their summaries for the token holder', async () => {
    const projects = await getJson(`${store.url}/ui/api/projects`, TOKEN);
    assert.equal(projects.status, 200);
    assert.deepEqual((projects.body as { projects: Array<{ name: string }> }).projects.map((p) => p.name), ['tracemesh']);
    const list = await getJson(`${store.url}/ui/api/traces`, TOKEN);
    assert.equal(list.status, 200);
    const body = list.body as TraceListBody;
    assert.deepEqual(body.project, { id: projectId, name: 'tracemesh' });
    assert.equal(body.traces.length, 1);
    assert.equal(body.traces[0]?.first_query, 'Thirst and fatigue');
    assert.equal(body.traces[0]?.tool_count, 1);
    assert.deepEqual(body.traces[0]?.scores, { health_risk: 0.3 });
    assert.equal(body.next_cursor, null);
    const filtered = await getJson(`${store.url}/ui/api/traces?project=${projectId}&q=thirst&score=health_risk&op=ge&value=0.5`, TOKEN);
    assert.deepEqual((filtered.body as TraceListBody).traces, []);
  });

  it('returns one trace: its rows, summary and comments', async () => {
    const answer = await getJson(`${store.url}/ui/api/traces/trace-1`, TOKEN);
    assert.equal(answer.status, 200);
    const body = answer.body as { object_type: string; object_name: string; summary: { turns: number; tool_count: number }; spans: Array<{ span_id: string }>; comments: Array<{ comment: { text: string } }>; truncated: boolean };
    assert.equal(body.object_type, 'project_logs');
    assert.equal(body.object_name, 'tracemesh');
    assert.deepEqual(body.spans.map((s) => s.span_id).sort(), ['root', 'tool']);
    assert.equal(body.summary.tool_count, 1);
    assert.deepEqual(body.comments.map((c) => c.comment.text), ['Looks right']);
    assert.equal(body.truncated, false);
  });

  it('answers 400 and 404 as JSON for bad requests', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/ui/api/traces?limit=0', 400, /limit/],
      ['/ui/api/traces?score=health_risk&op=lt', 400, /value/],
      ['/ui/api/traces?score=health_risk&op=drop&value=1', 400, /op/],
      ['/ui/api/traces?cursor=zzz', 400, /cursor/],
      ['/ui/api/traces?project=no-such-project', 404, /no project/],
      ['/ui/api/traces/no-such-trace', 404, /no trace/],
      [`/ui/api/traces/${'x'.repeat(201)}`, 400, /trace id/],
    ];
    for (const [path, status, message] of cases) {
      const answer = await getJson(`${store.url}${path}`, TOKEN);
      assert.equal(answer.status, status, path);
      assert.match(String((answer.body as { error?: string }).error), message, path);
    }
  });
});
