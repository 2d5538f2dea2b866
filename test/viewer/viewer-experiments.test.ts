// The viewer's experiments section against an in-process store with a token, seeded through the
// real braintrust SDK (fixtures/run-experiments.ts: Eval run twice, the second compared with the
// first): the list and one experiment over HTTP (means, deltas, improvements and regressions,
// rows beside their base cases, sort and filter, 404s and 400s), a case's trace read in its
// experiment, and both pages in Debian's Chromium (playwright-core), with the header's links.
//
// The scores the fixture gives (length, structure), by case:
//   baseline   thirst .25/1   pressure .5/.5   checkup .75/0   crash .5/1
//   candidate  thirst 1/.5    pressure .75/1   checkup .25/0   crash 0/0 (its task throws)   new 1/1
// The runs only partly overlap: the crashed case failed (left out, as `tracemesh eval` leaves it
// out) and the new case has no base, so the comparison is over thirst, pressure and checkup:
//   length: mean .75 over the cases that ran; +1/6 (+.75 +.25 −.5: thirst and pressure up, checkup down)
//   structure: mean .625; ±0 (−.5 +.5 0: pressure up, thirst down, checkup unchanged)
// — not the difference of the two runs' means over all their cases (+.1 and −.125).
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { compareWithBaseline, type ComparableCase } from '../../clients/node/evals/baseline-comparison.js';
import type { ScoreSummary } from '../../services/tracestore/store/summaries.js';
import type { ExperimentRow, ExperimentSummary } from '../../services/tracestore/viewer/experiment-results.js';
import {
  getJson,
  launchChromium,
  openViewerPage,
  seedExperiments,
  startViewerStore,
  type SeededExperiments,
  type ViewerPage,
  type ViewerStore,
} from './viewer-harness.js';

const TOKEN = 'viewer-experiments-secret';

interface ExperimentList {
  project: { id: string; name: string } | null;
  experiments: ExperimentSummary[];
  next_cursor: string | null;
}

interface ExperimentAnswer {
  project: { id: string; name: string };
  experiment: ExperimentSummary;
  score_names: string[];
  sort: { score?: string; order: string; change?: string };
  rows: ExperimentRow[];
  matching_rows: number;
  truncated: boolean;
}

const QUERY = {
  thirst: 'A 45-year-old woman with fatigue and increased thirst. What should I evaluate?',
  pressure: 'A 60-year-old man on lisinopril, blood pressure 150/95. Next steps?',
  checkup: 'A 30-year-old woman, 165 cm, 60 kg, routine check-up.',
  crash: 'A question whose candidate run crashes.',
  new: 'A 52-year-old woman, HbA1c 7.2 %. What now?',
} as const;

function near(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≈ ${expected}`);
}

function rowOf(answer: ExperimentAnswer, query: string): ExperimentRow {
  const row = answer.rows.find((r) => r.input === query);
  assert.ok(row, `a row for "${query}"`);
  return row;
}

describe('trace viewer: experiments', function () {
  this.timeout(120_000);
  let store: ViewerStore;
  let seeded: SeededExperiments;
  let browser: Browser;

  const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const answer = await getJson(`${store.url}${path}`, TOKEN);
    return { status: answer.status, body: answer.body as T };
  };
  const experimentJson = async (id: string, query = ''): Promise<ExperimentAnswer> => {
    const answer = await api<ExperimentAnswer>(`/ui/api/experiments/${id}${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };

  before(async () => {
    store = await startViewerStore(TOKEN);
    [seeded, browser] = await Promise.all([seedExperiments(store), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await store?.dispose();
  });

  describe('over HTTP', () => {
    it('lists the project\'s experiments newest first, each score\'s mean and its change against the base', async () => {
      const { status, body } = await api<ExperimentList>('/ui/api/experiments');
      assert.equal(status, 200);
      assert.equal(body.project?.name, 'tracemesh');
      assert.deepEqual(body.experiments.map((e) => e.name), ['candidate', 'baseline']);
      assert.equal(body.next_cursor, null);
      const [candidate, baseline] = body.experiments as [ExperimentSummary, ExperimentSummary];

      assert.equal(candidate.id, seeded.candidate);
      assert.equal(candidate.row_count, 5);
      assert.deepEqual(candidate.base, { id: seeded.baseline, name: 'baseline' }, 'the store made the earlier run the base');
      assert.deepEqual(candidate.metadata, { dataset: 'Viewer Cases', mode: 'logged' });
      const { length, structure } = candidate.scores;
      near(length?.score, 0.75, 'length mean over the cases that ran');
      near(length?.diff, 1 / 6, 'length: mean change over the shared cases');
      assert.deepEqual([length?.improvements, length?.regressions], [2, 1], 'length: thirst and pressure up, checkup down (crash failed: not compared)');
      near(structure?.score, 0.625, 'structure mean over the cases that ran');
      near(structure?.diff, 0, 'structure: mean change over the shared cases');
      assert.deepEqual([structure?.improvements, structure?.regressions], [1, 1], 'structure: pressure up, thirst down');
      assert.equal(typeof candidate.metrics.duration?.metric, 'number');

      assert.equal(baseline.row_count, 4);
      assert.equal(baseline.base, null);
      near(baseline.scores.length?.score, 0.5, 'baseline length mean');
      near(baseline.scores.structure?.score, 0.625, 'baseline structure mean');
      assert.equal(baseline.scores.length?.diff, undefined, 'no base, no delta');
    });

    it('gives the same comparison as the endpoint Eval\'s summary reads', async () => {
      const list = await api<ExperimentList>('/ui/api/experiments');
      const candidate = list.body.experiments[0]!;
      const sdk = await api<{ scores: Record<string, ScoreSummary> }>(`/experiment-comparison2?experiment_id=${seeded.candidate}&base_experiment_id=${seeded.baseline}`);
      assert.deepEqual(candidate.scores, sdk.body.scores);
    });

    it('gives the numbers `tracemesh eval` computes for the same cases (one comparison, lib/evals/case-comparison.ts)', async () => {
      // The fixture's cases as the CLI reads a run and its baseline; the crashed case failed.
      const comparable = (scores: Record<string, [number, number]>, failed: string[] = []): ComparableCase[] =>
        Object.entries(scores).map(([name, [length, structure]]) => ({ input: { patient_query: QUERY[name as keyof typeof QUERY] }, scores: { length, structure }, failed: failed.includes(name) }));
      const cli = compareWithBaseline(
        'baseline',
        comparable({ thirst: [1, 0.5], pressure: [0.75, 1], checkup: [0.25, 0], crash: [0, 0], new: [1, 1] }, ['crash']),
        comparable({ thirst: [0.25, 1], pressure: [0.5, 0.5], checkup: [0.75, 0], crash: [0.5, 1] }),
        ['length', 'structure'],
      );
      assert.equal(cli.sharedCases, 3, 'partly overlapping runs');
      const list = await api<ExperimentList>('/ui/api/experiments');
      const page = await experimentJson(seeded.candidate);
      for (const viewed of [list.body.experiments[0]!.scores, page.experiment.scores]) {
        for (const name of ['length', 'structure']) {
          const [store, own] = [viewed[name], cli.scorers[name]];
          near(store?.diff, own?.diff ?? Number.NaN, `${name} diff`);
          assert.deepEqual([store?.improvements, store?.regressions], [own?.improvements, own?.regressions], name);
        }
      }
    });

    it('pages through the experiments with a cursor', async () => {
      const first = await api<ExperimentList>('/ui/api/experiments?limit=1');
      assert.deepEqual(first.body.experiments.map((e) => e.name), ['candidate']);
      assert.ok(first.body.next_cursor);
      const second = await api<ExperimentList>(`/ui/api/experiments?limit=1&project=${first.body.project!.id}&cursor=${first.body.next_cursor}`);
      assert.deepEqual(second.body.experiments.map((e) => e.name), ['baseline']);
      assert.equal(second.body.next_cursor, null);
    });

    it('returns an experiment\'s rows in run order, each with its base case\'s scores (matched by input)', async () => {
      const answer = await experimentJson(seeded.candidate);
      assert.equal(answer.project.name, 'tracemesh');
      assert.equal(answer.experiment.name, 'candidate');
      assert.deepEqual(answer.score_names, ['length', 'structure']);
      assert.deepEqual(answer.sort, { order: 'asc' });
      assert.equal(answer.rows.length, 5);
      assert.equal(answer.matching_rows, 5);
      assert.equal(answer.truncated, false);
      const starts = answer.rows.map((row) => row.started ?? Number.NaN);
      assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'run order: by start time');

      const thirst = rowOf(answer, QUERY.thirst);
      assert.deepEqual(thirst.scores, { length: 1, structure: 0.5 });
      assert.deepEqual(thirst.base?.scores, { length: 0.25, structure: 1 });
      assert.equal(thirst.output, 'candidate answer to thirst');
      assert.equal(thirst.expected, 'Logged answer to thirst', 'expected.final_response read as text');
      assert.equal(thirst.scored_trace, seeded.conversations.thirst, 'the conversation the case was scored on');
      assert.equal(thirst.error, null);

      const crash = rowOf(answer, QUERY.crash);
      assert.equal(crash.error, 'the model service was unavailable', 'the first line of the error, not the stack');
      assert.deepEqual(crash.scores, {}, 'a crash is not scored (its SDK scores of 0 say nothing of the answer), so it is not compared');
      assert.deepEqual(crash.base?.scores, { length: 0.5, structure: 1 }, 'its base case is still shown');
      assert.equal(crash.scored_trace, null);

      assert.equal(thirst.base?.shared_with, 0, 'no other row has its input');
      const added = rowOf(answer, QUERY.new);
      assert.equal(added.base, null, 'the base has no case with this input');

      // The base's rows are its own cases, whose traces are its own.
      const baseline = await experimentJson(seeded.baseline);
      assert.equal(thirst.base?.root_span_id, rowOf(baseline, QUERY.thirst).root_span_id);
      assert.ok(baseline.rows.every((row) => row.base === null), 'an experiment without a base');
    });

    it('marks rows so that they add up to the improvements and regressions counted for the experiment', async () => {
      const answer = await experimentJson(seeded.candidate);
      for (const name of answer.score_names) {
        const summary = answer.experiment.scores[name]!;
        const moved = (sign: number) => answer.rows.filter((row) => row.base?.scores[name] !== undefined && Math.sign(row.scores[name]! - row.base.scores[name]!) === sign).length;
        assert.deepEqual([moved(1), moved(-1)], [summary.improvements, summary.regressions], name);
      }
    });

    it('sorts the rows by a score, lowest or highest first, and keeps those it regressed or improved', async () => {
      const lowest = await experimentJson(seeded.candidate, '?score=length&order=asc');
      assert.deepEqual(lowest.rows.map((row) => row.scores.length), [0.25, 0.75, 1, 1, undefined], 'the crash, not scored, last');
      assert.deepEqual(lowest.sort, { score: 'length', order: 'asc' });
      const highest = await experimentJson(seeded.candidate, '?score=structure&order=desc');
      assert.deepEqual(highest.rows.map((row) => row.scores.structure), [1, 1, 0.5, 0, undefined]);

      const regressed = await experimentJson(seeded.candidate, '?score=structure&change=regressed');
      assert.deepEqual(regressed.rows.map((row) => row.input), [QUERY.thirst], 'thirst 1 → 0.5 (the crash failed: not a regression)');
      assert.equal(regressed.matching_rows, 1);
      const improved = await experimentJson(seeded.candidate, '?score=length&order=desc&change=improved');
      assert.deepEqual(improved.rows.map((row) => row.input), [QUERY.thirst, QUERY.pressure]);
    });

    it('reads a case\'s trace in the experiment named, and refuses one the experiment does not hold', async () => {
      const answer = await experimentJson(seeded.candidate);
      const thirst = rowOf(answer, QUERY.thirst);
      const trace = await api<{ object_type: string; object_id: string; object_name: string; spans: Array<{ span_attributes: { name: string; type: string } }> }>(
        `/ui/api/traces/${thirst.root_span_id}?experiment=${seeded.candidate}`,
      );
      assert.equal(trace.status, 200);
      assert.deepEqual([trace.body.object_type, trace.body.object_id, trace.body.object_name], ['experiment', seeded.candidate, 'candidate']);
      const types = trace.body.spans.map((span) => span.span_attributes.type).sort();
      assert.deepEqual(types, ['eval', 'score', 'score', 'task'], 'the case, its task and its two scorers');

      const elsewhere = await api<{ error: string }>(`/ui/api/traces/${thirst.root_span_id}?experiment=${seeded.baseline}`);
      assert.equal(elsewhere.status, 404);
      assert.match(elsewhere.body.error, /no trace .* in experiment baseline/);
      const conversation = await api<{ object_type: string }>(`/ui/api/traces/${seeded.conversations.thirst}`);
      assert.equal(conversation.body.object_type, 'project_logs', 'the conversation it was scored on is in the logs');
    });

    it('answers 404 for unknown experiments and projects, 400 for malformed parameters, 401 without the token', async () => {
      const projectId = (await api<ExperimentList>('/ui/api/experiments')).body.project!.id;
      const cases: Array<[string, number, RegExp]> = [
        ['/ui/api/experiments/no-such-experiment', 404, /no experiment no-such-experiment/],
        [`/ui/api/experiments/${projectId}`, 404, /no experiment/],
        [`/ui/api/experiments/${'x'.repeat(300)}`, 404, /no experiment/],
        ['/ui/api/experiments?project=no-such-project', 404, /no project/],
        [`/ui/api/traces/${seeded.conversations.thirst}?experiment=no-such-experiment`, 404, /no experiment/],
        [`/ui/api/experiments/${seeded.candidate}?score=length&order=sideways`, 400, /order/],
        [`/ui/api/experiments/${seeded.candidate}?score=length&change=better`, 400, /change/],
        [`/ui/api/experiments/${seeded.candidate}?change=regressed`, 400, /score/],
        ['/ui/api/experiments?limit=0', 400, /limit/],
        ['/ui/api/experiments?cursor=zzz', 400, /cursor/],
      ];
      for (const [path, status, message] of cases) {
        const answer = await api<{ error?: string }>(path);
        assert.equal(answer.status, status, path);
        assert.match(String(answer.body.error), message, path);
      }
      for (const path of ['/ui/api/experiments', `/ui/api/experiments/${seeded.candidate}`]) {
        assert.equal((await getJson(`${store.url}${path}`)).status, 401, path);
      }
    });

    it('serves the page shell for /ui/experiments and /ui/experiments/<id> without the token', async () => {
      for (const path of ['/ui/experiments', '/ui/experiments/', `/ui/experiments/${seeded.candidate}`]) {
        const response = await fetch(`${store.url}${path}`);
        assert.equal(response.status, 200, path);
        assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        assert.match(await response.text(), /<script type="module" src="\/ui\/assets\/viewer\.js">/);
      }
      assert.equal((await fetch(`${store.url}/ui/experiments/a/b`)).status, 401, 'nothing deeper is a page');
    });
  });

  describe('in headless Chromium', () => {
    let viewer: ViewerPage;
    let page: Page;

    before(async () => {
      viewer = await openViewerPage(browser);
      page = viewer.page;
    });
    after(() => viewer?.context.close());
    afterEach(function () {
      // Every step must leave the page free of script errors.
      if (this.currentTest?.state === 'passed') assert.deepEqual(viewer.problems, []);
    });

    const caseRows = async (): Promise<string[]> => {
      await page.locator('.experiment-page').waitFor();
      return page.locator('tr.case-row .case-input .trace-link').allInnerTexts();
    };
    const scoreCell = (query: string, score: string) => page.locator('tr.case-row', { hasText: query }).locator(`td.score-cell[data-score="${score}"]`);

    it('goes from the logs to the experiments by the header link, and lists them with means and changes', async () => {
      await page.goto(`${store.url}/ui/#token=${TOKEN}`);
      await page.locator('.list-page:not([aria-busy])').waitFor();
      assert.equal(await page.locator('.section-nav a[data-section="logs"]').getAttribute('aria-current'), 'page');
      await page.click('.section-nav a[data-section="experiments"]');
      await page.waitForURL(/\/ui\/experiments$/);
      await page.locator('.experiment-list-page:not([aria-busy])').waitFor();
      assert.equal(await page.locator('.section-nav a[data-section="experiments"]').getAttribute('aria-current'), 'page');
      assert.equal(await page.locator('.section-nav a[data-section="logs"]').getAttribute('aria-current'), null);
      assert.equal(await page.title(), 'tracemesh · experiments');

      const names = await page.locator('tr.experiment-row .trace-link').allInnerTexts();
      assert.deepEqual(names, ['candidate', 'baseline']);
      const candidate = page.locator(`tr[data-experiment-id="${seeded.candidate}"]`);
      assert.match(await candidate.locator('td.experiment-name').innerText(), /vs baseline/);
      assert.match(await candidate.locator('td.experiment-name').innerText(), /dataset: Viewer Cases/);
      assert.equal((await candidate.locator('td').nth(2).innerText()).trim(), '5', 'rows');
      const length = candidate.locator('td.score-cell[data-score="length"]');
      assert.equal(await length.locator('.score-mean').innerText(), '0.75');
      assert.equal(await length.locator('.delta').getAttribute('data-change'), 'improved');
      assert.match(await length.locator('.delta').innerText(), /\+0\.17/);
      assert.match(await length.locator('.change-counts').innerText(), /↑2\s*↓1/);
      const structure = candidate.locator('td.score-cell[data-score="structure"]');
      assert.equal(await structure.locator('.delta').getAttribute('data-change'), 'unchanged');
      assert.match(await structure.locator('.delta').innerText(), /±0/);
      assert.match(await structure.locator('.change-counts').innerText(), /↑1\s*↓1/);
      // The duration is the mean of the cases' durations, and says so.
      assert.equal(await page.locator('.experiment-table th.duration-column').textContent(), 'Duration (mean per case)');
      assert.match((await candidate.locator('td.duration-cell').getAttribute('title')) ?? '', /^Mean duration per case: .+; [+−].+ over the cases shared with the base$/);
      const baseline = page.locator(`tr[data-experiment-id="${seeded.baseline}"]`);
      assert.equal(await baseline.locator('td.score-cell[data-score="structure"] .score-mean').innerText(), '0.63');
      assert.equal(await baseline.locator('.delta').count(), 0, 'no base, nothing to compare');

      await page.click('.section-nav a[data-section="logs"]');
      await page.waitForURL(/\/ui\/$/);
      await page.locator('.list-page').waitFor();
    });

    it('shows an experiment\'s rows with their scores, the base\'s scores and the change marked', async () => {
      await page.click('.section-nav a[data-section="experiments"]');
      await page.locator(`tr[data-experiment-id="${seeded.candidate}"] .trace-link`).click();
      await page.waitForURL(new RegExp(`/ui/experiments/${seeded.candidate}$`));
      // Cases run concurrently, so their run order is not fixed: compare as sets.
      assert.deepEqual((await caseRows()).sort(), Object.values(QUERY).sort());
      assert.match(await page.locator('.experiment-head h1').innerText(), /candidate/);
      assert.match(await page.locator('.experiment-head .trace-facts').innerText(), /Base\s+baseline/i);
      assert.match(await page.locator('.score-card[data-score="length"]').innerText(), /0\.75[\s\S]*\+0\.17[\s\S]*2 improved · 1 regressed/);

      const thirstLength = scoreCell(QUERY.thirst, 'length');
      assert.equal(await thirstLength.locator('.score-value').innerText(), '1');
      assert.equal(await thirstLength.locator('.base-score').innerText(), 'base 0.25');
      assert.equal(await thirstLength.locator('.delta').getAttribute('data-change'), 'improved');
      assert.equal(await scoreCell(QUERY.thirst, 'structure').locator('.delta').getAttribute('data-change'), 'regressed');
      assert.equal(await scoreCell(QUERY.checkup, 'structure').locator('.delta').getAttribute('data-change'), 'unchanged');
      assert.equal(await scoreCell(QUERY.new, 'length').locator('.new-case').innerText(), 'new');
      const crash = page.locator('tr.case-row', { hasText: QUERY.crash });
      assert.match((await crash.getAttribute('class')) ?? '', /\bhas-error\b/);
      assert.match(await crash.locator('.case-error').innerText(), /the model service was unavailable/);
      assert.equal(await scoreCell(QUERY.crash, 'length').locator('.delta').count(), 0, 'a failed case is not marked as moved');
      assert.equal(await page.locator('tr.case-row', { hasText: QUERY.thirst }).locator('.case-expected').innerText(), 'Logged answer to thirst');
    });

    it('sorts by a score lowest first and narrows to the regressions, keeping both in the URL', async () => {
      await page.selectOption('#rows-score', 'length');
      await page.selectOption('#rows-order', 'asc');
      await page.click('.rows-controls button[type="submit"]');
      await page.waitForURL(/\?score=length&order=asc$/);
      const sorted = await caseRows();
      // 0.25, 0.75, then thirst and the new case with 1 each, in whichever order they ran; the crash, not scored, last.
      assert.deepEqual(sorted.slice(0, 2), [QUERY.checkup, QUERY.pressure]);
      assert.deepEqual(sorted.slice(2, 4).sort(), [QUERY.thirst, QUERY.new].sort());
      assert.equal(sorted[4], QUERY.crash);
      assert.equal(await page.locator('th[aria-sort="ascending"]').textContent(), 'length');

      // The score card's "1 regressed" is a link to exactly that row.
      await page.locator('.score-card[data-score="structure"] .change-link.regressed').click();
      await page.waitForURL(/\?score=structure&order=asc&change=regressed$/);
      assert.deepEqual(await caseRows(), [QUERY.thirst]);
      assert.match(await page.locator('.experiment-page .rows-status').innerText(), /1 of 5 rows regressed on structure/);

      await page.click('.rows-controls >> text=Clear');
      await page.waitForURL(new RegExp(`/ui/experiments/${seeded.candidate}$`));
      assert.equal((await caseRows()).length, 5);
    });

    it('opens a row\'s span tree in its experiment, and the conversation it was scored on', async () => {
      await page.locator('tr.case-row', { hasText: QUERY.thirst }).locator('.case-trace-link').click();
      await page.waitForURL(new RegExp(`/ui/trace/[0-9a-f]+\\?experiment=${seeded.candidate}$`));
      await page.locator('.trace-page').waitFor();
      const names = await page.locator('.span-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-name')));
      assert.equal(names[0], 'eval');
      assert.ok(names.includes('task'));
      assert.match(await page.locator('.trace-query').innerText(), /increased thirst/);
      assert.match(await page.locator('.trace-facts').innerText(), /Experiment\s+candidate/i);
      assert.equal(await page.locator('.section-nav a[data-section="experiments"]').getAttribute('aria-current'), 'true');

      // The breadcrumb leads back to the experiment.
      await page.locator('.breadcrumbs a', { hasText: 'Experiment candidate' }).click();
      await page.waitForURL(new RegExp(`/ui/experiments/${seeded.candidate}$`));
      // The conversation is a trace of the logs, opened from the experiment: its back link leads there too.
      await page.locator('tr.case-row', { hasText: QUERY.thirst }).locator('.scored-trace-link').click();
      await page.waitForURL(new RegExp(`/ui/trace/${seeded.conversations.thirst}\\?from=experiment:${seeded.candidate}$`));
      await page.locator('.trace-page').waitFor();
      assert.match(await page.locator('.trace-head h1').innerText(), /client_conversation$/);
      assert.match(await page.locator('.trace-facts').innerText(), /Project\s+tracemesh/i);
      assert.equal(await page.locator('.breadcrumbs').innerText(), '← Experiment candidate');
      assert.equal(await page.locator('.section-nav a[data-section="experiments"]').getAttribute('aria-current'), 'true');
      await page.locator('.breadcrumbs a').click();
      await page.waitForURL(new RegExp(`/ui/experiments/${seeded.candidate}$`));
      await caseRows();
    });

    it('leads a conversation back to the experiment as it was left (sort and filter), and a direct visit to the conversations', async () => {
      const sorted = `/ui/experiments/${seeded.candidate}?score=structure&order=asc&change=regressed`;
      await page.goto(`${store.url}${sorted}`);
      await caseRows();
      await page.locator('tr.case-row', { hasText: QUERY.thirst }).locator('.scored-trace-link').click();
      await page.locator('.trace-page').waitFor();
      const back = page.locator('.breadcrumbs a');
      assert.equal(await back.innerText(), '← Experiment candidate');
      assert.equal(await back.getAttribute('href'), sorted);
      await back.click();
      await page.waitForURL((url) => `${url.pathname}${url.search}` === sorted);
      assert.deepEqual(await caseRows(), [QUERY.thirst]);

      // Opened afresh (a shared link), it still leads to the experiment, whose name it has not seen.
      await page.goto(`${store.url}/ui/trace/${seeded.conversations.thirst}?from=experiment:${seeded.candidate}`);
      await page.locator('.trace-page').waitFor();
      assert.equal(await back.innerText(), '← Back to the experiment');
      assert.equal(await back.getAttribute('href'), `/ui/experiments/${seeded.candidate}`);
      // Without ?from, the conversation is one of the logs, as before.
      await page.goto(`${store.url}/ui/trace/${seeded.conversations.thirst}`);
      await page.locator('.trace-page').waitFor();
      assert.equal(await back.innerText(), '← All conversations');
      assert.equal(await back.getAttribute('href'), '/ui/');
      assert.equal(await page.locator('.section-nav a[data-section="logs"]').getAttribute('aria-current'), 'true');
    });

    it('says why when "Show: Regressed vs base" is applied without a score: the API\'s 400 in the status area, the form as chosen', async () => {
      await page.goto(`${store.url}/ui/experiments/${seeded.candidate}`);
      await caseRows();
      assert.equal(await page.inputValue('#rows-score'), '', 'run order');
      await page.selectOption('#rows-change', 'regressed');
      await page.click('.rows-controls button[type="submit"]');
      await page.waitForURL(/\?change=regressed$/);
      const refusal = page.locator('.experiment-page .rows-status');
      await refusal.waitFor();
      assert.equal(await refusal.getAttribute('role'), 'alert');
      const message = await refusal.innerText();
      assert.match(message, /query parameter "score" \(the score name\) is required with "change"/, 'the API\'s own words');
      assert.match(message, /Choose a score under “Sort by score”/);
      assert.match(message, /Showing all 5 rows in run order/);
      // The form keeps what was chosen, and points at the message; the rows are there, in run order.
      assert.equal(await page.inputValue('#rows-change'), 'regressed');
      assert.equal(await page.inputValue('#rows-score'), '');
      assert.equal(await page.locator('#rows-score').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('.rows-controls').getAttribute('aria-describedby'), 'rows-refusal');
      assert.equal((await caseRows()).length, 5);

      // With a score chosen the same filter is applied.
      await page.selectOption('#rows-score', 'structure');
      await page.click('.rows-controls button[type="submit"]');
      await page.waitForURL(/\?score=structure&order=asc&change=regressed$/);
      assert.deepEqual(await caseRows(), [QUERY.thirst]);
      assert.equal(await page.locator('.experiment-page .rows-status').getAttribute('role'), 'status');
      viewer.problems.splice(0, viewer.problems.length, ...viewer.problems.filter((problem) => !/status of 400/.test(problem)));
    });

    it('shows every 400 the viewer API answers, on every page', async () => {
      const long = 'x'.repeat(501);
      const pages: Array<[string, RegExp]> = [
        [`/ui/experiments/${seeded.candidate}?score=length&order=sideways`, /Could not sort or filter the rows: query parameter "order" must be one of asc, desc/],
        [`/ui/experiments/${seeded.candidate}?score=${long}`, /Could not sort or filter the rows: query parameter "score" is longer than 500 characters/],
        [`/ui/experiments?project=${long}`, /Could not load experiments: query parameter "project" is longer than 500 characters/],
        ['/ui/?score=health_risk&op=sideways&value=1', /Could not load traces: query parameter "op" must be one of/],
        ['/ui/?score=health_risk&op=lt&value=abc', /Could not load traces: query parameter "value" must be a number/],
        [`/ui/trace/${'f'.repeat(201)}`, /Could not load the trace: not a trace id/],
      ];
      for (const [path, message] of pages) {
        await page.goto(`${store.url}${path}`);
        const shown = page.locator('.status-message', { hasText: message });
        await shown.waitFor({ timeout: 10_000 }).catch(() => undefined);
        assert.equal(await shown.count(), 1, `${path}: ${await page.locator('main').innerText()}`);
      }
      viewer.problems.splice(0, viewer.problems.length, ...viewer.problems.filter((problem) => !/status of 400/.test(problem)));
    });

    it('opens a case from the keyboard: the row\'s link is a tab stop and Enter follows it', async () => {
      await page.goto(`${store.url}/ui/experiments/${seeded.candidate}?score=length&order=desc&change=improved`);
      await caseRows();
      const first = page.locator('tr.case-row').first().locator('.case-input .trace-link');
      await first.focus();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), QUERY.thirst, 'the most improved length first');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`\\?experiment=${seeded.candidate}$`));
      await page.locator('.trace-page').waitFor();
    });

    it('says so for an unknown experiment', async () => {
      await page.goto(`${store.url}/ui/experiments/no-such-experiment`);
      await page.locator('h1', { hasText: 'Experiment not found' }).waitFor();
      assert.match(await page.locator('.status-message').innerText(), /There is no experiment no-such-experiment/);
      // The page reports the API's 404 on the console like any failed request; nothing else went wrong.
      viewer.problems.splice(0, viewer.problems.length, ...viewer.problems.filter((problem) => !/status of 404/.test(problem)));
    });
  });
});
