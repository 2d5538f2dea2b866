// Retention (TRACESTORE_RETENTION_DAYS): project logs older than the cutoff are deleted, with their
// feedback comments; newer logs, and experiments of any age, stay.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../lib/json.js';
import { btqlRows, postRows, registerProject, requestJson, startTestStore, type TestStore } from './store-harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function span(target: JsonObject, id: string, daysAgo: number): JsonObject {
  const created = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
  return { ...target, id, span_id: id, root_span_id: id, created, span_attributes: { name: 'client_conversation', type: 'task' }, output: { days_ago: daysAgo } };
}

describe('trace store: retention of project logs', function () {
  this.timeout(30_000);
  let store: TestStore;

  before(async () => {
    store = await startTestStore({ retention: { days: 7, intervalMs: 100, batchSize: 3 } });
  });
  after(async () => store?.dispose());

  it('deletes project logs (and comments on them) past the cutoff, in batches; keeps newer logs and old experiments', async () => {
    const projectId = await registerProject(store.url, 'retention');
    const experiment = await requestJson<{ experiment: { id: string } }>(`${store.url}/api/experiment/register`, { body: { project_name: 'retention', experiment_name: 'old-eval' } });
    const experimentId = experiment.body.experiment.id;
    const logs = { project_id: projectId, log_id: 'g' };
    const old = Array.from({ length: 8 }, (_, i) => span(logs, `old-${i}`, 30));
    const recent = [span(logs, 'recent-0', 1), span(logs, 'recent-1', 6)];
    assert.equal((await postRows(store.url, [...old, ...recent, span({ experiment_id: experimentId }, 'eval-0', 30)])).status, 200);
    // Feedback on an old span and on a recent one.
    const comment = (origin: string, daysAgo: number): JsonObject => ({
      ...logs, id: `comment-${origin}`, created: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
      origin: { id: origin }, comment: { text: 'checked' }, _audit_source: 'app',
    });
    assert.equal((await postRows(store.url, [comment('old-0', 30), comment('recent-0', 1)])).status, 200);

    const ids = async (from: string): Promise<string[]> =>
      (await btqlRows(store.url, `SELECT id FROM ${from} ORDER BY id`)).map((row) => String(row.id));
    const deadline = Date.now() + 10_000;
    while ((await ids(`project_logs('${projectId}')`)).some((id) => id.startsWith('old-')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await ids(`project_logs('${projectId}')`), ['recent-0', 'recent-1'], 'eight old spans went, three at a time; the newer ones stayed');
    assert.deepEqual(await ids(`experiment('${experimentId}')`), ['eval-0'], 'experiments are kept whatever their age');
    const db = new Database(store.dbPath, { readonly: true });
    try {
      const comments = db.prepare('SELECT id FROM comments ORDER BY id').all() as Array<{ id: string }>;
      assert.deepEqual(comments.map((row) => row.id), ['comment-recent-0'], 'the old comment went with its span');
    } finally {
      db.close();
    }
  });
});
