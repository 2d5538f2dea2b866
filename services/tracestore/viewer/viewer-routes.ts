// The trace viewer: its JSON data endpoints under /ui/api/ (registered on the router, so the
// store's bearer token applies) and the page server for /ui/ (returned, served before the token
// check — see viewer-pages.ts).
//
//   GET /ui/api/projects                  projects, most recently active first
//   GET /ui/api/traces?project=&q=&errors=&score=&agg=&op=&value=&limit=&cursor=
//                                         recent traces with a summary each, newest first
//   GET /ui/api/traces/:root_span_id?experiment=
//                                         one trace: its summary, rows and feedback comments
//                                         (in the experiment named, else found in logs or experiments)
//   GET /ui/api/experiments?project=&limit=&cursor=
//                                         experiments newest first, each compared with its base
//   GET /ui/api/experiments/:id?score=&order=&change=
//                                         one experiment: its summary and its cases beside their base cases
// The trace list — a search reads every span of every trace until a page is full — runs on the
// read threads when there are some; the rest are index lookups. The experiment pages read one
// experiment's spans (and its base's) per experiment shown, through the store's comparison
// (store/summaries.ts) on the request thread's connection, like Eval's /experiment-comparison2.
import type { ReadThreads } from '../db/read-threads.js';
import { badRequest, notFound } from '../http/http-error.js';
import { RawJson, type Router } from '../http/router.js';
import type { NamedObject } from '../store/registry.js';
import type { StoreContext } from '../store/store-context.js';
import { encodeExperimentCursor, parseExperimentListRequest, parseExperimentRowsRequest, type ExperimentRowsRequest } from './experiment-request.js';
import { ExperimentQueries } from './experiment-queries.js';
import { ExperimentResults, type ExperimentRows, type ExperimentSummary } from './experiment-results.js';
import { encodeListCursor, parseTraceListRequest } from './trace-list-request.js';
import { ViewerPages } from './viewer-pages.js';
import { ViewerQueries, type TraceLocation, type TraceSummary } from './viewer-queries.js';

const MAX_TRACE_ID_LENGTH = 200;
const MAX_OBJECT_ID_LENGTH = 200;

export interface TraceListResponse {
  /** The project listed: the one asked for, else the most recently active; null in an empty store. */
  project: { id: string; name: string } | null;
  traces: TraceSummary[];
  next_cursor: string | null;
}

export interface ExperimentListResponse {
  /** As for the trace list: the project asked for, else the most recently active; null in an empty store. */
  project: { id: string; name: string } | null;
  experiments: ExperimentSummary[];
  next_cursor: string | null;
}

export interface ExperimentResponse extends ExperimentRows {
  project: { id: string; name: string };
  experiment: ExperimentSummary;
  /** The experiment's score names, sorted. */
  score_names: string[];
  /** The sort and filter applied (the request's, checked). */
  sort: ExperimentRowsRequest;
}

export function registerViewerRoutes(router: Router, store: StoreContext, readers?: ReadThreads): ViewerPages {
  const queries = new ViewerQueries(store.db);
  const experiments = new ExperimentResults(store, new ExperimentQueries(store.db));

  const experimentWithId = (experimentId: string): NamedObject => {
    const experiment = experimentId.length <= MAX_OBJECT_ID_LENGTH ? store.registry.objectWithId(experimentId, 'experiment') : undefined;
    if (!experiment) throw notFound(`no experiment ${experimentId.slice(0, MAX_OBJECT_ID_LENGTH)}`);
    return experiment;
  };
  // An experiment's case is a trace of its own; naming the experiment reads it there, whatever else holds that id.
  const experimentLocation = (experimentId: string): TraceLocation => {
    const experiment = experimentWithId(experimentId);
    return { object_type: 'experiment', object_id: experiment.id, object_name: experiment.name };
  };

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
    const experimentId = request.url.searchParams.get('experiment') || undefined;
    const location = experimentId === undefined ? queries.locateTrace(rootSpanId) : experimentLocation(experimentId);
    if (!location) throw notFound(`no trace ${rootSpanId}`);
    const { rows, comments, truncated } = queries.traceRowsText(location, rootSpanId);
    if (rows.length === 0) throw notFound(`no trace ${rootSpanId} in experiment ${location.object_name}`);
    const summary = queries.traceSummary(location, rootSpanId) ?? null;
    const head = JSON.stringify({ root_span_id: rootSpanId, ...location, truncated, summary });
    return new RawJson(`${head.slice(0, -1)},"spans":[${rows.join(',')}],"comments":[${comments.join(',')}]}`);
  });

  router.get('/ui/api/experiments', (request): ExperimentListResponse => {
    const list = parseExperimentListRequest(request.url.searchParams);
    const project = list.projectId === undefined ? queries.projects()[0] : store.registry.projectWithId(list.projectId);
    if (list.projectId !== undefined && !project) throw notFound(`no project with id ${list.projectId}`);
    if (!project) return { project: null, experiments: [], next_cursor: null };
    const page = experiments.list(project.id, list.limit, list.beforeSeq);
    return {
      project: { id: project.id, name: project.name },
      experiments: page.experiments,
      next_cursor: page.next === undefined ? null : encodeExperimentCursor(page.next),
    };
  });

  router.get('/ui/api/experiments/:experimentId', (request): ExperimentResponse => {
    const rowsRequest = parseExperimentRowsRequest(request.url.searchParams);
    const experiment = experimentWithId(request.params.experimentId ?? '');
    const project = store.registry.projectWithId(experiment.project_id)!;
    const { summary, ...rows } = experiments.detail(experiment, rowsRequest);
    return {
      project: { id: project.id, name: project.name },
      experiment: summary,
      score_names: Object.keys(summary.scores).sort(),
      sort: rowsRequest,
      ...rows,
    };
  });

  return new ViewerPages();
}
