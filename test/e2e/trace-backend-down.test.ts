// The trace backend down, as an operator and a user see it. Services: one warn line when it goes
// (its address and why, no stack), an info line when it is back — no error-level line with a stack
// for every failed export. `tracemesh chat`: no JSON log line on the terminal, its one plain
// warning, and no wait for retries against an address that refuses connections.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { cliEntry } from '../helpers/run-cli.js';
import { sharedMesh } from '../helpers/shared-mesh.js';
import { suiteMesh } from '../helpers/suite-mesh.js';

type LogLine = Record<string, unknown> & { level: number; msg: string };

function jsonLines(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** A port on which nothing listens (one just freed): connections to it are refused. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the trace backend down', function () {
  this.timeout(120_000);

  describe('tracemesh chat, its trace store refusing connections', () => {
    it('prints its one plain warning, no log lines, and exits right after the answer', async () => {
      const { mesh } = await sharedMesh();
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'chat', 'hello'], {
        env: { ...process.env, ...mesh.clientEnv, TRACESTORE_URL: `http://127.0.0.1:${port}`, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let answeredAt = 0;
      child.stdout.resume();
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The turn's summary line: the answer is complete.
        if (answeredAt === 0 && /turn 0 · end_turn/.test(stderr)) answeredAt = Date.now();
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      const exitedAfterMs = Date.now() - answeredAt;
      assert.equal(code, 0, stderr);
      assert.ok(answeredAt > 0, stderr);
      assert.doesNotMatch(stderr, /^\{/m, 'no JSON log line');
      assert.doesNotMatch(stderr, /opentelemetry|"level"/);
      assert.equal(stderr.match(/^warning: /gm)?.length, 1, stderr);
      assert.match(stderr, /^warning: the trace backend did not take this run's spans: .*ECONNREFUSED/m);
      // It waited 4.4–4.7 s for the OTLP exporter's and the SDK's retries (sleeps of 1 s and 2 s)
      // against the refused address; now the first refusal ends it. A bound between the two, with
      // room for a loaded machine (alone it exits within a few hundred ms).
      assert.ok(exitedAfterMs < 3_000, `exited ${exitedAfterMs} ms after the answer`);
    });
  });

  describe('services, the trace store killed and started again', () => {
    // The default report interval (30 s): a summary of an outage comes once a minute.
    const suite = suiteMesh('backend-down', { OFFLINE_MODEL_DELTA_DELAY_MS: '1' });

    it('log one warn line with the address and reason, no error-level stacks, and an info line when it is back', async () => {
      const mesh = suite.mesh();
      await streamTurn(suite.client(), SEED_QUERY); // the services have logged in while it was up
      mesh.processes.get('tracestore')?.child.kill('SIGKILL');
      // Turns while it is down: their spans fail to export every few hundred ms.
      for (let i = 0; i < 4; i++) {
        await streamTurn(suite.client(), SEED_QUERY);
        await delay(1_000);
      }
      await mesh.restart('tracestore');
      const log = join(suite.dataDir(), 'logs', 'conversation.log');
      let lines: LogLine[] = [];
      for (let waited = 0; waited < 15_000; waited += 500) {
        await streamTurn(suite.client(), 'Thanks. Anything else to add?');
        lines = jsonLines(log);
        if (lines.some((line) => line.msg === 'trace backend reachable again')) break;
        await delay(500);
      }
      const errors = lines.filter((line) => line.level >= 50);
      assert.deepEqual(errors.map((line) => line.msg), [], 'no error-level lines');
      const down = lines.filter((line) => line.msg.startsWith('trace backend unreachable'));
      assert.equal(down.length, 1, 'one line when it goes down');
      assert.equal(down[0]?.level, 40);
      assert.equal(down[0]?.backend, mesh.tracestoreUrl);
      assert.match(String(down[0]?.url), new RegExp(`^${mesh.tracestoreUrl}/`));
      // A request in flight when the store died is cut (reset, or closed: "other side closed"); the
      // next ones are refused. Any is the reason, with its code.
      assert.match(String(down[0]?.reason), /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
      assert.doesNotMatch(JSON.stringify(down[0]), /stack|\\n\s+at /);
      const back = lines.find((line) => line.msg === 'trace backend reachable again');
      assert.ok(back, 'an info line when it is back');
      assert.equal(back.level, 30);
      assert.ok(Number(back.failedRequests) >= 1 && Number(back.downForMs) > 0, JSON.stringify(back));
      // Nothing else about it in a few seconds of outage: its summary is once a minute.
      const aboutTracing = lines.filter((line) => line.level >= 40 && /trace backend|opentelemetry/.test(line.msg));
      assert.deepEqual(aboutTracing.map((line) => line.msg), [down[0]?.msg]);
    });
  });
});
