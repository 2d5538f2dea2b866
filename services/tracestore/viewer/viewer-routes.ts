// The trace viewer: its JSON data endpoints under /ui/api/ (registered on the router, so the
// store's bearer token applies) and the page server for /ui/ (returned, served before the token
// check — see viewer-pages.ts).
//
//   GET /ui/api/projects                  projects, most recently active first
//   GET /ui/api/traces?project=&q=&score=&op=&value=&limit=&cursor=
//                                         recent traces with a summary each, newest first
//   GET /ui/api/traces/:root_span_id      one trace: its summary, rows and feedback comments
// The trace list — a search reads every span of every trace until a page is full — runs on the
// read threads when there are some; the rest are index lookups.
import type { ReadThreads } from '../db/read-threads.js';
import { badRequest, notFound } from '../http/http-error.js';
import { RawJson, type Router } from '../http/router.js';
import type { StoreContext } from '../store/store-context.js';
import { encodeListCursor, parseTraceListRequest } from './trace-list-request.js';
import { ViewerPages } from './viewer-pages.js';
import { ViewerQueries, type TraceSummary } from './viewer-queries.js';

const MAX_TRACE_ID_LENGTH = 200;

export interface TraceListResponse {
  /** The project listed: the one asked for, else the most recently active; null in an empty store. */
  project: { id: string; name: string } | null;
  traces: TraceSummary[];
  next_cursor: string | null;
}

export function registerViewerRoutes(router: Router, store: StoreContext, readers?: ReadThreads): ViewerPages {
  const queries = new ViewerQueries(store.db);

  router.get('/ui/api/projects', () => ({ projects: queries.projects() }));

  router.get('/ui/api/traces', async (request): Promise<TraceListResponse> => {
    const list = parseTraceListRequest(request.url.searchParams);
    const project = list.projectId === undefined ? queries.projects()[0] : store.registry.projectWithId(list.projectId);
    if (list.projectId !== undefined && !project) throw notFound(`no project with id ${list.projectId}`);
    if (!project) return { project: null, traces: [], next_cursor: null };
    const query = { ...list, projectId: project.id };
    const page = readers ? await readers.recentTraces(query) : queries.recentTraces(query);
    return {
      project: { id: project.id, name: project.name },
      traces: page.traces,
      next_cursor: page.next ? encodeListCursor(page.next) : null,
    };
  });

  // The rows go out as stored (JSON text spliced into the answer), not parsed and re-serialised.
  router.get('/ui/api/traces/:rootSpanId', (request) => {
    const rootSpanId = request.params.rootSpanId ?? '';
    if (rootSpanId === '' || rootSpanId.length > MAX_TRACE_ID_LENGTH) throw badRequest('not a trace id');
    const location = queries.locateTrace(rootSpanId);
    if (!location) throw notFound(`no trace ${rootSpanId}`);
    const { rows, comments, truncated } = queries.traceRowsText(location, rootSpanId);
    const summary = queries.traceSummary(location, rootSpanId) ?? null;
    const head = JSON.stringify({ root_span_id: rootSpanId, ...location, truncated, summary });
    return new RawJson(`${head.slice(0, -1)},"spans":[${rows.join(',')}],"comments":[${comments.join(',')}]}`);
  });

  return new ViewerPages();
}
