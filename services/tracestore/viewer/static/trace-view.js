// @ts-check
// /ui/trace/<root_span_id>: the trace as a collapsible tree beside a timing waterfall (bars placed
// by metrics.start/end relative to the trace's first start, so parallel tool calls overlap), and
// the selected span's details. The selected span is kept in the fragment (#span=<span_id>). A
// trace of an experiment (an eval case) is read there when the URL names it (?experiment=<id>),
// and leads back to its experiment; so does a conversation opened from an experiment's page
// (?from=experiment:<id>). Reached any other way, a conversation leads back to the list.
// A failed trace says so at the top (its first error, and a button to that span); a folded span
// with a failed span inside it keeps an error mark.
import { ApiError, fetchTrace } from './api.js';
import { h, replaceChildren } from './dom.js';
import { experimentReturn } from './experiment-return.js';
import { formatCount, formatDuration, formatOffset, formatStartTime, isoTime } from './format.js';
import { renderJson } from './json-view.js';
import { scoreChips } from './score-chips.js';
import { barPosition, buildSpanTree, durationOf, flattenTree, objectOf, SPAN_KINDS, timeWindow } from './span-tree.js';

/** @typedef {import('./span-tree.js').SpanNode} SpanNode */
/** @typedef {import('./api.js').TraceRows} TraceRows */
/** @typedef {import('./experiment-return.js').ExperimentReturn} ExperimentReturn */

const AXIS_TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * @param {HTMLElement} app
 * @param {string} rootSpanId
 * @param {string | null} experimentId the experiment holding the trace, when the URL names one
 * @param {string | null} fromExperimentId the experiment whose page the trace was opened from (?from=experiment:<id>)
 * @param {AbortSignal} signal aborted when the viewer leaves this page (then nothing is drawn)
 */
export async function showTrace(app, rootSpanId, experimentId, fromExperimentId, signal) {
  const returnId = experimentId ?? fromExperimentId;
  const pending = returnId ? experimentReturn(returnId) : null;
  replaceChildren(app, backLink(pending), h('p', { class: 'status-message', role: 'status' }, 'Loading trace…'));
  /** @type {TraceRows} */
  let trace;
  try {
    trace = await fetchTrace(rootSpanId, experimentId, signal);
  } catch (error) {
    if (signal.aborted) return;
    const notFound = error instanceof ApiError && error.status === 404;
    const message = notFound
      ? experimentId ? `Not found: ${error.message}.` : `There is no trace ${rootSpanId} in this store.`
      : `Could not load the trace: ${error instanceof Error ? error.message : String(error)}`;
    replaceChildren(
      app,
      backLink(pending),
      h('h1', {}, notFound ? 'Trace not found' : 'Could not load the trace'),
      h('p', { class: notFound ? 'status-message' : 'status-message error-message', role: notFound ? 'status' : 'alert' }, message),
    );
    return;
  }
  const roots = buildSpanTree(trace.spans);
  const nodes = flattenTree(roots);
  const window = timeWindow(nodes);
  const view = new TraceView(nodes, window, trace);
  const experiment = trace.object_type === 'experiment' ? experimentReturn(trace.object_id, trace.object_name) : fromExperimentId ? experimentReturn(fromExperimentId) : null;
  replaceChildren(app, h('section', { class: 'trace-page' }, backLink(experiment), traceHeader(trace, roots[0], window, () => view.selectFirstError()), view.element));
  view.selectInitial();
  document.title = `${roots[0]?.name ?? 'trace'} · tracemesh`;
}

/**
 * Back to the experiment the trace is a case of or was opened from (as that page was left, when
 * this tab showed it), else to the list of conversations.
 * @param {ExperimentReturn | null} experiment
 */
function backLink(experiment) {
  const link = experiment
    ? h('a', { href: experiment.href, 'data-nav': true, class: 'back-to-experiment' }, experiment.name ? `← Experiment ${experiment.name}` : '← Back to the experiment')
    : h('a', { href: '/ui/', 'data-nav': true }, '← All conversations');
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, link);
}

/** @param {string} experimentId */
function experimentHref(experimentId) {
  return `/ui/experiments/${encodeURIComponent(experimentId)}`;
}

/**
 * @param {TraceRows} trace
 * @param {SpanNode | undefined} top
 * @param {{ start: number, end: number } | null} window
 * @param {() => void} showFirstError selects the span that failed first
 */
function traceHeader(trace, top, window, showFirstError) {
  const summary = trace.summary;
  /** @type {Array<[string, string | Node]>} */
  const facts = [
    ['Started', h('time', { datetime: isoTime(window?.start ?? null) }, formatStartTime(window?.start ?? null))],
    ['Duration', formatDuration(window ? window.end - window.start : null)],
    ['Spans', formatCount(trace.spans.length)],
  ];
  const inExperiment = trace.object_type === 'experiment';
  if (summary) {
    // An eval case has no conversation turns of its own (its conversation is a trace in the logs).
    if (!inExperiment) facts.push(['Turns', formatCount(summary.turns)]);
    facts.push(['Tools', formatCount(summary.tool_count)], ['LLM calls', formatCount(summary.llm_count)]);
    if (summary.tokens > 0) facts.push(['Tokens', formatCount(summary.tokens)]);
    facts.push(['Errors', summary.error_count > 0 ? h('span', { class: 'error-text' }, formatCount(summary.error_count)) : '0']);
  }
  facts.push(
    inExperiment ? ['Experiment', h('a', { href: experimentHref(trace.object_id), 'data-nav': true }, trace.object_name)] : ['Project', trace.object_name],
    ['Trace id', h('code', {}, trace.root_span_id)],
  );
  return h(
    'header',
    { class: 'trace-head' },
    h('h1', {}, top ? kindBadge(top) : null, top?.name ?? 'Trace'),
    summary?.first_query ? h('p', { class: 'trace-query' }, summary.first_query) : null,
    h('dl', { class: 'trace-facts' }, facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))),
    summary?.first_error ? firstErrorBox(summary.error_count, summary.first_error, showFirstError) : null,
    summary && Object.keys(summary.scores).length > 0 ? scoreChips(summary.scores, summary.score_min) : null,
    trace.truncated ? h('p', { class: 'warning' }, `Only the first ${trace.spans.length} spans are shown.`) : null,
  );
}

/**
 * @param {number} errorCount
 * @param {string} firstError
 * @param {() => void} showFirstError
 */
function firstErrorBox(errorCount, firstError, showFirstError) {
  return h(
    'div',
    { class: 'error-box trace-error-box', role: 'note' },
    h('strong', {}, errorCount === 1 ? 'A span failed' : `${formatCount(errorCount)} spans failed`, '; the first error:'),
    h('pre', {}, firstError),
    h('button', { type: 'button', class: 'quiet-button', id: 'show-first-error', onclick: showFirstError }, 'Show that span'),
  );
}

/** @param {SpanNode} node */
function kindBadge(node) {
  return h('span', { class: `badge kind-${node.kind}` }, node.kind);
}

/**
 * "client · conversation": which side of the call and which process, for RPC spans.
 * @param {SpanNode} node
 */
function rpcContext(node) {
  return [node.rpcSide, node.service].filter((part) => part !== '').join(' · ');
}

/** The tree + waterfall and the details pane, with expand/collapse and selection state. */
class TraceView {
  /**
   * @param {SpanNode[]} nodes depth-first
   * @param {{ start: number, end: number } | null} window
   * @param {TraceRows} trace
   */
  constructor(nodes, window, trace) {
    this.nodes = nodes;
    this.window = window;
    this.trace = trace;
    /** @type {Set<string>} keys of collapsed nodes */
    this.collapsed = new Set();
    /** @type {Map<string, HTMLElement>} */
    this.rows = new Map();
    /** @type {SpanNode | undefined} */
    this.selected = undefined;
    this.details = h('aside', { class: 'details-pane', 'aria-label': 'Span details' });
    this.rowsContainer = h(
      'div',
      { class: 'span-rows', role: 'list', 'aria-label': 'Spans of this trace', 'aria-describedby': 'tree-keys' },
      nodes.map((node) => this.spanRow(node)),
    );
    this.element = h(
      'div',
      { class: 'trace-body' },
      h(
        'section',
        { class: 'timeline', 'aria-label': 'Span tree and timing' },
        this.toolbar(),
        this.timelineHeader(),
        h('p', { id: 'tree-keys', class: 'visually-hidden' }, 'Arrow keys move between spans; left and right fold and unfold; Home and End jump to the first and last.'),
        this.rowsContainer,
      ),
      this.details,
    );
  }

  toolbar() {
    return h(
      'div',
      { class: 'timeline-toolbar' },
      h('button', { type: 'button', class: 'quiet-button', id: 'expand-all', onclick: () => this.setAllCollapsed(false) }, 'Expand all'),
      h('button', { type: 'button', class: 'quiet-button', id: 'collapse-all', onclick: () => this.setAllCollapsed(true) }, 'Collapse all'),
      // The kinds this trace has (Braintrust knows a dozen), in the usual order, then error if any.
      h('ul', { class: 'legend', 'aria-label': 'Span types' },
        SPAN_KINDS.filter((kind) => this.nodes.some((node) => node.kind === kind)).map((kind) => h('li', {}, h('span', { class: `swatch kind-${kind}`, 'aria-hidden': 'true' }), kind)),
        this.nodes.some((node) => node.failed) ? h('li', {}, h('span', { class: 'swatch failed', 'aria-hidden': 'true' }), 'error') : null),
    );
  }

  timelineHeader() {
    const total = this.window ? this.window.end - this.window.start : 0;
    const axis = h('div', { class: 'axis', 'aria-hidden': 'true' });
    for (const fraction of AXIS_TICKS) {
      const tick = h('span', { class: 'tick' }, formatOffset(total * fraction));
      tick.style.left = `${fraction * 100}%`;
      if (fraction === 1) tick.classList.add('last');
      axis.append(tick);
    }
    return h('div', { class: 'timeline-header' }, h('div', { class: 'name-column-title' }, 'Span'), axis);
  }

  /** @param {SpanNode} node */
  spanRow(node) {
    const duration = durationOf(node);
    const toggle = node.children.length > 0
      ? h('button', {
          type: 'button',
          class: 'toggle',
          tabindex: -1,
          'aria-expanded': 'true',
          'aria-label': `Collapse ${node.name}`,
          onclick: (event) => {
            event.stopPropagation();
            this.setCollapsed(node, !this.collapsed.has(node.key));
          },
        })
      : h('span', { class: 'toggle-spacer', 'aria-hidden': 'true' });
    // One tab stop for the whole tree (the selected span's button); arrows move inside it.
    const select = h(
      'button',
      { type: 'button', class: 'span-select', tabindex: -1, title: node.name, onkeydown: (event) => this.onKey(/** @type {KeyboardEvent} */ (event), node) },
      kindBadge(node),
      h('span', { class: 'span-label' }, node.label),
      node.kind === 'rpc' ? h('span', { class: 'span-context' }, rpcContext(node)) : null,
      node.failed ? h('span', { class: 'error-mark', title: 'This span recorded an error' }, h('span', { class: 'visually-hidden' }, 'error')) : null,
      // Shown while the span is folded: an error inside it must not disappear with its rows.
      failedInside(node)
        ? h('span', { class: 'error-mark folded-error', hidden: true, title: 'A span inside this one recorded an error' }, h('span', { class: 'visually-hidden' }, 'error inside'))
        : null,
    );
    const cell = h('div', { class: 'span-cell' }, toggle, select, h('span', { class: 'span-duration' }, formatDuration(duration)));
    cell.style.setProperty('--depth', String(node.depth));
    const row = h(
      'div',
      {
        role: 'listitem',
        class: `span-row kind-${node.kind}${node.failed ? ' failed' : ''}`,
        'data-span-key': node.key,
        'data-span-name': node.name,
        'data-kind': node.kind,
        'data-depth': node.depth,
        onclick: () => this.select(node, { focus: false }),
      },
      cell,
      this.lane(node),
    );
    this.rows.set(node.key, row);
    return row;
  }

  /** @param {SpanNode} node */
  lane(node) {
    const lane = h('div', { class: 'lane', 'aria-hidden': 'true' });
    const position = this.window ? barPosition(node, this.window) : null;
    if (!position) return lane;
    const offset = this.window && node.start !== null ? node.start - this.window.start : 0;
    const bar = h('div', {
      class: `bar kind-${node.kind}${node.failed ? ' failed' : ''}${position.running ? ' running' : ''}`,
      title: `${node.name} · ${formatDuration(durationOf(node))} · starts at +${formatOffset(offset)}`,
    });
    bar.style.left = `${position.left * 100}%`;
    bar.style.width = `${position.width * 100}%`;
    lane.append(bar);
    return lane;
  }

  /**
   * Arrow keys move through the visible spans like a tree: up/down, right expands (then enters),
   * left collapses (then goes to the parent), Home/End jump.
   * @param {KeyboardEvent} event
   * @param {SpanNode} node
   */
  onKey(event, node) {
    const visible = this.nodes.filter((candidate) => !this.isHidden(candidate));
    const index = visible.indexOf(node);
    /** @type {SpanNode | undefined} */
    let target;
    switch (event.key) {
      case 'ArrowDown': target = visible[index + 1]; break;
      case 'ArrowUp': target = visible[index - 1]; break;
      case 'Home': target = visible[0]; break;
      case 'End': target = visible[visible.length - 1]; break;
      case 'ArrowRight':
        if (node.children.length > 0 && this.collapsed.has(node.key)) this.setCollapsed(node, false);
        else target = node.children[0];
        break;
      case 'ArrowLeft':
        if (node.children.length > 0 && !this.collapsed.has(node.key)) this.setCollapsed(node, true);
        else target = node.parent ?? undefined;
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) this.select(target, { focus: true });
  }

  /**
   * @param {SpanNode} node
   * @param {boolean} collapsed
   */
  setCollapsed(node, collapsed) {
    if (collapsed) this.collapsed.add(node.key);
    else this.collapsed.delete(node.key);
    this.refreshVisibility();
  }

  /** @param {boolean} collapsed */
  setAllCollapsed(collapsed) {
    this.collapsed.clear();
    if (collapsed) for (const node of this.nodes) if (node.children.length > 0 && node.parent) this.collapsed.add(node.key);
    this.refreshVisibility();
  }

  /** @param {SpanNode} node */
  isHidden(node) {
    for (let ancestor = node.parent; ancestor; ancestor = ancestor.parent) if (this.collapsed.has(ancestor.key)) return true;
    return false;
  }

  refreshVisibility() {
    for (const node of this.nodes) {
      const row = this.rows.get(node.key);
      if (!row) continue;
      row.hidden = this.isHidden(node);
      const toggle = row.querySelector('.toggle');
      if (toggle) {
        const collapsed = this.collapsed.has(node.key);
        toggle.setAttribute('aria-expanded', String(!collapsed));
        toggle.setAttribute('aria-label', `${collapsed ? 'Expand' : 'Collapse'} ${node.name}`);
        const foldedError = /** @type {HTMLElement | null} */ (row.querySelector('.folded-error'));
        if (foldedError) foldedError.hidden = !collapsed;
      }
    }
    // A selected span hidden by a collapse hands the selection to its visible ancestor.
    if (this.selected && this.isHidden(this.selected)) {
      let ancestor = this.selected.parent;
      while (ancestor && this.isHidden(ancestor)) ancestor = ancestor.parent;
      if (ancestor) this.select(ancestor, { focus: false });
    }
  }

  /** Unfolds the way to the span that failed first (earliest end, as the summary's first_error) and selects it. */
  selectFirstError() {
    const failed = this.nodes.filter((node) => node.failed);
    const first = failed.reduce((best, node) => ((node.end ?? Infinity) < (best.end ?? Infinity) ? node : best), failed[0]);
    if (!first) return;
    for (let ancestor = first.parent; ancestor; ancestor = ancestor.parent) this.collapsed.delete(ancestor.key);
    this.refreshVisibility();
    this.select(first, { focus: true });
  }

  selectInitial() {
    const wanted = new URLSearchParams(location.hash.replace(/^#/, '')).get('span');
    const node = this.nodes.find((candidate) => candidate.key === wanted) ?? this.nodes[0];
    if (node) this.select(node, { focus: false, remember: false });
  }

  /**
   * @param {SpanNode} node
   * @param {{ focus: boolean, remember?: boolean }} options
   */
  select(node, { focus, remember = true }) {
    if (this.selected) {
      const previous = this.rows.get(this.selected.key);
      previous?.classList.remove('selected');
      const previousButton = previous?.querySelector('.span-select');
      previousButton?.removeAttribute('aria-current');
      previousButton?.setAttribute('tabindex', '-1');
    }
    this.selected = node;
    const row = this.rows.get(node.key);
    row?.classList.add('selected');
    const button = /** @type {HTMLButtonElement | null | undefined} */ (row?.querySelector('.span-select'));
    button?.setAttribute('aria-current', 'true');
    button?.setAttribute('tabindex', '0');
    if (focus) {
      button?.focus();
      row?.scrollIntoView({ block: 'nearest' });
    }
    if (remember) history.replaceState(history.state, '', `${location.pathname}${location.search}#span=${encodeURIComponent(node.key)}`);
    replaceChildren(this.details, spanDetails(node, this.window, this.trace.comments));
  }
}

/**
 * @param {SpanNode} node
 * @returns {boolean} whether a span below this one failed
 */
function failedInside(node) {
  return node.children.some((child) => child.failed || failedInside(child));
}

/**
 * @param {SpanNode} node
 * @param {{ start: number, end: number } | null} window
 * @param {Record<string, unknown>[]} comments feedback comments on the trace's rows
 */
function spanDetails(node, window, comments) {
  const row = node.row;
  const offset = window && node.start !== null ? node.start - window.start : null;
  const spanComments = comments.filter((comment) => objectOf(comment.origin).id === row.id);
  /** @type {Array<[string, string | Node]>} */
  const timing = [
    ['Duration', formatDuration(durationOf(node))],
    ['Starts at', offset === null ? '—' : `+${formatOffset(offset)}`],
    ['Start time', formatStartTime(node.start, typeof row.created === 'string' ? row.created : undefined)],
  ];
  if (node.kind === 'rpc' && node.rpcSide) timing.push(['RPC side', node.rpcSide]);
  if (node.service) timing.push(['Service', node.service]);
  return h(
    'div',
    { class: 'span-details', 'data-span-key': node.key },
    h('h2', {}, kindBadge(node), h('span', { class: 'details-name' }, node.name)),
    h('dl', { class: 'detail-facts' }, timing.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))),
    node.failed ? h('div', { class: 'error-box', role: 'note' }, h('strong', {}, 'Error'), renderJson(row.error)) : null,
    scoresSection(row.scores),
    section('Input', row.input, true),
    section('Output', row.output, true),
    section('Metadata', row.metadata, false),
    section('Metrics', row.metrics, false),
    spanComments.length > 0 ? section('Comments', spanComments.map((comment) => comment.comment), true) : null,
    idsSection(row),
  );
}

/**
 * A collapsible block of pretty JSON with a copy button; "(none)" when the field is absent.
 * @param {string} title
 * @param {unknown} value
 * @param {boolean} open
 */
function section(title, value, open) {
  const absent = value === undefined || value === null;
  return h(
    'details',
    { class: `detail-section section-${title.toLowerCase()}`, open: open && !absent },
    h('summary', {}, title, absent ? h('span', { class: 'absent' }, ' (none)') : null),
    absent ? null : copyButton(value),
    absent ? null : renderJson(value),
  );
}

/** @param {unknown} scores */
function scoresSection(scores) {
  const entries = Object.entries(objectOf(scores));
  if (entries.length === 0) return null;
  return h(
    'details',
    { class: 'detail-section section-scores', open: true },
    h('summary', {}, 'Scores'),
    h(
      'table',
      { class: 'score-table' },
      h('tbody', {}, entries.map(([name, value]) => {
        const fraction = typeof value === 'number' ? Math.max(0, Math.min(1, value)) : 0;
        const fill = h('span', { class: 'score-bar-fill' });
        fill.style.width = `${fraction * 100}%`;
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, name),
          h('td', { class: 'numeric' }, typeof value === 'number' ? String(value) : JSON.stringify(value)),
          h('td', { class: 'score-bar-cell' }, h('span', { class: 'score-bar', 'aria-hidden': 'true' }, fill)),
        );
      })),
    ),
  );
}

/** @param {Record<string, unknown>} row */
function idsSection(row) {
  const parents = Array.isArray(row.span_parents) ? row.span_parents.join(', ') : '—';
  /** @type {Array<[string, unknown]>} */
  const ids = [['span_id', row.span_id], ['id', row.id], ['root_span_id', row.root_span_id], ['span_parents', parents], ['created', row.created]];
  return h(
    'details',
    { class: 'detail-section section-ids', open: true },
    h('summary', {}, 'Identifiers'),
    h('dl', { class: 'id-list' }, ids.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, h('code', {}, value === undefined || value === null ? '—' : String(value)))))),
  );
}

/** @param {unknown} value */
function copyButton(value) {
  const button = h('button', { type: 'button', class: 'copy-button quiet-button' }, 'Copy');
  button.addEventListener('click', async (event) => {
    event.preventDefault();
    try {
      await navigator.clipboard.writeText(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
  return button;
}
