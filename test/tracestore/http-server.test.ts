// The store as an HTTP service: JSON for every answer, bearer-token auth, body limits, routing
// errors, login/project endpoints, persistence across restarts, and the main.ts process
// (ready message over IPC, graceful SIGTERM that finishes an in-flight request).
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '../../lib/json.js';
import { isReadyMessage, type ReadyMessage } from '../../lib/process/ready.js';
import { btqlRows, postRows, REPO_ROOT, registerProject, requestJson, startTestStore, type TestStore } from './store-harness.js';

describe('trace store HTTP service', () => {
  describe('with a token', () => {
    let store: TestStore;
    before(async () => {
      store = await startTestStore({ token: 's3cret' });
    });
    after(async () => {
      await store.dispose();
    });

    it('answers 401 JSON without the right bearer token, on every endpoint but the GET /version probe', async () => {
      for (const path of ['/version', '/api/apikey/login', '/btql', '/no/such/route']) {
        const missing = await requestJson<JsonObject>(`${store.url}${path}`, { method: 'POST', headers: { authorization: '' } });
        assert.equal(missing.status, 401, path);
        assert.match(String(missing.body.error), /bearer token/);
        const wrong = await requestJson(`${store.url}${path}`, { method: 'POST', token: 's3cret-not' });
        assert.equal(wrong.status, 401, path);
      }
      assert.equal((await requestJson(`${store.url}/version`, { token: 's3cret' })).status, 200);
      assert.equal((await requestJson(`${store.url}/version`, { headers: { authorization: '' } })).status, 200, 'probes need no secret');
    });
  });

  describe('without a token', () => {
    let store: TestStore;
    before(async () => {
      store = await startTestStore({ bodyLimitBytes: 64 * 1024 });
    });
    after(async () => {
      await store.dispose();
    });

    it('accepts any bearer token and points login at its own URL', async () => {
      const login = await requestJson<{ org_info: JsonObject[] }>(`${store.url}/api/apikey/login`, { method: 'POST', token: 'anything' });
      assert.equal(login.status, 200);
      assert.equal(login.body.org_info[0]!.api_url, store.url);
      assert.equal(typeof login.body.org_info[0]!.id, 'string');
      const viaLocalhost = await requestJson<{ org_info: JsonObject[] }>(`${store.url.replace('127.0.0.1', 'localhost')}/api/apikey/login`, { method: 'POST' });
      assert.equal(viaLocalhost.body.org_info[0]!.api_url, store.url.replace('127.0.0.1', 'localhost'), 'derived from the Host header');
    });

    it('registers projects idempotently with stable ids and looks them up by id', async () => {
      const first = await registerProject(store.url, 'alpha');
      assert.equal(await registerProject(store.url, 'alpha'), first);
      assert.notEqual(await registerProject(store.url, 'beta'), first);
      const lookup = await requestJson<JsonObject>(`${store.url}/api/project?id=${first}`);
      assert.equal(lookup.body.name, 'alpha');
      assert.equal((await requestJson(`${store.url}/api/project?id=nope`)).status, 404);
      assert.equal((await requestJson(`${store.url}/api/project/register`, { body: {} })).status, 400);
    });

    it('answers unknown routes 404 and wrong methods 405, as JSON', async () => {
      const missing = await requestJson<JsonObject>(`${store.url}/api/nothing`);
      assert.equal(missing.status, 404);
      assert.match(String(missing.body.error), /no endpoint GET \/api\/nothing/);
      const response = await fetch(`${store.url}/logs3`, { headers: { authorization: 'Bearer x' } });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
      assert.match(String(((await response.json()) as JsonObject).error), /accepts POST/);
    });

    it('answers 413 for bodies over the limit, compressed or not, and keeps serving', async () => {
      const big = JSON.stringify({ rows: [{ project_id: 'p', log_id: 'g', id: 'x', input: 'a'.repeat(100 * 1024) }] });
      const plain = await requestJson<JsonObject>(`${store.url}/logs3`, { rawBody: big });
      assert.equal(plain.status, 413);
      assert.match(String(plain.body.error), /larger than 65536 bytes/);
      const bomb = await requestJson(`${store.url}/logs3`, { rawBody: gzipSync(big), headers: { 'content-encoding': 'gzip' } });
      assert.equal(bomb.status, 413, 'the decompressed size counts too');
      assert.equal((await requestJson(`${store.url}/version`)).status, 200);
    });

    it('answers malformed or non-object JSON bodies with 400', async () => {
      for (const rawBody of ['{', '"just a string"', 'null', '']) {
        const answer = await requestJson<JsonObject>(`${store.url}/logs3`, { rawBody });
        assert.equal(answer.status, 400, rawBody);
        assert.equal(typeof answer.body.error, 'string');
      }
    });

    it('registers datasets and experiments, and explains missing bases with 400', async () => {
      const dataset = await requestJson<{ dataset: JsonObject; project: JsonObject }>(`${store.url}/api/dataset/register`, { body: { project_name: 'gamma', dataset_name: 'd' } });
      const again = await requestJson<{ dataset: JsonObject }>(`${store.url}/api/dataset/register`, { body: { project_name: 'gamma', dataset_name: 'd' } });
      assert.equal(again.body.dataset.id, dataset.body.dataset.id);
      const info = await requestJson<JsonObject[]>(`${store.url}/api/self/get_object_info`, { body: { object_type: 'dataset', object_ids: [dataset.body.dataset.id, 'missing'] } });
      assert.deepEqual(info.body, [{ object_id: dataset.body.dataset.id, object_name: 'd', parent_cols: { project: { id: dataset.body.project.id, name: 'gamma' } } }]);

      const register = (body: JsonObject) => requestJson<{ experiment: JsonObject; error?: string }>(`${store.url}/api/experiment/register`, { body: { project_name: 'gamma', ...body } });
      const first = await register({ experiment_name: 'run' });
      const second = await register({ experiment_name: 'run' });
      assert.equal(second.body.experiment.name, 'run-1', 'names are made unique');
      assert.equal(second.body.experiment.base_exp_id, first.body.experiment.id, 'the previous experiment is the default base');
      assert.equal((await register({ experiment_name: 'run', update: true })).body.experiment.id, first.body.experiment.id);
      const badBase = await register({ base_experiment: 'nope' });
      assert.equal(badBase.status, 400);
      assert.match(String(badBase.body.error), /base experiment/);

      const noBase = await requestJson(`${store.url}/api/base_experiment/get_id`, { body: { id: first.body.experiment.id } });
      assert.equal(noBase.status, 400, 'HTTP 400 is how the SDK learns there is no base');
      const base = await requestJson<JsonObject>(`${store.url}/api/base_experiment/get_id`, { body: { id: second.body.experiment.id } });
      assert.deepEqual(base.body, { base_exp_id: first.body.experiment.id, base_exp_name: 'run' });
      assert.equal((await requestJson<JsonObject>(`${store.url}/v1/experiment/${String(first.body.experiment.id)}`)).body.name, 'run');
      assert.equal((await requestJson(`${store.url}/v1/experiment/nope`)).status, 404);
      const summary = await requestJson<JsonObject>(`${store.url}/dataset-summary?dataset_id=${String(dataset.body.dataset.id)}`);
      assert.deepEqual(summary.body, { total_records: 0 });
    });

    it('makes the latest earlier experiment on the same dataset the default base, not the project\'s latest', async () => {
      const register = async (body: JsonObject) => {
        const answer = await requestJson<{ experiment: JsonObject }>(`${store.url}/api/experiment/register`, { body: { project_name: 'delta', ...body } });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        return answer.body.experiment;
      };
      const onFirst = await register({ experiment_name: 'first-a', dataset_id: 'dataset-1' });
      const onSecond = await register({ experiment_name: 'second-a', dataset_id: 'dataset-2' });
      // The project's latest ran on dataset-2: a run on dataset-1 is compared with dataset-1's latest.
      const again = await register({ experiment_name: 'first-b', dataset_id: 'dataset-1' });
      assert.equal(again.base_exp_id, onFirst.id);
      const base = await requestJson<JsonObject>(`${store.url}/api/base_experiment/get_id`, { body: { id: again.id } });
      assert.deepEqual(base.body, { base_exp_id: onFirst.id, base_exp_name: 'first-a' });
      // The dataset as `tracemesh eval` also records it, in the metadata.
      assert.equal((await register({ experiment_name: 'second-b', metadata: { dataset_id: 'dataset-2' } })).base_exp_id, onSecond.id);
      // A dataset nothing ran on before: no base (one on another dataset would share no case).
      const onThird = await register({ experiment_name: 'third-a', dataset_id: 'dataset-3' });
      assert.equal(onThird.base_exp_id, undefined);
      // No dataset: the project's latest earlier experiment, as before; an explicit base wins over any default.
      assert.equal((await register({ experiment_name: 'loose' })).base_exp_id, onThird.id);
      assert.equal((await register({ experiment_name: 'explicit', dataset_id: 'dataset-1', base_experiment: 'second-a' })).base_exp_id, onSecond.id);
    });
  });

  it('keeps rows, ids and transaction order across a restart on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracestore-restart-'));
    try {
      const first = await startTestStore({ dir });
      const projectId = await registerProject(first.url, 'durable');
      await postRows(first.url, [{ project_id: projectId, log_id: 'g', id: 'r1', span_id: 's1', root_span_id: 'root', input: 'kept' }]);
      const [before] = await btqlRows(first.url, `SELECT * FROM project_logs('${projectId}')`);
      await first.close();

      const second = await startTestStore({ dir });
      try {
        assert.equal(await registerProject(second.url, 'durable'), projectId);
        const [after] = await btqlRows(second.url, `SELECT * FROM project_logs('${projectId}') WHERE root_span_id = 'root'`);
        assert.deepEqual(after, before);
        await postRows(second.url, [{ project_id: projectId, log_id: 'g', id: 'r2' }]);
        const [newer] = await btqlRows(second.url, `SELECT * FROM project_logs('${projectId}') WHERE id = 'r2'`);
        assert.ok(String(newer!._xact_id) > String(before!._xact_id));
        assert.ok(String(newer!._pagination_key) > String(before!._pagination_key));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('main.ts: announces ready, and on SIGTERM finishes the in-flight request before exiting 0', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'tracestore-main-'));
    const child = fork(join(REPO_ROOT, 'services/tracestore/main.ts'), [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, TRACESTORE_PORT: '0', TRACEMESH_DATA_DIR: dir, TRACESTORE_TOKEN: 'tok', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    try {
      const ready = await new Promise<ReadyMessage>((resolve, reject) => {
        child.on('message', (message) => {
          if (isReadyMessage(message)) resolve(message);
        });
        child.once('exit', (code) => reject(new Error(`main.ts exited early with ${code}`)));
      });
      assert.equal(ready.service, 'tracestore');
      assert.equal(ready.address, `http://127.0.0.1:${ready.port}`);
      const projectId = await registerProject(ready.address, 'main-process', 'tok');

      // Start a request, send half its body, SIGTERM, then finish the body.
      const body = JSON.stringify({ rows: [{ project_id: projectId, log_id: 'g', id: 'late-row', input: 'x'.repeat(1000) }] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(`${ready.address}/logs3`, {
          method: 'POST',
          headers: { authorization: 'Bearer tok', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 100));
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(100)), 300);
        }, 300);
      });
      const result = await answer;
      assert.equal(result.status, 200, result.text);
      assert.equal(await exited, 0);

      // The row written during shutdown is in the file.
      const store = await startTestStore({ dir: mkdtempSync(join(tmpdir(), 'tracestore-reopen-')), dbPath: join(dir, 'traces.db') });
      try {
        assert.deepEqual((await btqlRows(store.url, `SELECT id FROM project_logs('${projectId}')`)).map((row) => row.id), ['late-row']);
      } finally {
        await store.dispose();
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
