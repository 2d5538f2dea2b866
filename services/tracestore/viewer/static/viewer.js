// @ts-check
// The viewer's entry point: picks the view from the path (/ui/ → list, /ui/trace/<id> → one
// trace, /ui/experiments → experiments, /ui/experiments/<id> → one experiment), navigates between
// them with the History API (links stay real links), marks the header's section (logs or
// experiments) and fills the project picker when the store holds more than one project. Each
// navigation aborts the previous view's requests, so a slow answer can never draw over a newer page.
import { adoptTokenFromFragment, wireTokenButton } from './access-token.js';
import { fetchProjects } from './api.js';
import { h, replaceChildren } from './dom.js';
import { showExperimentList } from './experiment-list-view.js';
import { fromExperimentOf } from './experiment-return.js';
import { showExperiment } from './experiment-view.js';
import { showTraceList } from './list-view.js';
import { markSection } from './section-nav.js';
import { showTrace } from './trace-view.js';

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
let currentView = new AbortController();

/** @param {string} url */
function navigate(url) {
  history.pushState(null, '', url);
  void render({ moveFocus: true });
}

/** @param {{ moveFocus: boolean }} options */
async function render({ moveFocus }) {
  currentView.abort();
  currentView = new AbortController();
  const { signal } = currentView;
  const traceMatch = /^\/ui\/trace\/([^/]+)$/.exec(location.pathname);
  const experimentMatch = /^\/ui\/experiments\/([^/]+)$/.exec(location.pathname);
  const params = new URLSearchParams(location.search);
  const project = params.get('project');
  if (traceMatch) {
    // An experiment's case opens with ?experiment=<id>; a conversation has none, or, opened from
    // an experiment's page, ?from=experiment:<id> (its back link leads there).
    const experimentId = params.get('experiment');
    const fromExperimentId = fromExperimentOf(params);
    markSection(experimentId || fromExperimentId ? 'experiments' : 'logs', { project, current: false });
    await showTrace(app, decodeURIComponent(traceMatch[1] ?? ''), experimentId, fromExperimentId, signal);
  } else if (experimentMatch) {
    markSection('experiments', { project, current: false });
    await showExperiment(app, decodeURIComponent(experimentMatch[1] ?? ''), params, navigate, signal);
  } else if (/^\/ui\/experiments\/?$/.test(location.pathname)) {
    markSection('experiments', { project, current: true });
    document.title = 'tracemesh · experiments';
    await Promise.all([showExperimentList(app, params, navigate, signal), showProjectPicker(project, '/ui/experiments', signal)]);
  } else {
    markSection('logs', { project, current: true });
    document.title = 'tracemesh · traces';
    await Promise.all([showTraceList(app, params, navigate, signal), showProjectPicker(project, '/ui/', signal)]);
  }
  // After a navigation, put keyboard and screen-reader focus on the new page's heading.
  if (!moveFocus || signal.aborted) return;
  const heading = app.querySelector('h1');
  if (heading) heading.tabIndex = -1;
  (heading ?? app).focus();
}

/**
 * @param {string | null} selectedId
 * @param {string} listPath the list the picker switches the project of
 * @param {AbortSignal} signal
 */
async function showProjectPicker(selectedId, listPath, signal) {
  const picker = /** @type {HTMLElement} */ (document.querySelector('.project-picker'));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById('project-select'));
  const projects = await fetchProjects(signal).catch(() => []);
  if (signal.aborted) return;
  picker.hidden = projects.length < 2;
  if (projects.length < 2) return;
  // The list shows the most recently active project unless one is chosen: the first option.
  replaceChildren(select, projects.map((project) => h('option', { value: project.id, selected: project.id === selectedId }, project.name)));
  select.onchange = () => navigate(`${listPath}?project=${encodeURIComponent(select.value)}`);
}

// Same-origin links marked data-nav navigate in place; modified clicks keep their browser meaning.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest('a[data-nav]') : null;
  if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});

window.addEventListener('popstate', () => void render({ moveFocus: true }));

adoptTokenFromFragment();
wireTokenButton(() => void render({ moveFocus: false }));
void render({ moveFocus: false });
