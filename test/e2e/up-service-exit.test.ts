// `tracemesh up` when one of its services dies under it (kill -9, a crash): it says which one and
// how, stops the rest and exits 1 — instead of showing "ready" over a mesh that only answers
// UNAVAILABLE. It says "ready" only once the conversation service serves. And a service that fails
// to start with its logs on the terminal is explained.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { checkHealth, healthClient } from '../../lib/grpc/health-client.js';
import { cliEntry } from '../helpers/run-cli.js';

interface RunningUp {
  process: ChildProcessWithoutNullStreams;
  stderr(): string;
  exited: Promise<number | null>;
}

function startUp(args: string[], env: Record<string, string> = {}): RunningUp {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-up-exit-'));
  const { CHROMA_URL: _existingChroma, ...inherited } = process.env;
  const up = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'up', '--data-dir', dataDir, ...args], {
    env: { ...inherited, CONVERSATION_PORT: '0', TOOLWORKER_PORT: '0', TRACESTORE_PORT: '0', CHROMA_PORT: '0', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  up.stdout.resume();
  const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
  return { process: up, stderr: () => stderr, exited };
}

async function waitForReady(up: RunningUp): Promise<void> {
  for (let waited = 0; !up.stderr().includes('ready —') && waited < 60_000; waited += 100) await delay(100);
  assert.match(up.stderr(), /ready —/, up.stderr());
}

const MESH_COMMANDS = ['chromadb/dist/cli.mjs', 'services/tracestore/main.ts', 'services/toolworker/main.ts', 'services/conversation/main.ts'];

/** The processes `up` started, by pid, with their command lines (Linux /proc). */
function childrenOf(pid: number): Map<number, string> {
  const children = new Map<number, string>();
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      children.set(Number(child), readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' '));
    }
  }
  return children;
}

function pidOf(children: Map<number, string>, commandPart: string): number {
  const found = [...children].find(([, command]) => command.includes(commandPart));
  assert.ok(found, `no child runs ${commandPart}: ${[...children.values()].join('\n')}`);
  return found[0];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exitCodeWithin(up: RunningUp, timeoutMs: number): Promise<number | null | 'still running'> {
  return Promise.race([up.exited, delay(timeoutMs, 'still running' as const)]);
}

describe('tracemesh up when a service dies', function () {
  this.timeout(120_000);
  let running: RunningUp | undefined;

  afterEach(async () => {
    // A failing test must not leave a mesh behind: Ctrl-C stops it as a user would.
    if (running && running.process.exitCode === null && running.process.signalCode === null) {
      running.process.kill('SIGINT');
      await running.exited;
    }
    running = undefined;
  });

  for (const [victim, commandPart, message] of [
    [
      'the conversation service',
      'services/conversation/main.ts',
      /^tracemesh: the conversation service exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/conversation\.log\); stopping the mesh$/m,
    ],
  ] as const) {
    it(`${victim} killed with SIGKILL: says which, stops the others and exits 1`, async () => {
      const up = (running = startUp(['--quiet']));
      await waitForReady(up);
      // Only the mesh's processes: after a source change tsx runs its esbuild service as a child too.
      const children = childrenOf(up.process.pid ?? -1);
      const meshPids = MESH_COMMANDS.map((command) => pidOf(children, command));
      process.kill(pidOf(children, commandPart), 'SIGKILL');

      assert.equal(await exitCodeWithin(up, 30_000), 1, up.stderr());
      assert.match(up.stderr(), message);
      const left = meshPids.filter(isAlive).map((pid) => children.get(pid));
      assert.deepEqual(left, [], 'every other process was stopped');
    });
  }

  it('a service that dies while up waits for SERVING: says which and exits 1 at once, never "ready"', async () => {
    const up = (running = startUp(['--quiet']));
    // Freeze the worker as soon as the conversation service starts, so its tool list never comes
    // and it stays NOT_SERVING; then kill the worker while up is waiting.
    let worker: number | undefined;
    for (let waited = 0; waited < 60_000; waited += 10) {
      const children = childrenOf(up.process.pid ?? -1);
      if ([...children.values()].some((command) => command.includes('services/conversation/main.ts'))) {
        worker = pidOf(children, 'services/toolworker/main.ts');
        process.kill(worker, 'SIGSTOP');
        break;
      }
      await delay(10);
    }
    assert.ok(worker, up.stderr());
    for (let waited = 0; !up.stderr().includes('chroma ') && waited < 60_000; waited += 50) await delay(50);
    await delay(500);
    const killedAt = Date.now();
    process.kill(worker, 'SIGKILL');
    assert.equal(await exitCodeWithin(up, 15_000), 1, up.stderr());
    assert.ok(Date.now() - killedAt < 15_000);
    assert.match(up.stderr(), /^tracemesh: the toolworker service exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/toolworker\.log\); stopping the mesh$/m);
    assert.doesNotMatch(up.stderr(), /ready —|not serving yet/);
  });

  it('Chroma killed with SIGKILL: says so, starts it again and keeps the mesh up (only searches failed meanwhile)', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    // "ready" means a turn sent now is served: the conversation service already reports SERVING.
    const conversation = /^conversation\s+(\S+)$/m.exec(up.stderr())?.[1];
    assert.ok(conversation, up.stderr());
    const health = healthClient(conversation);
    assert.equal(await checkHealth(health), 'SERVING');
    health.close();
    const children = childrenOf(up.process.pid ?? -1);
    process.kill(pidOf(children, 'chromadb/dist/cli.mjs'), 'SIGKILL');
    for (let waited = 0; waited < 30_000 && !up.stderr().includes('tracemesh: Chroma is back'); waited += 200) await delay(200);
    assert.match(up.stderr(), /^tracemesh: Chroma exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/chroma\.log\); knowledge searches fail UNAVAILABLE until it is back — starting it again\ntracemesh: Chroma is back$/m);
    assert.equal(await exitCodeWithin(up, 1_000), 'still running', 'the mesh stays up');
    const again = childrenOf(up.process.pid ?? -1);
    assert.ok([...again.values()].some((command) => command.includes('chromadb/dist/cli.mjs')), 'a new Chroma runs');
    up.process.kill('SIGINT');
    assert.equal(await exitCodeWithin(up, 30_000), 0, up.stderr());
  });

  it('a service that exits before it is ready, logs on the terminal: the error points above', async () => {
    const up = (running = startUp([], { TRACEMESH_MODEL_IDLE_TIMEOUT_MS: 'abc' }));
    assert.equal(await exitCodeWithin(up, 60_000), 1, up.stderr());
    const stderr = up.stderr();
    assert.match(stderr, /^tracemesh: conversation exited before it was ready \(code 1, signal null\) \(its output is above\)$/m);
    const explanation = stderr.indexOf('TRACEMESH_MODEL_IDLE_TIMEOUT_MS must be a positive integer');
    assert.ok(explanation >= 0 && explanation < stderr.indexOf('tracemesh: conversation exited'), `the service's own words come first:\n${stderr}`);
  });
});
