// The trace viewer in Debian's Chromium (playwright-core), against an in-process store with a
// token, seeded through the real braintrust SDK: the list and its filters, a trace's tree
// (collapse, expand, keyboard), the details pane, the waterfall (parallel tool calls overlap; a
// screenshot's pixels show the bars), the token dialog, and `tracemesh trace <id> --open`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { countColour, decodePng, rgbOf, type Rectangle } from './png-pixels.js';
import {
  launchChromium,
  openViewerPage,
  REPO_ROOT,
  seedConversations,
  startViewerStore,
  type SeededTraces,
  type ViewerPage,
  type ViewerStore,
} from './viewer-harness.js';

const TOKEN = 'viewer-browser-secret';

// The bar colours of viewer.css, one per span kind.
const BAR_COLOURS = { task: '#2563eb', llm: '#7c3aed', tool: '#d97706', function: '#0d9488', rpc: '#64748b' } as const;

const THIRST_SPANS = [
  'client_conversation', 'client_turn', 'tracemesh.conversation.v1.ConversationService/StreamChat', 'server_process_turn',
  'claude_messages_create', 'worker_execute_tool', 'calculate_clinical_metrics', 'search_medical_knowledge', 'check_medications',
];

async function listedTraceIds(page: Page): Promise<string[]> {
  await page.locator('.list-page:not([aria-busy])').waitFor();
  return page.locator('tr.trace-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-root-span-id') ?? ''));
}

function spanRow(page: Page, name: string, nth = 0): Locator {
  return page.locator(`.span-row[data-span-name="${name}"]`).nth(nth);
}

async function visibleSpanNames(page: Page): Promise<string[]> {
  return page.locator('.span-row:not([hidden])').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-name') ?? ''));
}

async function box(locator: Locator): Promise<Rectangle> {
  const found = await locator.boundingBox();
  assert.ok(found, 'the element is rendered');
  return found;
}

function runCli(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BRAINTRUST_') && !key.startsWith('TRACESTORE_')) childEnv[key] = value;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'clients/node/cli/main.ts', ...args], { cwd: REPO_ROOT, env: { ...childEnv, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('trace viewer in headless Chromium', function () {
  this.timeout(120_000);
  let store: ViewerStore;
  let seeded: SeededTraces;
  let browser: Browser;
  let viewer: ViewerPage;
  let page: Page;

  before(async () => {
    store = await startViewerStore(TOKEN);
    [seeded, browser] = await Promise.all([seedConversations(store), launchChromium()]);
    viewer = await openViewerPage(browser);
    page = viewer.page;
  });
  after(async () => {
    await browser?.close();
    await store?.dispose();
  });
  afterEach(function () {
    // Every step must leave the page free of script errors.
    if (this.currentTest?.state === 'passed') assert.deepEqual(viewer.problems, []);
  });

  it('lists the recent conversations newest first, with their summary, taking the token from the fragment', async () => {
    await page.goto(`${store.url}/ui/#token=${TOKEN}`);
    assert.deepEqual(await listedTraceIds(page), [seeded.grpcurl, seeded.failing, seeded.healthy, seeded.thirst]);
    assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');

    const thirst = page.locator(`tr[data-root-span-id="${seeded.thirst}"]`);
    const cells = await thirst.locator('td').allInnerTexts();
    assert.match(cells[1] ?? '', /45-year-old female patient/);
    assert.equal(cells[2], '2', 'turns');
    assert.match(cells[3] ?? '', /^\d+ ms$/, 'duration');
    assert.equal(cells[4], '4', 'tools');
    assert.match(cells[5] ?? '', /health_risk\s*0\.35/);
    assert.equal(cells[6], 'ok');
    assert.match(await page.locator(`tr[data-root-span-id="${seeded.failing}"] .status-pill`).innerText(), /2 errors/);
    // A caller with only traceparent: its top is the server's RPC span, its query the turn's message.
    assert.match(await page.locator(`tr[data-root-span-id="${seeded.grpcurl}"] .trace-link`).innerText(), /what is his BMI/);
    assert.match(await page.locator(`tr[data-root-span-id="${seeded.grpcurl}"] .trace-sub`).innerText(), /ConversationService\/Chat/);
  });

  it('narrows the list by text and by a score threshold, keeping the filters in the URL', async () => {
    await page.fill('#filter-text', 'METFORMIN');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\?q=METFORMIN$/);
    assert.deepEqual(await listedTraceIds(page), [seeded.thirst], 'a tool input mentions metformin');

    await page.click('text=Clear');
    await page.waitForURL(/\/ui\/$/);
    await page.fill('#filter-score-name', 'health_risk');
    await page.selectOption('#filter-score-op', 'lt');
    await page.fill('#filter-score-value', '0.5');
    await page.click('button[type="submit"]');
    await page.waitForURL(/score=health_risk&op=lt&value=0\.5/);
    assert.deepEqual(await listedTraceIds(page), [seeded.thirst], 'health_risk < 0.5');

    await page.selectOption('#filter-score-op', 'ge');
    await page.fill('#filter-score-value', '0.7');
    await page.click('button[type="submit"]');
    assert.deepEqual(await listedTraceIds(page), [seeded.grpcurl, seeded.failing, seeded.healthy], 'health_risk ≥ 0.7');

    await page.fill('#filter-text', 'nothing mentions this');
    await page.click('button[type="submit"]');
    assert.deepEqual(await listedTraceIds(page), []);
    assert.match(await page.locator('.status-message').innerText(), /No conversations match/);

    await page.goBack();
    assert.deepEqual(await listedTraceIds(page), [seeded.grpcurl, seeded.failing, seeded.healthy], 'history goes back to the previous filter');
    await page.click('text=Clear');
    assert.equal((await listedTraceIds(page)).length, 4);
  });

  it('opens a trace from the list and shows its spans as a tree', async () => {
    await page.locator(`tr[data-root-span-id="${seeded.thirst}"] td.numeric`).first().click();
    await page.waitForURL(new RegExp(`/ui/trace/${seeded.thirst}`));
    await page.locator('.trace-page').waitFor();
    assert.match(await page.locator('.trace-head h1').innerText(), /client_conversation$/);
    const names = await visibleSpanNames(page);
    for (const name of THIRST_SPANS) assert.ok(names.includes(name), `${name} is in the tree`);
    assert.equal(names[0], 'client_conversation');
    assert.equal(names.filter((n) => n === 'calculate_clinical_metrics').length, 2, 'one per turn');
    assert.equal(await spanRow(page, 'client_conversation').getAttribute('data-depth'), '0');
    assert.equal(await spanRow(page, 'calculate_clinical_metrics').getAttribute('data-depth'), '5', 'conversation → turn → rpc → server → worker → tool');
    const kinds = Object.fromEntries(await page.locator('.span-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-span-name'), row.getAttribute('data-kind')])));
    assert.deepEqual(
      [kinds.client_conversation, kinds.claude_messages_create, kinds.calculate_clinical_metrics, kinds.worker_execute_tool, kinds['tracemesh.conversation.v1.ConversationService/StreamChat']],
      ['task', 'llm', 'tool', 'function', 'rpc'],
    );
    assert.equal(await spanRow(page, 'tracemesh.conversation.v1.ConversationService/StreamChat').locator('.span-label').innerText(), 'StreamChat');
  });

  it('collapses and expands a node (by mouse and keyboard), and everything at once', async () => {
    const all = (await visibleSpanNames(page)).length;
    const server = spanRow(page, 'server_process_turn');
    await server.locator('.toggle').click();
    assert.equal(await server.locator('.toggle').getAttribute('aria-expanded'), 'false');
    let names = await visibleSpanNames(page);
    assert.equal(names.length, all - 8, 'the first turn\'s two model calls, three workers and three tools are hidden');
    assert.ok(names.includes('calculate_clinical_metrics'), 'the second turn is still open');
    await server.locator('.toggle').press('Enter');
    assert.equal((await visibleSpanNames(page)).length, all);

    await page.click('#collapse-all');
    names = await visibleSpanNames(page);
    assert.deepEqual(names, ['client_conversation', 'client_turn', 'client_turn'], 'only the root\'s children stay');
    await page.click('#expand-all');
    assert.equal((await visibleSpanNames(page)).length, all);

    // Keyboard: arrows move between spans; left collapses, right expands.
    await spanRow(page, 'client_conversation').locator('.span-select').focus();
    await page.keyboard.press('ArrowDown');
    const focusedName = (): Promise<string | null> => page.evaluate(() => document.activeElement?.closest('.span-row')?.getAttribute('data-span-name') ?? null);
    assert.equal(await focusedName(), 'client_turn');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await visibleSpanNames(page)).length, all - 10, 'the first turn folds (its rpc, server and their 8 spans)');
    await page.keyboard.press('ArrowRight');
    assert.equal((await visibleSpanNames(page)).length, all);
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedName(), 'tracemesh.conversation.v1.ConversationService/StreamChat');
    assert.match(await page.locator('.span-details h2').innerText(), /ConversationService\/StreamChat/, 'moving selects');
  });

  it('shows the selected span\'s input, output, scores, metadata and ids', async () => {
    await spanRow(page, 'calculate_clinical_metrics').click();
    const details = page.locator('.details-pane .span-details');
    assert.match(await details.locator('h2').innerText(), /calculate_clinical_metrics/);
    assert.match(await details.locator('.section-input pre').innerText(), /"height": 64/);
    assert.match(await details.locator('.section-output pre').innerText(), /"bmi": \{\s*"value": 30\.9/);
    const scores = await details.locator('.section-scores tr').allInnerTexts();
    assert.deepEqual(scores.map((row) => row.replace(/\s+/g, ' ').trim()), ['health_risk 0.3', 'bmi_risk 0.3']);
    assert.equal(await details.locator('.section-metrics').getAttribute('open'), null, 'metadata and metrics start folded');
    await details.locator('.section-metrics summary').click();
    assert.match(await details.locator('.section-metrics pre').innerText(), /"start": \d+\.\d+/);
    assert.match(await details.locator('.section-ids').innerText(), new RegExp(seeded.thirst));
    assert.match(page.url(), /#span=[0-9a-f]{16}$/, 'the selection is in the URL');

    // The details of a plain string output show the text itself; sections collapse.
    await spanRow(page, 'claude_messages_create').click();
    assert.match(await details.locator('.section-output pre').innerText(), /"text": "Let me run the tools\."/);
    await details.locator('.section-input summary').click();
    assert.equal(await details.locator('.section-input').getAttribute('open'), null);
  });

  it('highlights failed spans and shows their error', async () => {
    await page.goto(`${store.url}/ui/trace/${seeded.failing}`);
    await page.locator('.trace-page').waitFor();
    const failed = spanRow(page, 'no_such_tool');
    assert.match((await failed.getAttribute('class')) ?? '', /\bfailed\b/);
    assert.match((await failed.locator('.bar').getAttribute('class')) ?? '', /\bfailed\b/);
    await failed.click();
    assert.match(await page.locator('.details-pane .error-box').innerText(), /NOT_FOUND: unknown tool "no_such_tool"/);
    assert.match(await page.locator('.trace-facts').innerText(), /Errors\s+2/i);
  });

  it('draws the waterfall: parallel tool calls overlap, and the screenshot shows the bars', async () => {
    await page.goto(`${store.url}/ui/trace/${seeded.thirst}`);
    await page.locator('.trace-page').waitFor();

    // The first turn's three tool calls ran at once: their bars overlap horizontally.
    const toolBars = await Promise.all(['calculate_clinical_metrics', 'search_medical_knowledge', 'check_medications'].map((name) => box(spanRow(page, name).locator('.bar'))));
    const latestStart = Math.max(...toolBars.map((b) => b.x));
    const earliestEnd = Math.min(...toolBars.map((b) => b.x + b.width));
    assert.ok(latestStart < earliestEnd, `the three tool bars overlap (${latestStart.toFixed(1)} < ${earliestEnd.toFixed(1)})`);
    const workers = await Promise.all([0, 1, 2].map((nth) => box(spanRow(page, 'worker_execute_tool', nth).locator('.bar'))));
    assert.ok(Math.max(...workers.map((b) => b.x)) < Math.min(...workers.map((b) => b.x + b.width)), 'so do their workers');
    // Sequential steps do not: the second model call starts after the tools end.
    const secondModel = await box(spanRow(page, 'claude_messages_create', 1).locator('.bar'));
    assert.ok(secondModel.x >= earliestEnd - 1, 'the answer comes after the tool results');
    // Bars are placed in time: the root spans the whole lane, children inside it.
    const rootBar = await box(spanRow(page, 'client_conversation').locator('.bar'));
    const lane = await box(spanRow(page, 'client_conversation').locator('.lane'));
    assert.ok(Math.abs(rootBar.x - lane.x) < 1 && Math.abs(rootBar.width - lane.width) < 1, 'the root bar fills the lane');

    const png = await page.screenshot({ fullPage: true });
    const screenshotPath = join(store.screenshotDir, 'trace-waterfall.png');
    writeFileSync(screenshotPath, png);
    process.stdout.write(`      screenshot: ${screenshotPath}\n`);

    const image = decodePng(png);
    const rows = await box(page.locator('.span-rows'));
    const waterfall: Rectangle = { x: lane.x, y: rows.y, width: lane.width, height: rows.height };
    for (const [kind, hex] of Object.entries(BAR_COLOURS)) {
      const bars = await page.locator(`.span-row .bar.kind-${kind}:not(.failed)`).evaluateAll((elements) =>
        elements.map((element) => {
          const rect = element.getBoundingClientRect();
          return rect.width * rect.height;
        }),
      );
      const expectedArea = bars.reduce((sum, area) => sum + area, 0);
      const painted = countColour(image, rgbOf(hex), waterfall);
      assert.ok(expectedArea > 0, `the trace has ${kind} bars`);
      assert.ok(painted >= expectedArea * 0.8, `${kind} bars are painted: ${painted} px of ${hex} for ${expectedArea.toFixed(0)} px of bars`);
    }
  });

  it('prints the trace\'s URL with `tracemesh trace <id> --open`, and that URL shows the trace', async () => {
    const { stdout, stderr } = await runCli(['trace', seeded.healthy, '--open'], { TRACESTORE_URL: store.url, TRACESTORE_TOKEN: TOKEN });
    assert.equal(stdout, `${store.url}/ui/trace/${seeded.healthy}\n`);
    assert.match(stderr, /requires TRACESTORE_TOKEN/);
    await page.goto(stdout.trim());
    await page.locator('.trace-page').waitFor();
    assert.match(await page.locator('.trace-query').innerText(), /routine check-up/);
    const braintrust = await runCli(['trace', seeded.healthy, '--open'], { BRAINTRUST_API_KEY: 'sk-test', BRAINTRUST_PROJECT: 'clinic' });
    assert.match(braintrust.stdout, /Braintrust UI: project "clinic"/);
  });

  it('asks for the token when the page has none, rejects a wrong one and retries with the right one', async () => {
    const fresh = await openViewerPage(browser);
    try {
      await fresh.page.goto(`${store.url}/ui/trace/${seeded.thirst}`);
      const dialog = fresh.page.locator('#token-dialog');
      await dialog.waitFor({ state: 'visible' });
      await fresh.page.fill('#token-input', 'not-the-token');
      await fresh.page.click('#token-dialog button[value="save"]');
      await fresh.page.locator('#token-error').waitFor({ state: 'visible' });
      await fresh.page.fill('#token-input', TOKEN);
      await fresh.page.click('#token-dialog button[value="save"]');
      await fresh.page.locator('.trace-page').waitFor();
      assert.ok((await visibleSpanNames(fresh.page)).includes('server_process_turn'));
      // The browser reports the refused requests; nothing else went wrong.
      assert.deepEqual(fresh.problems.filter((problem) => !/status of 401/.test(problem)), []);
    } finally {
      await fresh.context.close();
    }
  });
});
