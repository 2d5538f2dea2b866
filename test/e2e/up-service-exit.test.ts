// `tracemesh up` when one of its processes dies under it (kill -9, a crash): it says which and how
// (with the last lines of its log), starts it again on the same port after a backoff while the
// others keep running, and says when it is back. One that keeps dying (5 times within a minute: it
// fails at start) is given up on; without a tool worker left, or without the conversation service,
// trace store or Chroma, `up` stops the mesh and exits 1. Ctrl-C during a backoff or a restart
// stops everything at once and leaves no process. It says "ready" only once the conversation
// service serves. And a service that fails to start with its logs on the terminal is explained.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { credentials } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { TurnResult__Output } from '../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { checkHealth, healthClient } from '../../lib/grpc/health-client.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { cliEntry } from '../helpers/run-cli.js';

interface RunningUp {
  process: ChildProcessWithoutNullStreams;
  stderr(): string;
  exited: Promise<number | null>;
  /** Every mesh process seen under it so far (pid → command line), restarted ones included. */
  seen: Map<number, string>;
}

// Diagnostic tools for turns that call the workers; no delay in the offline model's answers.
const TURN_ENV = { TOOLWORKER_DIAGNOSTIC_TOOLS: '1', OFFLINE_MODEL_DELTA_DELAY_MS: '0', TRACEMESH_TRACING: 'off' };
const TURN = 'Fan out: [[call diagnostics_sleep {"ms": 30}]] [[call diagnostics_sleep {"ms": 30}]]';

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
  return { process: up, stderr: () => stderr, exited, seen: new Map() };
}

async function waitForOutput(up: RunningUp, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; !pattern.test(up.stderr()) && waited < timeoutMs && up.process.exitCode === null; waited += 100) await delay(100);
  assert.match(up.stderr(), pattern);
}

const waitForReady = (up: RunningUp): Promise<void> => waitForOutput(up, /ready —/);

/** An address `up` printed: "conversation  127.0.0.1:…", "toolworker    ipv4:…". */
function printed(up: RunningUp, what: string): string {
  const value = new RegExp(`^${what}\\s+(\\S+)`, 'm').exec(up.stderr())?.[1];
  assert.ok(value, up.stderr());
  return value;
}

const MESH_COMMANDS = ['chromadb/dist/cli.mjs', 'services/tracestore/main.ts', 'services/toolworker/main.ts', 'services/conversation/main.ts'];

/** The mesh processes `up` runs now, by pid, with their command lines (Linux /proc); remembered in `seen`. */
function meshChildren(up: RunningUp): Map<number, string> {
  const children = new Map<number, string>();
  const pid = up.process.pid ?? -1;
  try {
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ');
        // Only the mesh's processes: after a source change tsx runs its esbuild service as a child too.
        if (MESH_COMMANDS.some((part) => command.includes(part))) children.set(Number(child), command);
      }
    }
  } catch {
    // `up` or a child exited while being read: what was read so far.
  }
  for (const [child, command] of children) up.seen.set(child, command);
  return children;
}

function pidOf(children: Map<number, string>, commandPart: string): number {
  const found = [...children].find(([, command]) => command.includes(commandPart));
  assert.ok(found, `no child runs ${commandPart}: ${[...children.values()].join('\n')}`);
  return found[0];
}

/** The pid of the tool worker with this TOOLWORKER_ID ("toolworker", "toolworker-2"), if one runs. */
function workerPid(up: RunningUp, id: string): number | undefined {
  for (const [pid, command] of meshChildren(up)) {
    if (!command.includes('services/toolworker/main.ts')) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TOOLWORKER_ID=${id}`)) return pid;
    } catch {
      // It exited meanwhile.
    }
  }
  return undefined;
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

function assertNothingLeft(up: RunningUp): void {
  const left = [...up.seen].filter(([pid]) => isAlive(pid)).map(([, command]) => command);
  assert.deepEqual(left, [], 'no process of the mesh is left');
}

/** Takes `port` on 127.0.0.1 as soon as it is free (a killed worker's port), so its restarts fail. */
async function holdPort(port: number): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const server = createServer();
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => resolve(undefined));
    });
    if (!error) return server;
    if (attempt > 200) throw error;
    await delay(10);
  }
}

const portOf = (address: string): number => Number(address.split(':').at(-1));

function workerOf(result: TurnResult__Output): string[] {
  return result.toolCalls.map((call) => String(fromStruct(call.result).worker ?? `error:${call.errorCode}`));
}

describe('tracemesh up when a process dies', function () {
  this.timeout(120_000);
  let running: RunningUp | undefined;
  let client: ConversationServiceClient | undefined;
  let held: Server | undefined;

  afterEach(async () => {
    client?.close();
    client = undefined;
    held?.close();
    held = undefined;
    // A failing test must not leave a mesh behind: Ctrl-C stops it as a user would.
    if (running && running.process.exitCode === null && running.process.signalCode === null) {
      running.process.kill('SIGINT');
      await running.exited;
    }
    running = undefined;
  });

  it('--workers 2, a worker killed with SIGKILL under load: turns keep succeeding, it is started again on its port and serves again', async () => {
    const up = (running = startUp(['--quiet', '--workers', '2'], TURN_ENV));
    await waitForReady(up);
    const conversation = printed(up, 'conversation');
    const workers = printed(up, 'toolworker').replace(/^ipv4:/, '').split(',');
    assert.equal(workers.length, 2);
    client = new ConversationClient(conversation, credentials.createInsecure());
    const before = meshChildren(up);
    const victim = workerPid(up, 'toolworker-2');
    assert.ok(victim, up.stderr());

    // Turns run from before the kill until the worker is back: none may fail.
    const results: TurnResult__Output[] = [];
    let killed = false;
    const turns = client;
    const deadline = Date.now() + 60_000;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (!up.stderr().includes('toolworker-2 service is back') && Date.now() < deadline) {
          results.push(await streamTurn(turns, TURN));
          if (results.length >= 5 && !killed) {
            killed = true;
            process.kill(victim, 'SIGKILL');
          }
        }
      }),
    );
    assert.ok(killed);
    assert.ok(results.every((result) => result.stopReason === 'STOP_REASON_END_TURN'), 'every turn completed');
    assert.deepEqual(results.flatMap(workerOf).filter((worker) => worker.startsWith('error:')), [], 'no tool call failed');

    const [, port2] = workers;
    assert.match(
      up.stderr(),
      /^tracemesh: the toolworker-2 service exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/toolworker-2\.log\); starting it again in 0\.5 s — the other tool workers serve meanwhile\n(    \{.*\n)+/m,
      'one line saying it died, and the last lines of its log',
    );
    assert.match(up.stderr(), new RegExp(`^tracemesh: the toolworker-2 service is back \\(${port2?.replaceAll('.', '\\.')}, down \\d+(\\.\\d)? s\\)$`, 'm'));
    const health = healthClient(port2 ?? '');
    assert.equal(await checkHealth(health), 'SERVING', 'its port answers again');
    health.close();

    // The others kept running: same pids, and `up` with them.
    const after = meshChildren(up);
    for (const [pid, command] of before) if (pid !== victim) assert.equal(after.get(pid), command, `${command} kept running`);
    assert.notEqual(workerPid(up, 'toolworker-2'), victim, 'a new process');
    let back = false;
    for (let attempt = 0; attempt < 40 && !back; attempt++) back = workerOf(await streamTurn(turns, TURN)).includes('toolworker-2');
    assert.ok(back, 'the restarted worker receives calls again');
    assert.equal(up.process.exitCode, null);
  });

  it('--workers 2, a worker that fails at every start: given up on after 5 deaths within a minute, the other serves on', async () => {
    const up = (running = startUp(['--quiet', '--workers', '2'], TURN_ENV));
    await waitForReady(up);
    const port2 = portOf(printed(up, 'toolworker').split(',')[1] ?? '');
    const victim = workerPid(up, 'toolworker-2');
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    held = await holdPort(port2);

    await waitForOutput(up, /giving up on it/);
    const stderr = up.stderr();
    // The backoff doubles: 0.5, 1, 2, 4 s between the five deaths.
    const waits = [...stderr.matchAll(/toolworker-2 .*; starting it again in (\S+) s/g)].map((match) => match[1]);
    assert.deepEqual(waits, ['0.5', '1', '2', '4'], stderr);
    assert.match(stderr, /^tracemesh: the toolworker-2 service did not start again: toolworker exited before it was ready \(code 1, signal null\); starting it again in 1 s — the other tool workers serve meanwhile\n( {4}.*\n)* {4}toolworker: cannot listen on 127\.0\.0\.1:\d+: the address is already in use/m);
    assert.match(
      stderr,
      /^tracemesh: the toolworker-2 service did not start again: toolworker exited before it was ready \(code 1, signal null\); it died 5 times within 60 s: giving up on it — the pool serves on with 1 of 2 tool workers$/m,
    );

    // Not started again, and the mesh serves with the other worker.
    held.close();
    held = undefined;
    client = new ConversationClient(printed(up, 'conversation'), credentials.createInsecure());
    const result = await streamTurn(client, TURN);
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.deepEqual(workerOf(result), ['toolworker', 'toolworker']);
    await delay(1_000);
    assert.equal(workerPid(up, 'toolworker-2'), undefined, 'no restart after giving up');
    assert.equal(up.stderr(), stderr, 'nothing more said');
    // The last worker left dies: nobody serves tools meanwhile, and up says so.
    process.kill(workerPid(up, 'toolworker') ?? -1, 'SIGKILL');
    await waitForOutput(up, /the toolworker service is back/, 30_000);
    assert.match(up.stderr(), /^tracemesh: the toolworker service exited unexpectedly \(signal SIGKILL; .*\); starting it again in 0\.5 s — tool calls fail until it is back$/m);
    up.process.kill('SIGINT');
    assert.equal(await exitCodeWithin(up, 30_000), 0, up.stderr());
    assertNothingLeft(up);
  });

  /** Kills the only worker and takes its port, so every restart of it fails at start. */
  async function killWorkerAndHoldItsPort(up: ReturnType<typeof startUp>): Promise<Awaited<ReturnType<typeof holdPort>>> {
    meshChildren(up);
    const victim = workerPid(up, 'toolworker');
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    return holdPort(portOf(printed(up, 'toolworker')));
  }

  it('the only worker fails at every start: given up on, no tool worker is left, so up stops the mesh and exits 1', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    held = await killWorkerAndHoldItsPort(up);

    assert.equal(await exitCodeWithin(up, 60_000), 1, up.stderr());
    assert.match(up.stderr(), /starting it again in 0\.5 s — tool calls fail until it is back$/m);
    assert.match(
      up.stderr(),
      /^tracemesh: the toolworker service did not start again: toolworker exited before it was ready \(code 1, signal null\); it died 5 times within 60 s: giving up on it\n(    .*\n)*tracemesh: no tool worker is left; stopping the mesh$/m,
    );
    assertNothingLeft(up);
  });

  it('the conversation service fails at every start: given up on, up stops the mesh and exits 1', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    const children = meshChildren(up);
    process.kill(pidOf(children, 'services/conversation/main.ts'), 'SIGKILL');
    held = await holdPort(portOf(printed(up, 'conversation')));

    assert.equal(await exitCodeWithin(up, 60_000), 1, up.stderr());
    assert.match(
      up.stderr(),
      /^tracemesh: the conversation service did not start again: conversation exited before it was ready \(code 1, signal null\); it died 5 times within 60 s: giving up on it\n(    .*\n)*tracemesh: the mesh cannot run without the conversation service; stopping the mesh$/m,
    );
    assertNothingLeft(up);
  });

  it('Ctrl-C during a restart backoff: stops everything at once, starts nothing more, leaves no process', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    held = await killWorkerAndHoldItsPort(up);
    await waitForOutput(up, /starting it again in 4 s/);
    meshChildren(up);

    const interruptedAt = Date.now();
    up.process.kill('SIGINT');
    assert.equal(await exitCodeWithin(up, 15_000), 0, up.stderr());
    assert.ok(Date.now() - interruptedAt < 10_000, `stopped in ${Date.now() - interruptedAt} ms`);
    const afterInterrupt = up.stderr().slice(up.stderr().indexOf('starting it again in 4 s'));
    assert.doesNotMatch(afterInterrupt, /did not start again|service is back/, 'no restart after Ctrl-C');
    assertNothingLeft(up);
  });

  it('Ctrl-C while a worker is being started again: the half-started process is stopped too', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    meshChildren(up);
    const victim = workerPid(up, 'toolworker');
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    // Freeze the new worker as soon as it is spawned, so it never becomes ready.
    let restarted: number | undefined;
    for (let waited = 0; !restarted && waited < 15_000; waited += 5) {
      const pid = workerPid(up, 'toolworker');
      if (pid !== undefined && pid !== victim) restarted = pid;
      else await delay(5);
    }
    assert.ok(restarted, up.stderr());
    process.kill(restarted, 'SIGSTOP');
    await delay(500);
    assert.doesNotMatch(up.stderr(), /service is back/);

    up.process.kill('SIGINT');
    assert.equal(await exitCodeWithin(up, 15_000), 0, up.stderr());
    assert.ok(!isAlive(restarted), 'the worker that was starting is gone');
    assertNothingLeft(up);
  });

  it('the conversation service and the trace store killed with SIGKILL: each started again on its port; the conversation goes on', async () => {
    const up = (running = startUp(['--quiet'], TURN_ENV));
    await waitForReady(up);
    const conversation = printed(up, 'conversation');
    const tracestore = printed(up, 'tracestore');
    client = new ConversationClient(conversation, credentials.createInsecure());
    const first = await streamTurn(client, TURN);
    assert.equal(first.stopReason, 'STOP_REASON_END_TURN');

    for (const [service, meanwhile] of [
      ['conversation', 'turns fail UNAVAILABLE until it is back'],
      ['tracestore', 'spans are dropped until it is back'],
    ] as const) {
      const children = meshChildren(up);
      process.kill(pidOf(children, `services/${service}/main.ts`), 'SIGKILL');
      await waitForOutput(up, new RegExp(`the ${service} service is back`), 30_000);
      assert.match(
        up.stderr(),
        new RegExp(`^tracemesh: the ${service} service exited unexpectedly \\(signal SIGKILL; its log: \\S+/logs/${service}\\.log\\); starting it again in 0\\.5 s — ${meanwhile}$`, 'm'),
      );
      const again = meshChildren(up);
      assert.equal(again.size, children.size, 'the others kept running, and it runs again');
    }
    assert.match(up.stderr(), new RegExp(`^tracemesh: the conversation service is back \\(${conversation.replaceAll('.', '\\.')}, `, 'm'), 'on the same port');
    assert.equal((await fetch(`${tracestore}/version`)).status, 200, 'the trace store answers on its port');

    // The conversation's history was in its database: the restarted service continues it.
    const second = await streamTurn(client, TURN, { conversationId: first.conversationId });
    assert.equal(second.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(second.conversationId, first.conversationId);
    assert.equal(up.process.exitCode, null);
  });

  it('a worker killed while up starts the conversation service: restarted once up listens, then "ready"', async () => {
    const up = (running = startUp(['--quiet']));
    let killed: number | undefined;
    for (let waited = 0; !killed && waited < 60_000; waited += 10) {
      const children = meshChildren(up);
      if ([...children.values()].some((command) => command.includes('services/conversation/main.ts'))) {
        killed = pidOf(children, 'services/toolworker/main.ts');
        process.kill(killed, 'SIGKILL');
      } else await delay(10);
    }
    assert.ok(killed, up.stderr());
    await waitForReady(up);
    assert.match(up.stderr(), /^tracemesh: the toolworker service exited unexpectedly \(signal SIGKILL; .*\); starting it again in 0\.5 s/m);
    assert.match(up.stderr(), /^tracemesh: the toolworker service is back /m);
    assert.equal(up.process.exitCode, null);
  });

  it('a worker killed while up waits for SERVING: started again, then "ready"', async () => {
    const up = (running = startUp(['--quiet']));
    // Freeze the worker as soon as the conversation service starts, so its tool list never comes
    // and it stays NOT_SERVING; then kill the worker while up is waiting.
    let worker: number | undefined;
    for (let waited = 0; waited < 60_000; waited += 10) {
      const children = meshChildren(up);
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
    assert.doesNotMatch(up.stderr(), /ready —/);
    process.kill(worker, 'SIGKILL');
    await waitForReady(up);
    const stderr = up.stderr();
    const died = stderr.search(/^tracemesh: the toolworker service exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/toolworker\.log\); starting it again in 0\.5 s/m);
    const back = stderr.search(/^tracemesh: the toolworker service is back /m);
    assert.ok(died >= 0 && back > died && stderr.indexOf('ready —') > back, stderr);
    assert.doesNotMatch(stderr, /not serving yet/);
  });

  it('Chroma killed with SIGKILL: says so, starts it again and keeps the mesh up (only searches failed meanwhile)', async () => {
    const up = (running = startUp(['--quiet']));
    await waitForReady(up);
    // "ready" means a turn sent now is served: the conversation service already reports SERVING.
    const health = healthClient(printed(up, 'conversation'));
    assert.equal(await checkHealth(health), 'SERVING');
    health.close();
    const children = meshChildren(up);
    process.kill(pidOf(children, 'chromadb/dist/cli.mjs'), 'SIGKILL');
    await waitForOutput(up, /^tracemesh: Chroma is back/m, 30_000);
    assert.match(
      up.stderr(),
      /^tracemesh: Chroma exited unexpectedly \(signal SIGKILL; its log: \S+\/logs\/chroma\.log\); starting it again in 0\.5 s — knowledge searches fail UNAVAILABLE until it is back\n(    .*\n)*tracemesh: Chroma is back \(http:\/\/127\.0\.0\.1:\d+, down \d+(\.\d)? s\)$/m,
    );
    assert.equal(await exitCodeWithin(up, 1_000), 'still running', 'the mesh stays up');
    const again = meshChildren(up);
    assert.ok([...again.values()].some((command) => command.includes('chromadb/dist/cli.mjs')), 'a new Chroma runs');
    up.process.kill('SIGINT');
    assert.equal(await exitCodeWithin(up, 30_000), 0, up.stderr());
    assertNothingLeft(up);
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
