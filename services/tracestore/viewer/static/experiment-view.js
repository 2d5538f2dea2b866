// @ts-check
// /ui/experiments/<experiment id>: one eval run. The header has each score's mean against the base
// experiment; the table has one row per case — input, output, expected, each score with the base
// case's score beside it (the case with the same input) and the change marked — linking to the
// case's span tree and to the conversation it was scored on. Sort and filter live in the URL
// (?score=&order=&change=), so "lowest first" or "regressions on length" is a link like any other;
// a sort or filter the API refuses (a 400) is shown in the page's status area, with the rows in run
// order and the form still holding what was asked. Texts are clamped to three lines (the rest in
// their tooltip, or all rows at once with "Expand texts"); the table scrolls sideways inside its own
// box when the columns cannot fit, the input column staying in view. A row whose base case other
// rows share (an input run several times) says so.
import { ApiError, fetchExperiment } from './api.js';
import { deltaMark } from './delta-marks.js';
import { breakable, h, replaceChildren } from './dom.js';
import { fromExperimentQuery, rememberExperimentPage } from './experiment-return.js';
import { formatCount, formatScore, formatStartTime, isoTime } from './format.js';

/** @typedef {import('./api.js').ExperimentRows} ExperimentRows */
/** @typedef {import('./api.js').ExperimentRow} ExperimentRow */

/** URL parameters the page understands (and forwards to /ui/api/experiments/<id>). */
const SORT_KEYS = ['score', 'order', 'change'];

/** @typedef {{ score?: string, order: string, change?: string }} SortRequest */

/**
 * @param {HTMLElement} app
 * @param {string} experimentId
 * @param {URLSearchParams} params the page URL's query
 * @param {(url: string) => void} navigate
 * @param {AbortSignal} signal aborted when the viewer leaves this page (then nothing is drawn)
 */
export async function showExperiment(app, experimentId, params, navigate, signal) {
  const sort = new URLSearchParams();
  for (const key of SORT_KEYS) {
    const value = params.get(key);
    if (value) sort.set(key, value);
  }
  replaceChildren(app, backLink(null), h('p', { class: 'status-message', role: 'status' }, 'Loading experiment…'));
  /** @type {ExperimentRows} */
  let answer;
  /** @type {string | null} the API's reason for refusing the sort or filter (a 400) */
  let refusal = null;
  try {
    try {
      answer = await fetchExperiment(experimentId, sort, signal);
    } catch (error) {
      // A sort or filter the API refuses: show the experiment in run order, and say why.
      if (!(error instanceof ApiError && error.status === 400 && sort.toString() !== '')) throw error;
      refusal = error.message;
      answer = await fetchExperiment(experimentId, new URLSearchParams(), signal);
    }
  } catch (error) {
    if (signal.aborted) return;
    const notFound = error instanceof ApiError && error.status === 404;
    const message = notFound
      ? `There is no experiment ${experimentId} in this store.`
      : `Could not load the experiment: ${error instanceof Error ? error.message : String(error)}`;
    replaceChildren(
      app,
      backLink(null),
      h('h1', {}, notFound ? 'Experiment not found' : 'Could not load the experiment'),
      h('p', { class: 'status-message error-message', role: notFound ? 'status' : 'alert' }, message),
    );
    return;
  }
  if (signal.aborted) return;
  const pageUrl = `/ui/experiments/${encodeURIComponent(experimentId)}`;
  /** @type {SortRequest} what the form shows: what was asked for, even when it was refused */
  const asked = refusal === null ? answer.sort : { order: sort.get('order') ?? 'asc', score: sort.get('score') ?? undefined, change: sort.get('change') ?? undefined };
  const status = refusal === null
    ? h('p', { class: 'status-message rows-status', role: 'status' }, rowsStatus(answer))
    : h('p', { class: 'status-message rows-status error-message', role: 'alert', id: 'rows-refusal' }, refusalMessage(refusal, asked, answer));
  const table = rowsTable(answer, navigate);
  replaceChildren(
    app,
    h(
      'section',
      { class: 'experiment-page' },
      backLink(answer.project.id),
      experimentHeader(answer, pageUrl),
      sortForm(answer, asked, refusal !== null, pageUrl, navigate),
      h('div', { class: 'rows-bar' }, status, answer.rows.length > 0 ? expandTextsToggle(table) : null),
      h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Rows of the experiment', tabindex: 0, hidden: answer.rows.length === 0 }, table),
    ),
  );
  // A way back from the traces opened here: to this view, or to the page when the view was refused.
  rememberExperimentPage(answer.experiment.id, answer.experiment.name, refusal === null ? `${location.pathname}${location.search}` : pageUrl);
  document.title = `${answer.experiment.name} · experiments · tracemesh`;
}

/**
 * The API's words, and what the page did instead.
 * @param {string} reason
 * @param {SortRequest} asked
 * @param {ExperimentRows} answer
 */
function refusalMessage(reason, asked, answer) {
  const hint = asked.change && !asked.score
    ? ` Choose a score under “Sort by score”: “${asked.change === 'regressed' ? 'Regressed' : 'Improved'} vs base” compares that score with the base case’s.`
    : '';
  const shown = answer.truncated
    ? `the first ${formatCount(answer.rows.length)} of ${formatCount(answer.matching_rows)} rows`
    : answer.matching_rows === 1 ? 'the one row' : `all ${formatCount(answer.matching_rows)} rows`;
  return `Could not sort or filter the rows: ${reason}.${hint} Showing ${shown} in run order.`;
}

/**
 * One button for every row: texts clamped to three lines, or whole.
 * @param {HTMLTableElement} table
 */
function expandTextsToggle(table) {
  const button = h('button', { type: 'button', class: 'quiet-button expand-texts', 'aria-pressed': 'false' }, 'Expand texts');
  button.addEventListener('click', () => {
    const whole = table.classList.toggle('whole-texts');
    button.setAttribute('aria-pressed', String(whole));
  });
  return button;
}

/** @param {string | null} projectId */
function backLink(projectId) {
  const href = projectId ? `/ui/experiments?${new URLSearchParams({ project: projectId })}` : '/ui/experiments';
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href, 'data-nav': true }, '← All experiments'));
}

/**
 * @param {ExperimentRows} answer
 * @param {string} pageUrl
 */
function experimentHeader(answer, pageUrl) {
  const { experiment } = answer;
  /** @type {Array<[string, string | Node]>} */
  const facts = [
    ['Created', h('time', { datetime: isoTime(null, experiment.created) }, formatStartTime(null, experiment.created))],
    ['Rows', formatCount(experiment.row_count)],
    ['Base', experiment.base ? h('a', { href: `/ui/experiments/${encodeURIComponent(experiment.base.id)}`, 'data-nav': true }, experiment.base.name) : 'none'],
    ['Project', answer.project.name],
  ];
  for (const [key, value] of Object.entries(experiment.metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') facts.push([key, String(value)]);
  }
  return h(
    'header',
    { class: 'trace-head experiment-head' },
    h('h1', {}, h('span', { class: 'badge kind-other' }, 'experiment'), experiment.name),
    h('dl', { class: 'trace-facts' }, facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))),
    answer.score_names.length > 0
      ? h('ul', { class: 'score-summary', 'aria-label': 'Scores' }, answer.score_names.map((name) => scoreSummary(answer, name, pageUrl)))
      : null,
  );
}

/**
 * One score's mean, its change against the base, and links to the cases that moved.
 * @param {ExperimentRows} answer
 * @param {string} name
 * @param {string} pageUrl
 */
function scoreSummary(answer, name, pageUrl) {
  const score = answer.experiment.scores[name];
  const base = answer.experiment.base;
  /** @param {'improved' | 'regressed'} change @param {number} count */
  const changeLink = (change, count) =>
    h('a', { href: `${pageUrl}?${new URLSearchParams({ score: name, order: change === 'regressed' ? 'asc' : 'desc', change })}`, 'data-nav': true, class: `change-link ${change}` }, `${count} ${change}`);
  return h(
    'li',
    { class: 'score-card', 'data-score': name },
    h('span', { class: 'score-card-name' }, name),
    h('span', { class: 'score-card-mean' }, score ? formatScore(score.score) : '—'),
    score?.diff !== undefined ? deltaMark(score.diff) : null,
    base && score ? h('span', { class: 'score-card-changes' }, changeLink('improved', score.improvements), ' · ', changeLink('regressed', score.regressions)) : null,
  );
}

/**
 * @param {ExperimentRows} answer
 * @param {SortRequest} sort the values to show (what the URL asked for)
 * @param {boolean} refused the API refused them: the form points at the message
 * @param {string} pageUrl
 * @param {(url: string) => void} navigate
 */
function sortForm(answer, sort, refused, pageUrl, navigate) {
  const scoreSelect = h(
    'select',
    { name: 'score', id: 'rows-score', 'aria-invalid': refused && !sort.score && sort.change ? 'true' : null },
    h('option', { value: '', selected: !sort.score }, 'Run order'),
    answer.score_names.map((name) => h('option', { value: name, selected: sort.score === name }, name)),
  );
  const orderSelect = h(
    'select',
    { name: 'order', id: 'rows-order' },
    h('option', { value: 'asc', selected: sort.order === 'asc' }, 'Lowest first'),
    h('option', { value: 'desc', selected: sort.order === 'desc' }, 'Highest first'),
  );
  const changeSelect = h(
    'select',
    { name: 'change', id: 'rows-change' },
    h('option', { value: '', selected: !sort.change }, 'All rows'),
    h('option', { value: 'regressed', selected: sort.change === 'regressed' }, 'Regressed vs base'),
    h('option', { value: 'improved', selected: sort.change === 'improved' }, 'Improved vs base'),
  );
  const form = h(
    'form',
    { class: 'filters rows-controls', 'aria-label': 'Sort and filter rows', 'aria-describedby': refused ? 'rows-refusal' : null },
    h('div', { class: 'field' }, h('label', { for: 'rows-score' }, 'Sort by score'), scoreSelect),
    h('div', { class: 'field' }, h('label', { for: 'rows-order' }, 'Order'), orderSelect),
    h('div', { class: 'field' }, h('label', { for: 'rows-change' }, 'Show'), changeSelect),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'primary-button' }, 'Apply'),
      h('button', { type: 'button', class: 'quiet-button', onclick: () => navigate(pageUrl) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // What was chosen goes to the URL as it is: the API checks it (a change needs a score) and the
    // page shows its answer, refusals included.
    const next = new URLSearchParams();
    if (scoreSelect.value) {
      next.set('score', scoreSelect.value);
      next.set('order', orderSelect.value);
    }
    if (changeSelect.value) next.set('change', changeSelect.value);
    const query = next.toString();
    navigate(query ? `${pageUrl}?${query}` : pageUrl);
  });
  return form;
}

/**
 * @param {ExperimentRows} answer
 * @param {(url: string) => void} navigate
 */
function rowsTable(answer, navigate) {
  const { sort } = answer;
  return h(
    'table',
    { class: 'trace-table case-table' },
    h('caption', { class: 'visually-hidden' }, sort.score ? `Rows by ${sort.score}, ${sort.order === 'asc' ? 'lowest' : 'highest'} first` : 'Rows in run order'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'text-column input-column' }, 'Input'),
        h('th', { scope: 'col', class: 'text-column' }, 'Output'),
        h('th', { scope: 'col', class: 'text-column' }, 'Expected'),
        answer.score_names.map((name) =>
          h('th', { scope: 'col', class: 'score-column', title: name, 'aria-sort': sort.score === name ? (sort.order === 'asc' ? 'ascending' : 'descending') : null }, breakable(name)),
        ),
        h('th', { scope: 'col', class: 'links-column' }, 'Traces'),
      ),
    ),
    h('tbody', {}, answer.rows.map((row) => caseRow(answer, row, navigate))),
  );
}

/**
 * @param {ExperimentRows} answer
 * @param {ExperimentRow} row
 * @param {(url: string) => void} navigate
 */
function caseRow(answer, row, navigate) {
  const caseHref = `/ui/trace/${encodeURIComponent(row.root_span_id)}?${new URLSearchParams({ experiment: answer.experiment.id })}`;
  const conversationHref = row.scored_trace
    ? `/ui/trace/${encodeURIComponent(row.scored_trace)}?${fromExperimentQuery(answer.experiment.id)}`
    : null;
  const tr = h(
    'tr',
    { class: row.error ? 'trace-row case-row has-error' : 'trace-row case-row', 'data-root-span-id': row.root_span_id },
    h(
      'td',
      { class: 'case-text case-input' },
      h('a', { href: caseHref, 'data-nav': true, class: 'trace-link', title: row.input ?? undefined }, row.input ?? '(no input)'),
      row.error ? h('span', { class: 'status-pill error', title: row.error }, 'error') : null,
      row.error ? h('span', { class: 'trace-sub case-error', title: row.error }, row.error) : null,
      sharedBaseNote(row),
    ),
    h('td', { class: 'case-text case-output' }, textOrNone(row.output)),
    h('td', { class: 'case-text case-expected' }, textOrNone(row.expected)),
    answer.score_names.map((name) => caseScore(answer, row, name)),
    h(
      'td',
      { class: 'case-links' },
      h('a', { href: caseHref, 'data-nav': true, class: 'case-trace-link' }, 'Case trace'),
      conversationHref ? h('a', { href: conversationHref, 'data-nav': true, class: 'scored-trace-link' }, 'Conversation') : null,
    ),
  );
  // The whole row opens the case's trace for the mouse; the links stay the keyboard targets.
  tr.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    // Selecting text (to read or copy a clamped answer) is not a click on the row.
    if (String(window.getSelection() ?? '') !== '') return;
    navigate(caseHref);
  });
  return tr;
}

/**
 * The base has one case per input: rows of this experiment with the same input are all compared
 * with that one case (the store's rule). Said on each such row, so the repeated "base" values read right.
 * @param {ExperimentRow} row
 */
function sharedBaseNote(row) {
  const others = row.base?.shared_with ?? 0;
  if (others === 0) return null;
  return h(
    'span',
    {
      class: 'trace-sub shared-base',
      'data-shared-with': others,
      title: `The base experiment has one case with this input; this experiment has ${others + 1} rows with it, and each is compared with that same base case.`,
    },
    `base case shared with ${others} other ${others === 1 ? 'row' : 'rows'}`,
  );
}

/**
 * The case's score; with a base experiment, the base case's score and the change, or "new" when
 * the base has no case with this input.
 * @param {ExperimentRows} answer
 * @param {ExperimentRow} row
 * @param {string} name
 */
function caseScore(answer, row, name) {
  const value = row.scores[name];
  const before = row.base?.scores[name];
  const cell = h('td', { class: 'score-cell', 'data-score': name });
  cell.append(h('span', { class: 'score-value' }, value === undefined ? '—' : formatScore(value)));
  if (!answer.experiment.base) return cell;
  if (!row.base) {
    cell.append(h('span', { class: 'base-score new-case', title: 'The base experiment has no case with this input' }, 'new'));
  } else if (before !== undefined) {
    cell.append(h('span', { class: 'base-score' }, `base ${formatScore(before)}`));
    if (value !== undefined) cell.append(deltaMark(value - before));
  }
  return cell;
}

/** @param {string | null} text */
function textOrNone(text) {
  return text === null ? h('span', { class: 'absent' }, '—') : h('span', { class: 'clamped', title: text }, text);
}

/** @param {ExperimentRows} answer */
function rowsStatus(answer) {
  const { sort, experiment } = answer;
  if (experiment.row_count === 0) return 'This experiment has no rows yet.';
  const shown = answer.truncated ? `The first ${formatCount(answer.rows.length)} of ${formatCount(answer.matching_rows)}` : formatCount(answer.matching_rows);
  if (sort.change && sort.score) {
    return answer.matching_rows === 0
      ? `No row ${sort.change} on ${sort.score} against the base.`
      : `${shown} of ${formatCount(experiment.row_count)} rows ${sort.change} on ${sort.score}.`;
  }
  return `${shown} ${answer.matching_rows === 1 ? 'row' : 'rows'}.`;
}
