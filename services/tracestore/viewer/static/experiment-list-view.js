// @ts-check
// /ui/experiments: a project's experiments (eval runs) newest first — name, when, how many rows,
// and one column per score: its mean, its change against the experiment's base over the cases both
// ran, and how many cases (matched by input) improved and regressed; and the mean duration of a case. The
// table scrolls sideways inside its own box when its columns cannot fit, the names staying in view.
import { ApiError, fetchExperimentList } from './api.js';
import { changeCounts, deltaMark } from './delta-marks.js';
import { breakable, h, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatScore, formatStartTime, isoTime } from './format.js';

/** @typedef {import('./api.js').ExperimentSummary} ExperimentSummary */

const MAX_METADATA_FACTS = 4;

/**
 * @param {HTMLElement} app
 * @param {URLSearchParams} params the page URL's query (project)
 * @param {(url: string) => void} navigate
 * @param {AbortSignal} signal aborted when the viewer leaves this page
 */
export async function showExperimentList(app, params, navigate, signal) {
  const query = new URLSearchParams();
  const project = params.get('project');
  if (project) query.set('project', project);
  const context = h('p', { class: 'page-context' }, 'Loading…');
  const table = h('table', { class: 'trace-table experiment-table' });
  const status = h('p', { class: 'status-message', role: 'status' });
  const loadMore = h('button', { type: 'button', class: 'quiet-button load-more', hidden: true }, 'Load more');
  const scroller = h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Experiments', tabindex: 0 }, table);
  const page = h(
    'section',
    { class: 'experiment-list-page', 'aria-busy': 'true' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Experiments'), context),
    scroller,
    status,
    loadMore,
  );
  replaceChildren(app, page);

  /** @type {ExperimentSummary[]} */
  const listed = [];
  /** @param {string | null} cursor */
  const loadPage = async (cursor) => {
    const pageQuery = new URLSearchParams(query);
    if (cursor) pageQuery.set('cursor', cursor);
    loadMore.disabled = true;
    page.setAttribute('aria-busy', 'true');
    try {
      const answer = await fetchExperimentList(pageQuery, signal);
      listed.push(...answer.experiments);
      // Score columns are the union over what is listed, so the table is drawn again with each page.
      fillTable(table, listed, navigate);
      context.textContent = answer.project
        ? `${answer.project.name} · ${listed.length} ${listed.length === 1 ? 'experiment' : 'experiments'}${answer.next_cursor ? ' so far' : ''}`
        : 'No projects yet';
      status.textContent = listed.length > 0 ? '' : 'No experiments yet. Run an eval (npm run tracemesh -- eval --dataset "…") and it will appear here.';
      scroller.hidden = listed.length === 0;
      loadMore.hidden = !answer.next_cursor;
      loadMore.onclick = () => loadPage(answer.next_cursor);
    } catch (error) {
      if (signal.aborted) return;
      context.textContent = '';
      status.textContent = `Could not load experiments: ${error instanceof ApiError ? error.message : String(error)}`;
      scroller.hidden = listed.length === 0;
    } finally {
      loadMore.disabled = false;
      page.removeAttribute('aria-busy');
    }
  };
  await loadPage(null);
}

/**
 * @param {HTMLTableElement} table
 * @param {ExperimentSummary[]} experiments
 * @param {(url: string) => void} navigate
 */
function fillTable(table, experiments, navigate) {
  const scoreNames = [...new Set(experiments.flatMap((experiment) => Object.keys(experiment.scores)))].sort();
  replaceChildren(
    table,
    h('caption', { class: 'visually-hidden' }, 'Experiments, newest first: each score’s mean and its change against the base experiment over the cases both ran'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'name-column' }, 'Experiment'),
        h('th', { scope: 'col' }, 'Created'),
        h('th', { scope: 'col', class: 'numeric' }, 'Rows'),
        scoreNames.map((name) => h('th', { scope: 'col', class: 'score-column', title: name }, breakable(name))),
        // The store's duration metric is each case's (root span's) duration, averaged over the cases.
        h('th', { scope: 'col', class: 'numeric duration-column' }, 'Duration ', h('span', { class: 'th-note' }, '(mean per case)')),
      ),
    ),
    h('tbody', {}, experiments.map((experiment) => experimentRow(experiment, scoreNames, navigate))),
  );
}

/**
 * @param {ExperimentSummary} experiment
 * @param {string[]} scoreNames
 * @param {(url: string) => void} navigate
 */
function experimentRow(experiment, scoreNames, navigate) {
  const href = `/ui/experiments/${encodeURIComponent(experiment.id)}`;
  const duration = experiment.metrics.duration;
  const row = h(
    'tr',
    { class: 'trace-row experiment-row', 'data-experiment-id': experiment.id },
    h(
      'td',
      { class: 'experiment-name' },
      h('a', { href, 'data-nav': true, class: 'trace-link', title: experiment.name }, experiment.name),
      h('span', { class: 'trace-sub' }, experiment.base ? `vs ${experiment.base.name}` : 'no base experiment'),
      metadataLine(experiment),
    ),
    h('td', { class: 'started' }, h('time', { datetime: isoTime(null, experiment.created) }, formatStartTime(null, experiment.created))),
    h('td', { class: 'numeric' }, formatCount(experiment.row_count)),
    scoreNames.map((name) => scoreCell(experiment, name)),
    h(
      'td',
      { class: 'numeric duration-cell', title: duration ? durationTitle(duration) : null },
      duration ? formatDuration(duration.metric) : '—',
      duration?.diff !== undefined ? h('div', {}, deltaMark(duration.diff, 'lower', formatSignedDuration)) : null,
    ),
  );
  // The whole row is a target for the mouse; the link stays the keyboard and screen-reader target.
  row.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    navigate(href);
  });
  return row;
}

/**
 * @param {ExperimentSummary} experiment
 * @param {string} name
 */
function scoreCell(experiment, name) {
  const score = experiment.scores[name];
  if (!score) return h('td', { class: 'score-cell', 'data-score': name }, h('span', { class: 'absent' }, '—'));
  return h(
    'td',
    { class: 'score-cell', 'data-score': name },
    h('span', { class: 'score-mean' }, formatScore(score.score)),
    score.diff !== undefined ? deltaMark(score.diff) : null,
    experiment.base ? changeCounts(score.improvements, score.regressions) : null,
  );
}

/** @param {ExperimentSummary} experiment */
function metadataLine(experiment) {
  const facts = Object.entries(experiment.metadata ?? {})
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    .slice(0, MAX_METADATA_FACTS)
    .map(([key, value]) => `${key}: ${String(value)}`);
  const tags = experiment.tags.map((tag) => `#${tag}`);
  const text = [...facts, ...tags].join(' · ');
  return text ? h('span', { class: 'trace-sub metadata-line' }, text) : null;
}

/** @param {import('./api.js').MetricComparison} duration */
function durationTitle(duration) {
  const mean = `Mean duration per case: ${formatDuration(duration.metric)}`;
  return duration.diff === undefined ? mean : `${mean}; ${formatSignedDuration(duration.diff)} over the cases shared with the base`;
}

/** @param {number} diff seconds */
function formatSignedDuration(diff) {
  if (Math.abs(diff) < 1e-9) return '±0';
  return `${diff > 0 ? '+' : '−'}${formatDuration(Math.abs(diff))}`;
}
