// @ts-check
// /ui/: recent conversations (trace top spans) newest first, with a search over span input, output,
// error and ids, an errors-only switch and a filter on a trace score ("health_risk min < 0.5": its
// worst span, or its mean). The filters live in the URL's query string, so a filtered list is a link
// like any other. A failed trace's row is marked and says its first error.
import { ApiError, fetchTraceList } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatStartTime, isoTime } from './format.js';
import { scoreChips } from './score-chips.js';

/** @typedef {import('./api.js').TraceSummary} TraceSummary */

/** URL parameters the list understands (and forwards to /ui/api/traces). */
const FILTER_KEYS = ['project', 'q', 'errors', 'score', 'agg', 'op', 'value'];

/** @type {Array<[string, string]>} value, label: what a trace's score is, for the filter */
const AGGREGATES = [
  ['min', 'worst span'],
  ['mean', 'mean'],
];

/**
 * As the API: "below" looks at the worst span, so one bad turn is found; the rest at the mean.
 * @param {string} op
 */
function defaultAggregate(op) {
  return op === 'lt' || op === 'le' ? 'min' : 'mean';
}

/** @type {Array<[string, string, string]>} value, symbol, spoken label */
const COMPARISONS = [
  ['lt', '<', 'less than'],
  ['le', '≤', 'at most'],
  ['gt', '>', 'greater than'],
  ['ge', '≥', 'at least'],
  ['eq', '=', 'equal to'],
];

/**
 * @param {HTMLElement} app
 * @param {URLSearchParams} params the page URL's query
 * @param {(url: string) => void} navigate
 * @param {AbortSignal} signal aborted when the viewer leaves this page
 */
export async function showTraceList(app, params, navigate, signal) {
  const filters = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters.set(key, value);
  }
  const heading = h('h1', {}, 'Recent conversations');
  const context = h('p', { class: 'page-context' }, 'Loading…');
  const tbody = h('tbody');
  const loadMore = h('button', { type: 'button', class: 'quiet-button load-more', hidden: true }, 'Load more');
  const status = h('p', { class: 'status-message', role: 'status' });
  const scoreNames = h('datalist', { id: 'score-names' });
  const table = h(
    'table',
    { class: 'trace-table' },
    h('caption', { class: 'visually-hidden' }, 'Recent conversations, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col' }, 'Conversation'),
        h('th', { scope: 'col', class: 'numeric' }, 'Turns'),
        h('th', { scope: 'col', class: 'numeric' }, 'Duration'),
        h('th', { scope: 'col', class: 'numeric' }, 'Tools'),
        h('th', { scope: 'col' }, 'Scores'),
        h('th', { scope: 'col' }, 'Status'),
      ),
    ),
    tbody,
  );
  const page = h(
    'section',
    { class: 'list-page', 'aria-busy': 'true' },
    h('div', { class: 'page-head' }, heading, context),
    filterForm(filters, scoreNames, navigate),
    table,
    status,
    loadMore,
  );
  replaceChildren(app, page);

  /** @type {Set<string>} */
  const listed = new Set();
  /** @type {Set<string>} */
  const knownScores = new Set();
  /** @param {string | null} cursor */
  const loadPage = async (cursor) => {
    const query = new URLSearchParams(filters);
    if (cursor) query.set('cursor', cursor);
    loadMore.disabled = true;
    page.setAttribute('aria-busy', 'true');
    try {
      const page = await fetchTraceList(query, signal);
      for (const trace of page.traces) {
        // A page boundary can fall inside a trace that is still being written: list it once.
        if (listed.has(trace.root_span_id)) continue;
        listed.add(trace.root_span_id);
        tbody.append(traceRow(trace, navigate));
        for (const name of Object.keys(trace.scores)) knownScores.add(name);
      }
      replaceChildren(scoreNames, [...knownScores].sort().map((name) => h('option', { value: name })));
      const filtered = filters.has('q') || filters.has('score') || filters.has('errors');
      context.textContent = page.project
        ? `${page.project.name} · ${listed.size} ${listed.size === 1 ? 'trace' : 'traces'}${page.next_cursor ? ' so far' : ''}${filtered ? ' matching' : ''}`
        : 'No projects yet';
      // A filtered page looks at a bounded number of traces: none matching yet may mean "older ones left".
      status.textContent = listed.size > 0 ? '' : page.next_cursor ? 'No matches among the newest traces; load more to search older ones.' : emptyMessage(filtered);
      table.hidden = listed.size === 0;
      loadMore.hidden = !page.next_cursor;
      loadMore.onclick = () => loadPage(page.next_cursor);
    } catch (error) {
      if (signal.aborted) return;
      context.textContent = '';
      status.textContent = error instanceof ApiError ? `Could not load traces: ${error.message}` : `Could not load traces: ${String(error)}`;
      table.hidden = listed.size === 0;
    } finally {
      loadMore.disabled = false;
      page.removeAttribute('aria-busy');
    }
  };
  await loadPage(null);
}

/** @param {boolean} filtered */
function emptyMessage(filtered) {
  return filtered
    ? 'No conversations match these filters.'
    : 'No traces yet. Run a conversation (npm run tracemesh -- chat "…") and it will appear here.';
}

/**
 * @param {URLSearchParams} filters
 * @param {HTMLDataListElement} scoreNames
 * @param {(url: string) => void} navigate
 */
function filterForm(filters, scoreNames, navigate) {
  const search = h('input', {
    type: 'search',
    name: 'q',
    id: 'filter-text',
    value: filters.get('q') ?? '',
    placeholder: 'Text in any span’s input, output or error, or a trace or span id',
    autocomplete: 'off',
  });
  const errorsOnly = h('input', { type: 'checkbox', name: 'errors', id: 'filter-errors', checked: ['1', 'true'].includes(filters.get('errors') ?? '') });
  const scoreName = h('input', {
    type: 'text',
    name: 'score',
    id: 'filter-score-name',
    value: filters.get('score') ?? '',
    placeholder: 'score name',
    list: 'score-names',
    autocomplete: 'off',
    'aria-label': 'Score name',
  });
  const initialOp = filters.get('op') ?? 'lt';
  const aggregate = h(
    'select',
    { name: 'agg', id: 'filter-score-agg', 'aria-label': 'Compare the trace’s' },
    AGGREGATES.map(([value, label]) => h('option', { value, selected: (filters.get('agg') ?? defaultAggregate(initialOp)) === value }, label)),
  );
  // Until the reader picks one, the aggregate follows the comparison's default.
  let aggregateChosen = filters.has('agg');
  aggregate.addEventListener('change', () => { aggregateChosen = true; });
  const comparison = h(
    'select',
    { name: 'op', id: 'filter-score-op', 'aria-label': 'Comparison' },
    COMPARISONS.map(([value, symbol, label]) =>
      h('option', { value, selected: initialOp === value, 'aria-label': label }, symbol),
    ),
  );
  comparison.addEventListener('change', () => {
    if (!aggregateChosen) aggregate.value = defaultAggregate(comparison.value);
  });
  const threshold = h('input', {
    type: 'number',
    name: 'value',
    id: 'filter-score-value',
    step: 'any',
    value: filters.get('value') ?? '',
    placeholder: '0.5',
    'aria-label': 'Threshold',
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter conversations' },
    h('div', { class: 'field grow' }, h('label', { for: 'filter-text' }, 'Search'), search),
    h(
      'fieldset',
      { class: 'field score-filter' },
      h('legend', {}, 'Score'),
      h('div', { class: 'score-inputs' }, scoreName, aggregate, comparison, threshold),
    ),
    h('div', { class: 'field errors-filter' }, h('label', { for: 'filter-errors' }, errorsOnly, 'Errors only')),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'primary-button' }, 'Apply'),
      h('button', { type: 'button', class: 'quiet-button', onclick: () => navigate(listUrl(keepProject(filters))) }, 'Clear'),
    ),
    scoreNames,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = keepProject(filters);
    if (search.value.trim()) next.set('q', search.value.trim());
    if (errorsOnly.checked) next.set('errors', '1');
    // Half a score filter is ignored rather than sent: the name and a number are both needed.
    if (scoreName.value.trim() && threshold.value.trim() !== '' && Number.isFinite(Number(threshold.value))) {
      next.set('score', scoreName.value.trim());
      next.set('op', comparison.value);
      next.set('value', threshold.value.trim());
      next.set('agg', aggregate.value);
    }
    navigate(listUrl(next));
  });
  return form;
}

/** @param {URLSearchParams} filters */
function keepProject(filters) {
  const kept = new URLSearchParams();
  const project = filters.get('project');
  if (project) kept.set('project', project);
  return kept;
}

/** @param {URLSearchParams} params */
function listUrl(params) {
  const query = params.toString();
  return query ? `/ui/?${query}` : '/ui/';
}

/**
 * @param {TraceSummary} trace
 * @param {(url: string) => void} navigate
 */
function traceRow(trace, navigate) {
  const href = `/ui/trace/${encodeURIComponent(trace.root_span_id)}`;
  const title = trace.first_query ?? trace.top_span.name ?? trace.root_span_id;
  const failed = trace.error_count > 0;
  const errorNote = failed ? `${trace.error_count} ${trace.error_count === 1 ? 'span' : 'spans'} failed${trace.first_error ? `; first error: ${trace.first_error}` : ''}` : undefined;
  const row = h(
    'tr',
    { class: failed ? 'trace-row has-error' : 'trace-row', 'data-root-span-id': trace.root_span_id, title: errorNote },
    h('td', { class: 'started' }, h('time', { datetime: isoTime(trace.started, trace.created) }, formatStartTime(trace.started, trace.created))),
    h(
      'td',
      { class: 'conversation' },
      h('a', { href, 'data-nav': true, class: 'trace-link' }, title),
      h('span', { class: 'trace-sub' }, `${trace.top_span.name ?? 'span'} · ${trace.root_span_id.slice(0, 12)}…`),
      // The first error in the row itself, so a failed trace reads as failed without opening it.
      trace.first_error ? h('span', { class: 'trace-error' }, trace.first_error) : null,
    ),
    h('td', { class: 'numeric' }, formatCount(trace.turns)),
    h('td', { class: 'numeric' }, formatDuration(trace.duration_s)),
    h('td', { class: 'numeric' }, formatCount(trace.tool_count)),
    h('td', { class: 'scores' }, scoreChips(trace.scores, trace.score_min)),
    h(
      'td',
      { class: 'status' },
      failed
        ? h('span', { class: 'status-pill error', title: errorNote }, `${trace.error_count} ${trace.error_count === 1 ? 'error' : 'errors'}`)
        : h('span', { class: 'status-pill ok' }, 'ok'),
    ),
  );
  // The whole row is a target for the mouse; the link stays the keyboard and screen-reader target.
  row.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    navigate(href);
  });
  return row;
}
