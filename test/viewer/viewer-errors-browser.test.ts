// Failed and badly scored traces in the viewer, in headless Chromium against a store with a token:
// rows written straight to /logs3 like a timed-out turn, a conversation with one unsafe turn and an
// eval case (eval → task → score spans). The list finds them by error text, by a pasted trace id and
// by the errors-only switch; a trace's chip shows its worst span beside the mean, and the "below"
// filter finds it; a failed row says its first error; the trace page leads to the failed span and
// labels eval and score spans as such.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { getJson, launchChromium, openViewerPage, startViewerStore, type ViewerPage, type ViewerStore } from './viewer-harness.js';

const TOKEN = 'viewer-errors-secret';
const TIMEOUT = '4bf92f3577b34da6a3ce929d0e0e4736';
const BAD_TURN = '0af7651916cd43dd8448eb211c80319c';
const EVAL_CASE = '7d3c1b2a4e5f60718293a4b5c6d7e8f9';
const DEADLINE = 'DEADLINE_EXCEEDED: deadline passed after 4.5 s';

async function screenshot(page: Page, store: ViewerStore, name: string): Promise<void> {
  const path = join(store.screenshotDir, name);
  writeFileSync(path, await page.screenshot({ fullPage: true }));
  process.stdout.write(`      screenshot: ${path}\n`);
}

async function listedTraceIds(page: Page): Promise<string[]> {
  await page.locator('.list-page:not([aria-busy])').waitFor();
  return page.locator('tr.trace-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-root-span-id') ?? ''));
}

describe('trace viewer: errors, ids and worst scores in headless Chromium', function () {
  this.timeout(60_000);
  let store: ViewerStore;
  let browser: Browser;
  let viewer: ViewerPage;
  let page: Page;

  before(async () => {
    [store, browser] = await Promise.all([startViewerStore(TOKEN), launchChromium()]);
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const registered = await fetch(`${store.url}/api/project/register`, { method: 'POST', headers, body: JSON.stringify({ project_name: 'tracemesh' }) });
    const projectId = ((await registered.json()) as { project: { id: string } }).project.id;
    const t0 = Date.now() / 1000 - 60;
    const row = (trace: string, span: string, parent: string | undefined, name: string, type: string, start: number, end: number, extra: object = {}) => ({
      id: `row-${span}`, span_id: span, root_span_id: trace, project_id: projectId, log_id: 'g',
      ...(parent ? { span_parents: [parent] } : {}),
      span_attributes: { name, type }, metrics: { start: t0 + start, end: t0 + end }, ...extra,
    });
    const written = await fetch(`${store.url}/logs3`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        rows: [
          row(BAD_TURN, 'b1', undefined, 'client_conversation', 'task', 0, 4, { input: { patient_query: 'Can I double my insulin?' } }),
          row(BAD_TURN, 'b2', 'b1', 'client_turn', 'task', 0, 2, { scores: { interaction_safety: 0.25 } }),
          row(BAD_TURN, 'b3', 'b1', 'client_turn', 'task', 2, 4, { scores: { interaction_safety: 1 } }),
          row(EVAL_CASE, 'e1', undefined, 'eval', 'eval', 10, 13, { input: 'BMI of 180 cm, 90 kg?' }),
          row(EVAL_CASE, 'e2', 'e1', 'task', 'task', 10, 12),
          row(EVAL_CASE, 'e3', 'e1', 'interaction_safety', 'score', 12, 13, { scores: { interaction_safety: 1 } }),
          row(TIMEOUT, 't1', undefined, 'client_conversation', 'task', 20, 29, { input: { patient_query: 'Her potassium is 6.1' } }),
          row(TIMEOUT, 't2', 't1', 'StreamChat', 'function', 20.1, 28, { error: 'CANCELLED: Cancelled on client' }),
          row(TIMEOUT, 't3', 't2', 'search_medical_knowledge', 'tool', 20.5, 25, { error: DEADLINE }),
        ],
      }),
    });
    assert.equal(written.status, 200);
    viewer = await openViewerPage(browser);
    page = viewer.page;
  });
  after(async () => {
    await browser?.close();
    await store?.dispose();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'passed') assert.deepEqual(viewer.problems, []);
  });

  it('marks a failed trace in the list with its first error, and a bad turn beside the mean score', async () => {
    await page.goto(`${store.url}/ui/#token=${TOKEN}`);
    assert.deepEqual(await listedTraceIds(page), [TIMEOUT, EVAL_CASE, BAD_TURN]);
    const failed = page.locator(`tr[data-root-span-id="${TIMEOUT}"]`);
    assert.equal(await failed.locator('.trace-error').innerText(), DEADLINE, 'the span that failed first (it ended first)');
    assert.equal(await failed.getAttribute('title'), `2 spans failed; first error: ${DEADLINE}`);
    const chip = page.locator(`tr[data-root-span-id="${BAD_TURN}"] .score-chip`);
    assert.match(await chip.innerText(), /interaction_safety\s*0\.63\s*min 0\.25/);
    assert.equal(await chip.getAttribute('title'), 'interaction_safety: mean 0.625, lowest span 0.25');
    assert.equal(await page.locator(`tr[data-root-span-id="${EVAL_CASE}"] .score-min`).count(), 0, 'one span, nothing lower than the mean');
    await screenshot(page, store, 'errors-list.png');
  });

  it('searches error text and finds a pasted trace id', async () => {
    for (const text of ['deadline passed', 'DEADLINE_EXCEEDED', 'Cancelled on client']) {
      await page.fill('#filter-text', text);
      await page.click('button[type="submit"]');
      await page.waitForURL(new RegExp(`\\?q=${encodeURIComponent(text).replace(/%20/g, '\\+')}$`));
      assert.deepEqual(await listedTraceIds(page), [TIMEOUT], text);
    }
    await page.fill('#filter-text', BAD_TURN);
    await page.click('button[type="submit"]');
    await page.waitForURL(new RegExp(`\\?q=${BAD_TURN}$`));
    assert.deepEqual(await listedTraceIds(page), [BAD_TURN]);
  });

  it('lists failed traces only with the errors switch, kept in the URL', async () => {
    await page.click('text=Clear');
    await page.waitForURL(/\/ui\/$/);
    await page.check('#filter-errors');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\?errors=1$/);
    assert.deepEqual(await listedTraceIds(page), [TIMEOUT]);
    assert.equal(await page.isChecked('#filter-errors'), true, 'the switch shows the filter in force');
    const api = await getJson(`${store.url}/ui/api/traces?errors=maybe`, TOKEN);
    assert.equal(api.status, 400);
  });

  it('filters "below" on the worst span by default, and says so in the form', async () => {
    await page.click('text=Clear');
    await page.waitForURL(/\/ui\/$/);
    assert.equal(await page.inputValue('#filter-score-agg'), 'min');
    await page.fill('#filter-score-name', 'interaction_safety');
    await page.selectOption('#filter-score-op', 'lt');
    await page.fill('#filter-score-value', '0.5');
    await page.click('button[type="submit"]');
    await page.waitForURL(/score=interaction_safety&op=lt&value=0\.5&agg=min$/);
    assert.deepEqual(await listedTraceIds(page), [BAD_TURN], 'its first turn scored 0.25, though the mean is 0.63');

    await page.selectOption('#filter-score-agg', 'mean');
    await page.click('button[type="submit"]');
    await page.waitForURL(/agg=mean$/);
    assert.deepEqual(await listedTraceIds(page), []);
    // An untouched aggregate follows the comparison: "at least" compares the mean.
    await page.click('text=Clear');
    await page.waitForURL(/\/ui\/$/);
    await page.selectOption('#filter-score-op', 'ge');
    assert.equal(await page.inputValue('#filter-score-agg'), 'mean');
  });

  it('labels and colours eval and score spans as their own kinds', async () => {
    await page.goto(`${store.url}/ui/trace/${EVAL_CASE}`);
    await page.locator('.trace-page').waitFor();
    const kinds = await page.locator('.span-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-span-name'), row.getAttribute('data-kind')]));
    assert.deepEqual(kinds, [['eval', 'eval'], ['task', 'task'], ['interaction_safety', 'score']]);
    assert.equal(await page.locator('.span-row[data-kind="score"] .badge').innerText(), 'SCORE');
    const colour = (kind: string): Promise<string> =>
      page.locator(`.span-row[data-kind="${kind}"] .bar`).evaluate((bar) => getComputedStyle(bar).backgroundColor);
    assert.equal(await colour('eval'), 'rgb(219, 39, 119)');
    assert.equal(await colour('score'), 'rgb(22, 163, 74)');
    assert.deepEqual(await page.locator('.legend li').allInnerTexts(), ['task', 'eval', 'score'], 'the legend lists the kinds this trace has');
  });

  it('shows a failed trace\'s first error at the top and leads to that span, even when folded', async () => {
    await page.goto(`${store.url}/ui/trace/${TIMEOUT}`);
    await page.locator('.trace-page').waitFor();
    assert.match(await page.locator('.trace-error-box').innerText(), /2 spans failed; the first error:\s*DEADLINE_EXCEEDED: deadline passed/);
    await screenshot(page, store, 'errors-trace.png');
    await page.click('#collapse-all');
    const rpc = page.locator('.span-row[data-span-name="StreamChat"]');
    assert.equal(await page.locator('.span-row[data-span-name="search_medical_knowledge"]').isHidden(), true);
    assert.equal(await rpc.locator('.folded-error').isVisible(), true, 'the folded span keeps a mark for the error inside');
    await page.click('#show-first-error');
    const tool = page.locator('.span-row[data-span-name="search_medical_knowledge"]');
    assert.equal(await tool.isVisible(), true, 'unfolded');
    assert.match((await tool.getAttribute('class')) ?? '', /\bselected\b/);
    assert.match(await page.locator('.details-pane .error-box').innerText(), /DEADLINE_EXCEEDED: deadline passed/);
    assert.equal(await rpc.locator('.folded-error').isHidden(), true, 'an open span needs no mark: its failed rows show');
  });
});
