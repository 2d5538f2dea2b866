// The experiment pages with what a real `tracemesh eval` run has (fixtures/run-wide-experiments.ts,
// seeded through the real braintrust SDK): eight score names, some long; long experiment names;
// queries that begin alike and markdown answers that all begin "## Assessment"; and one input run
// seven times, so seven rows are compared with one base case. In Debian's Chromium at 1400×900 and
// 1024×768: the pages are no wider than the window (a table too wide scrolls inside its own box, the
// first column staying in view), the header is as wide as the table, the texts have room, three
// lines and a tooltip; and rows that share their base case say so. Screenshots are left in the
// store's directory (printed).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ExperimentRow } from '../../services/tracestore/viewer/experiment-results.js';
import {
  getJson,
  launchChromium,
  openViewerPage,
  seedWideExperiments,
  startViewerStore,
  type SeededWideExperiments,
  type ViewerStore,
} from './viewer-harness.js';

const TOKEN = 'viewer-layout-secret';
const WINDOWS = [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 },
] as const;

interface Geometry {
  pageWidth: number;
  windowWidth: number;
}

async function pageGeometry(page: Page): Promise<Geometry> {
  return page.evaluate(() => ({ pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth }));
}

async function width(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  assert.ok(box, 'the element is rendered');
  return box.width;
}

describe('trace viewer: experiments at real sizes', function () {
  this.timeout(120_000);
  let store: ViewerStore;
  let seeded: SeededWideExperiments;
  let browser: Browser;

  before(async () => {
    store = await startViewerStore(TOKEN);
    [seeded, browser] = await Promise.all([seedWideExperiments(store), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await store?.dispose();
  });

  it('says, per row, how many other rows are compared with the same base case (counted before any filter)', async () => {
    const rowsOf = async (query = ''): Promise<ExperimentRow[]> => {
      const answer = await getJson(`${store.url}/ui/api/experiments/${seeded.candidate}${query}`, TOKEN);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as { rows: ExperimentRow[] }).rows;
    };
    const rows = await rowsOf();
    assert.equal(rows.length, 12);
    const repeated = rows.filter((row) => row.input === seeded.repeated);
    assert.equal(repeated.length, 7);
    assert.equal(new Set(repeated.map((row) => row.base?.root_span_id)).size, 1, 'one base case for all seven');
    assert.ok(repeated.every((row) => row.base?.shared_with === 6));
    assert.ok(rows.filter((row) => row.input !== seeded.repeated).every((row) => row.base?.shared_with === 0));
    // Narrowed to some rows, each still counts every row of the experiment.
    const improved = await rowsOf('?score=llm_judge&change=improved');
    const regressed = await rowsOf('?score=llm_judge&change=regressed');
    assert.equal(regressed.filter((row) => row.input === seeded.repeated).length, 7, 'llm_judge 0.75 → 0 on the repeated query');
    for (const row of [...improved, ...regressed]) assert.equal(row.base?.shared_with, row.input === seeded.repeated ? 6 : 0);
  });

  for (const size of WINDOWS) {
    describe(`in a ${size.width}×${size.height} window`, () => {
      let page: Page;
      let close: () => Promise<void>;
      let problems: string[];

      before(async () => {
        const viewer = await openViewerPage(browser, size);
        page = viewer.page;
        problems = viewer.problems;
        close = () => viewer.context.close();
        await page.goto(`${store.url}/ui/experiments#token=${TOKEN}`);
      });
      after(() => close?.());
      afterEach(function () {
        if (this.currentTest?.state === 'passed') assert.deepEqual(problems, []);
      });

      const screenshot = async (name: string): Promise<void> => {
        const path = join(store.screenshotDir, `${name}-${size.width}x${size.height}.png`);
        await page.screenshot({ path });
        process.stdout.write(`        screenshot: ${path}\n`);
      };

      it('fits the list of experiments in the window, the duration labelled as a mean per case', async () => {
        await page.goto(`${store.url}/ui/experiments`);
        await page.locator('.experiment-list-page:not([aria-busy])').waitFor();
        await screenshot('experiment-list');
        const { pageWidth, windowWidth } = await pageGeometry(page);
        assert.ok(pageWidth <= windowWidth, `the page is ${pageWidth} px wide in a ${windowWidth} px window`);
        const scroller = page.locator('.experiment-list-page .table-scroll');
        assert.ok(Math.abs((await width(scroller)) - (await width(page.locator('.experiment-list-page .page-head')))) < 1, 'the table is as wide as the page');
        assert.equal(await page.locator('th.duration-column').textContent(), 'Duration (mean per case)');
        if (size.width >= 1400) {
          // Eight scores fit at 1400 px: nothing to scroll.
          const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
          assert.ok(scrollWidth <= clientWidth, `the table needs ${scrollWidth} px of ${clientWidth}`);
        }
        const name = page.locator(`tr[data-experiment-id="${seeded.candidate}"] .trace-link`);
        assert.equal(await name.getAttribute('title'), 'Production Healthcare Cases-live-claude-sonnet-4-5-iter6-tok4096', 'a clamped name is whole in its tooltip');
      });

      it('fits the experiment page in the window: the header as wide as the table, the texts with room, three lines and a tooltip', async () => {
        await page.goto(`${store.url}/ui/experiments/${seeded.candidate}`);
        await page.locator('.experiment-page').waitFor();
        await screenshot('experiment');
        const { pageWidth, windowWidth } = await pageGeometry(page);
        assert.ok(pageWidth <= windowWidth, `the page is ${pageWidth} px wide in a ${windowWidth} px window`);
        const scroller = page.locator('.experiment-page .table-scroll');
        const headerWidth = await width(page.locator('.experiment-head'));
        assert.ok(Math.abs(headerWidth - (await width(scroller))) < 1, 'header and table are equally wide');
        assert.ok(headerWidth >= windowWidth - 60, `the header spans the page (${headerWidth} px)`);

        const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
        if (size.width >= 1400) assert.ok(scrollWidth <= clientWidth, `at ${size.width} px the table fits (${scrollWidth} of ${clientWidth} px)`);
        else {
          // Too narrow for three texts and eight scores: the table scrolls inside its box, a keyboard-focusable region.
          assert.ok(scrollWidth > clientWidth);
          assert.equal(await scroller.getAttribute('tabindex'), '0');
          assert.equal(await scroller.getAttribute('role'), 'region');
          await scroller.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
          const inputCell = page.locator('tr.case-row td.case-input').first();
          const scrollerBox = await scroller.boundingBox();
          const inputBox = await inputCell.boundingBox();
          assert.ok(scrollerBox && inputBox && Math.abs(inputBox.x - scrollerBox.x) < 2, 'the input column stays in view');
          await screenshot('experiment-scrolled');
          await scroller.evaluate((el) => { el.scrollLeft = 0; });
        }

        const firstRow = page.locator('tr.case-row').first();
        for (const column of ['case-input', 'case-output', 'case-expected']) {
          const cell = firstRow.locator(`td.${column}`);
          assert.ok((await width(cell)) >= 170, `${column} is ${await width(cell)} px wide`);
        }
        // Three lines of each text, the rest in its tooltip.
        const output = firstRow.locator('td.case-output .clamped');
        const full = await output.getAttribute('title');
        assert.ok(full?.startsWith('## Assessment') && full.length > 200, 'the tooltip has the text as the API gives it');
        const lines = await output.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
        assert.ok(lines > 2.5 && lines < 3.5, `${lines} lines shown`);
        const inputs = await page.locator('tr.case-row td.case-input .trace-link').evaluateAll((links) => links.map((link) => ({ title: link.getAttribute('title'), text: link.textContent })));
        assert.ok(inputs.every(({ title, text }) => title === text), 'each input whole in its tooltip');

        // "Expand texts": every text whole, from one button.
        const expand = page.locator('button.expand-texts');
        assert.equal(await expand.getAttribute('aria-pressed'), 'false');
        await expand.click();
        assert.equal(await expand.getAttribute('aria-pressed'), 'true');
        const expanded = await output.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
        assert.ok(expanded > 6, `${expanded} lines when expanded`);
        await expand.click();
        assert.equal(await expand.getAttribute('aria-pressed'), 'false');
      });

      it('marks the rows whose base case other rows share', async () => {
        const notes = page.locator('tr.case-row .shared-base');
        assert.equal(await notes.count(), 7);
        assert.deepEqual(new Set(await notes.allInnerTexts()), new Set(['base case shared with 6 other rows']));
        assert.match((await notes.first().getAttribute('title')) ?? '', /this experiment has 7 rows with it, and each is compared with that same base case/);
        const marked = await page.locator('tr.case-row').evaluateAll((rows) =>
          rows.map((row) => [row.querySelector('.case-input .trace-link')?.textContent ?? '', row.querySelector('.shared-base') !== null] as const),
        );
        for (const [input, shared] of marked) assert.equal(shared, input === seeded.repeated, input);
        // A narrowed page still says so.
        await page.goto(`${store.url}/ui/experiments/${seeded.candidate}?score=llm_judge&order=asc&change=regressed`);
        await page.locator('.experiment-page').waitFor();
        const regressedRepeated = page.locator('tr.case-row', { hasText: seeded.repeated });
        assert.equal(await regressedRepeated.count(), 7, 'llm_judge 0.75 → 0 on the repeated query');
        assert.equal(await regressedRepeated.first().locator('.shared-base').innerText(), 'base case shared with 6 other rows');
      });
    });
  }
});
