// The viewer on real traffic: turns run through the shared mesh (three processes, the offline
// model; its trace store process serves the viewer), then looked at in headless Chromium. One
// turn from a traced client (client_conversation root) makes two tool calls; one from a
// caller with only `traceparent` has the server's RPC span as its top.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { Browser, Page } from 'playwright-core';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import { spanEnd, spanStart } from '../../clients/node/span-fields.js';
import { TracedConversation } from '../../clients/node/traced-conversation.js';
import { ConversationServiceClient as RawConversationClient } from '../../lib/grpc/protos.js';
import { sharedMesh, type SharedMesh } from '../helpers/shared-mesh.js';
import { named, waitForSpans } from '../helpers/trace-rows.js';
import { launchChromium, openViewerPage, type ViewerPage } from './viewer-harness.js';

// The seed's drawn spans, as the walking skeleton names them.
const DRAWN = ['client_conversation', 'client_turn', 'server_process_turn', 'claude_messages_create', 'worker_execute_tool', 'calculate_clinical_metrics'];

// Lowercase letters only, so PHI redaction leaves it alone: finds this run's turns in the list.
function marker(): string {
  return `viewer${[...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;
}

describe('trace viewer on turns run through the mesh', function () {
  this.timeout(120_000);
  let shared: SharedMesh;
  let browser: Browser;
  let viewer: ViewerPage;
  let page: Page;
  let storeUrl: string;
  const runMarker = marker();

  before(async () => {
    [shared, browser] = await Promise.all([sharedMesh(), launchChromium()]);
    storeUrl = shared.mesh.tracestoreUrl ?? '';
    assert.ok(storeUrl, 'the shared mesh runs the local trace store');
    viewer = await openViewerPage(browser);
    page = viewer.page;
  });
  after(async () => {
    await browser?.close();
  });

  it('shows a traced turn\'s spans from every process, each tool call drawn where it ran', async () => {
    const client = createConversationClient(shared.mesh.conversationTarget);
    const conversation = new TracedConversation(client);
    try {
      await conversation.turn(
        `Two patients (${runMarker}): [[call calculate_clinical_metrics {"height": 64, "weight": 180}]] ` +
          '[[call calculate_clinical_metrics {"height": 70, "weight": 150}]]',
      );
    } finally {
      conversation.finish();
      client.close();
    }
    await shared.tracing.flush();
    const rows = await waitForSpans(conversation.rootSpanId, { client_conversation: 1, server_process_turn: 1, claude_messages_create: 2, worker_execute_tool: 2, calculate_clinical_metrics: 2 });

    await page.goto(`${storeUrl}/ui/trace/${conversation.rootSpanId}`);
    await page.locator('.trace-page').waitFor();
    const names = await page.locator('.span-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-name') ?? ''));
    for (const name of DRAWN) assert.ok(names.includes(name), `${name} is in the tree`);
    assert.ok(names.includes('tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool'), 'with the RPC spans between the processes');
    const services = await page.locator('.span-row[data-kind="rpc"] .span-context').allInnerTexts();
    for (const service of ['test-client', 'conversation', 'toolworker']) assert.ok(services.some((text) => text.endsWith(service)), `spans from ${service}`);

    // The waterfall puts each call at its own start and length on the turn's time scale: calls that
    // ran at once overlap, and a call that started as its block streamed in sits where it started.
    const barsOf = (name: string): Promise<{ left: number; right: number }[]> =>
      page.locator(`.span-row[data-span-name="${name}"] .bar`).evaluateAll((bars) =>
        bars.map((bar) => {
          const rect = bar.getBoundingClientRect();
          return { left: rect.left, right: rect.right };
        }),
      );
    const timesOf = (name: string): { start: number; end: number }[] =>
      named(rows, name).map((row) => ({ start: spanStart(row) ?? NaN, end: spanEnd(row) ?? NaN }));
    const [turnBar] = await barsOf('server_process_turn');
    const [turn] = timesOf('server_process_turn');
    assert.ok(turnBar && turn && turn.end > turn.start);
    const pxPerSecond = (turnBar.right - turnBar.left) / (turn.end - turn.start);
    const workerBars = (await barsOf('worker_execute_tool')).sort((a, b) => a.left - b.left);
    const workerTimes = timesOf('worker_execute_tool').sort((a, b) => a.start - b.start);
    assert.equal(workerBars.length, 2);
    workerTimes.forEach((call, i) => {
      const bar = workerBars[i] as { left: number; right: number };
      const expectedLeft = turnBar.left + (call.start - turn.start) * pxPerSecond;
      const expectedRight = turnBar.left + (call.end - turn.start) * pxPerSecond;
      assert.ok(Math.abs(bar.left - expectedLeft) < 1 && Math.abs(bar.right - expectedRight) < 1, `call ${i + 1} drawn at ${JSON.stringify(bar)}, ran at ${expectedLeft.toFixed(1)}–${expectedRight.toFixed(1)}`);
    });

    await page.locator('.span-row[data-span-name="calculate_clinical_metrics"]').first().click();
    assert.match(await page.locator('.details-pane .section-scores').innerText(), /health_risk/);
    const screenshotPath = join(shared.dataDir, 'viewer-mesh-trace.png');
    writeFileSync(screenshotPath, await page.screenshot({ fullPage: true }));
    process.stdout.write(`      screenshot: ${screenshotPath}\n`);
    assert.deepEqual(viewer.problems, []);
  });

  it('lists a caller\'s trace that came with only traceparent, found by searching its text', async () => {
    const traceId = randomBytes(16).toString('hex');
    const raw = new RawConversationClient(shared.mesh.conversationTarget, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    try {
      await streamTurn(raw, `A 50-year-old man, 180 cm, 90 kg (${runMarker}): what is his BMI?`, { metadata });
    } finally {
      raw.close();
    }
    await waitForSpans(traceId, { server_process_turn: 1, claude_messages_create: 1 });

    await page.goto(`${storeUrl}/ui/?q=${runMarker}`);
    await page.locator('.list-page:not([aria-busy])').waitFor();
    const listed = await page.locator('tr.trace-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-root-span-id')));
    assert.equal(listed.length, 2, 'both of this run\'s traces, nothing else');
    assert.equal(listed[0], traceId, 'the newest first');
    const row = page.locator(`tr[data-root-span-id="${traceId}"]`);
    assert.match(await row.locator('.trace-link').innerText(), new RegExp(`${runMarker}.*what is his BMI`));
    assert.match(await row.locator('.trace-sub').innerText(), /ConversationService\/StreamChat/);
    await row.locator('.trace-link').click();
    await page.locator('.trace-page').waitFor();
    assert.match(await page.locator('.trace-head h1').innerText(), /ConversationService\/StreamChat/);
    assert.deepEqual(viewer.problems, []);
  });
});
