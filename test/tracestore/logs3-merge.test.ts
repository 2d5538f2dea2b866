// /logs3 write semantics: replace, deep-merge across batches, merge before replace, delete,
// _merge_paths, feedback comments, object identity, transaction ids and atomic batches.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../lib/json.js';
import { btqlRows, postRows, registerProject, startTestStore, type TestStore } from './store-harness.js';

describe('trace store /logs3', () => {
  let store: TestStore;
  let projectId: string;
  const log = (row: JsonObject): JsonObject => ({ project_id: projectId, log_id: 'g', ...row });
  const rowWithId = async (id: string, objectId = projectId, source = 'project_logs'): Promise<JsonObject | undefined> => {
    const rows = await btqlRows(store.url, `SELECT * FROM ${source}('${objectId}') WHERE id = '${id}'`);
    assert.ok(rows.length <= 1);
    return rows[0];
  };

  before(async () => {
    store = await startTestStore();
    projectId = await registerProject(store.url, 'merge-tests');
  });
  after(async () => {
    await store.dispose();
  });

  it('deep-merges _is_merge rows into the stored row across batches', async () => {
    await postRows(store.url, [
      log({ id: 'm1', span_id: 's1', root_span_id: 'r1', created: '2024-01-01T00:00:00.000Z', input: { a: 1, keep: { x: 1 } }, tags: ['t1'], metrics: { start: 10 }, list: [1, 2] }),
    ]);
    await postRows(store.url, [log({ id: 'm1', _is_merge: true, created: '2030-01-01T00:00:00.000Z', input: { b: 2, keep: { y: 2 } }, tags: ['t2', 't1'], list: [3] })]);
    await postRows(store.url, [log({ id: 'm1', _is_merge: true, metrics: { end: 12 }, output: 'done' })]);
    const row = await rowWithId('m1');
    assert.deepEqual(row?.input, { a: 1, b: 2, keep: { x: 1, y: 2 } }, 'objects merge recursively');
    assert.deepEqual(row?.metrics, { start: 10, end: 12 });
    assert.deepEqual(row?.list, [3], 'arrays are replaced');
    assert.deepEqual(row?.tags, ['t1', 't2'], 'tags are unioned');
    assert.equal(row?.output, 'done');
    assert.equal(row?.created, '2024-01-01T00:00:00.000Z', 'created is the first write');
    assert.equal(row?._is_merge, undefined, 'control fields are not stored');
  });

  it('stores a merge row that arrives first as is; a later plain row replaces it', async () => {
    await postRows(store.url, [log({ id: 'm2', _is_merge: true, output: 'early', metadata: { a: 1 } })]);
    assert.equal((await rowWithId('m2'))?.output, 'early');
    await postRows(store.url, [log({ id: 'm2', span_id: 's2', root_span_id: 'r2', input: 'full row' })]);
    const replaced = await rowWithId('m2');
    assert.equal(replaced?.input, 'full row');
    assert.equal(replaced?.output, undefined, 'a plain row replaces the whole row');
    assert.equal(replaced?.metadata, undefined);
  });

  it('applies rows of one request in order, replace then merge', async () => {
    await postRows(store.url, [
      log({ id: 'm3', input: 'x', metadata: { a: 1 } }),
      log({ id: 'm3', _is_merge: true, metadata: { b: 2 } }),
      log({ id: 'm3', _is_merge: true, metadata: { a: 3 } }),
    ]);
    assert.deepEqual((await rowWithId('m3'))?.metadata, { a: 3, b: 2 });
  });

  it('replaces paths named in _merge_paths instead of merging them', async () => {
    await postRows(store.url, [log({ id: 'm4', metadata: { config: { a: 1, b: 2 }, other: 1 } })]);
    await postRows(store.url, [log({ id: 'm4', _is_merge: true, _merge_paths: [['metadata', 'config']], metadata: { config: { c: 3 } } })]);
    assert.deepEqual((await rowWithId('m4'))?.metadata, { config: { c: 3 }, other: 1 });
  });

  it('deletes rows with _object_delete (a missing row is fine)', async () => {
    await postRows(store.url, [log({ id: 'm5', input: 'gone soon' })]);
    assert.ok(await rowWithId('m5'));
    const answer = await postRows(store.url, [log({ id: 'm5', _object_delete: true }), log({ id: 'never-existed', _object_delete: true })]);
    assert.equal(answer.status, 200);
    assert.equal(await rowWithId('m5'), undefined);
  });

  it('keeps feedback comments out of the spans while merging the feedback scores', async () => {
    await postRows(store.url, [log({ id: 'm6', span_id: 's6', root_span_id: 'r6', scores: { auto: 1 } })]);
    await postRows(store.url, [
      log({ id: 'm6', _is_merge: true, scores: { human: 0 }, _audit_source: 'external', _audit_metadata: { who: 'me' } }),
      log({ id: 'c6', created: new Date().toISOString(), origin: { id: 'm6' }, comment: { text: 'wrong' }, _audit_source: 'external' }),
    ]);
    const rows = await btqlRows(store.url, `SELECT * FROM project_logs('${projectId}') WHERE root_span_id = 'r6' OR id = 'c6'`);
    assert.deepEqual(rows.map((row) => row.id), ['m6']);
    assert.deepEqual(rows[0]!.scores, { auto: 1, human: 0 });
    assert.equal(rows[0]!._audit_source, undefined);
    const db = new Database(store.dbPath, { readonly: true });
    try {
      const comment = db.prepare<[], { origin_id: string; row: string }>("SELECT origin_id, row FROM comments WHERE id = 'c6'").get();
      assert.equal(comment?.origin_id, 'm6');
      assert.deepEqual((JSON.parse(comment!.row) as JsonObject).comment, { text: 'wrong' });
    } finally {
      db.close();
    }
  });

  it('keys rows by object: same id in two projects, an experiment and a dataset stay apart', async () => {
    const other = await registerProject(store.url, 'merge-tests-other');
    await postRows(store.url, [
      log({ id: 'shared', input: 'project one' }),
      { project_id: other, log_id: 'g', id: 'shared', input: 'project two' },
      { experiment_id: 'exp-1', id: 'shared', input: 'experiment' },
      { dataset_id: 'ds-1', id: 'shared', input: 'dataset' },
    ]);
    assert.equal((await rowWithId('shared'))?.input, 'project one');
    assert.equal((await rowWithId('shared', other))?.input, 'project two');
    assert.equal((await rowWithId('shared', 'exp-1', 'experiment'))?.input, 'experiment');
    assert.equal((await rowWithId('shared', 'ds-1', 'dataset'))?.input, 'dataset');
  });

  it('gives every write a larger fixed-width _xact_id and keeps a row\'s _pagination_key', async () => {
    await postRows(store.url, [log({ id: 'x1', input: 1 })]);
    const before = await rowWithId('x1');
    await postRows(store.url, [log({ id: 'x1', _is_merge: true, output: 2 })]);
    const after = await rowWithId('x1');
    assert.match(String(before?._xact_id), /^[0-9]{16}$/);
    assert.ok(String(after?._xact_id) > String(before?._xact_id));
    assert.equal(after?._pagination_key, before?._pagination_key);
  });

  it('rejects a batch with a bad row (400 naming it) and writes none of it', async () => {
    const answer = await postRows(store.url, [log({ id: 'atomic-1', input: 1 }), { id: 'no-object', input: 2 }]);
    assert.equal(answer.status, 400);
    assert.match(String((answer.body as JsonObject).error), /rows\[1\]/);
    assert.equal(await rowWithId('atomic-1'), undefined);
    const noId = await postRows(store.url, [log({ input: 'no id' })]);
    assert.equal(noId.status, 400);
    const notArray = await postRows(store.url, 'nope' as unknown as JsonObject[]);
    assert.equal(notArray.status, 400);
  });
});
