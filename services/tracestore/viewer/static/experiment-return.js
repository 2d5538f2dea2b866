// @ts-check
// The way back to an experiment from a trace opened on its page. A case's trace names its
// experiment (?experiment=<id>); the conversation a case was scored on is a trace of the logs, so its
// link carries where it was opened from (?from=experiment:<id>) and its back link leads there
// instead of to the list of conversations. The experiment page also notes its name and the URL it
// was left at (sort and filter) while this tab shows it, so that back link returns to the same view.

/** @typedef {{ id: string, name: string | null, href: string }} ExperimentReturn */

const FROM_PREFIX = 'experiment:';

/** @type {Map<string, { name: string, href: string }>} experiment id → its name and the URL last shown */
const shown = new Map();

/**
 * Called by the experiment page once it is drawn.
 * @param {string} id
 * @param {string} name
 * @param {string} href the page's path and query
 */
export function rememberExperimentPage(id, name, href) {
  shown.set(id, { name, href });
}

/**
 * The query of a link opened on the experiment's page: `from=experiment:<id>` (the id encoded).
 * @param {string} experimentId
 */
export function fromExperimentQuery(experimentId) {
  return `from=${FROM_PREFIX}${encodeURIComponent(experimentId)}`;
}

/**
 * The experiment a page was opened from (`?from=experiment:<id>`), or null.
 * @param {URLSearchParams} params
 * @returns {string | null}
 */
export function fromExperimentOf(params) {
  const from = params.get('from') ?? '';
  return from.startsWith(FROM_PREFIX) && from.length > FROM_PREFIX.length ? from.slice(FROM_PREFIX.length) : null;
}

/**
 * Where a back link to the experiment goes: the view of it this tab showed last, else its page.
 * @param {string} id
 * @param {string | null} [name] the experiment's name when the caller knows it
 * @returns {ExperimentReturn}
 */
export function experimentReturn(id, name = null) {
  const last = shown.get(id);
  return { id, name: name ?? last?.name ?? null, href: last?.href ?? `/ui/experiments/${encodeURIComponent(id)}` };
}
