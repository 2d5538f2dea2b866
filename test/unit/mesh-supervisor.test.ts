// The supervisor `tracemesh up` runs, with short timeouts, over a stand-in for the mesh whose
// processes are tiny scripts: one that says it is ready (and serves until killed), or one that
// hangs at start and never does — the launcher kills it at its ready timeout and the restart
// fails. A process whose restarts hang is given up on after 5 deaths in a row, although they are
// too slow to fall within the window; one that comes back between deaths is not.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningMesh, ServiceProcess, UnexpectedExit } from '../../lib/process/mesh-launcher.js';
import { superviseMesh, type FatalLoss, type MeshSupervisor, type RestartPolicy, type SupervisorEvent } from '../../lib/process/mesh-supervisor.js';

const READY_SCRIPT = "process.send({ type: 'ready', service: 'toolworker', address: '127.0.0.1:50052', port: 50052 }); setInterval(() => {}, 1000);";
/** Never opens a port nor says it is ready. */
const HANGING_SCRIPT = 'setInterval(() => {}, 1000);';

interface StandInMesh {
  mesh: Pick<RunningMesh, 'onUnexpectedExit' | 'restart' | 'startChroma' | 'processes'>;
  /** Every process a restart spawned, in order. */
  spawned: ChildProcess[];
  /** The process serving as `instance` now (started ready). */
  running: Map<string, ChildProcess>;
  /** Reports the worker `up` started as killed: the first death. */
  killFirst(): void;
}

/** A mesh of one tool worker whose restarts run `script`, failing as the launcher does after `readyTimeoutMs`. */
function standInMesh(script: string, readyTimeoutMs: number): StandInMesh {
  const listeners: Array<(exit: UnexpectedExit) => void> = [];
  const spawned: ChildProcess[] = [];
  const running = new Map<string, ChildProcess>();
  const restart = (instance: string): Promise<ServiceProcess> => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    spawned.push(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`toolworker did not become ready within ${readyTimeoutMs} ms`));
      }, readyTimeoutMs);
      child.once('message', (message) => {
        clearTimeout(timer);
        running.set(instance, child);
        child.once('exit', (code, signal) => {
          for (const listener of listeners) listener({ instance, code, signal, logFile: undefined, lastLines: [] });
        });
        resolve({ name: 'toolworker', instance, child, ready: message as ServiceProcess['ready'] });
      });
    });
  };
  const worker = { name: 'toolworker', instance: 'toolworker' } as ServiceProcess;
  return {
    mesh: {
      processes: new Map([['toolworker', worker]]),
      onUnexpectedExit: (listener) => listeners.push(listener),
      restart,
      startChroma: () => Promise.reject(new Error('no Chroma here')),
    },
    spawned,
    running,
    killFirst: () => {
      for (const listener of listeners) listener({ instance: 'toolworker', code: null, signal: 'SIGKILL', logFile: undefined, lastLines: [] });
    },
  };
}

const isAlive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

describe('mesh supervisor (tracemesh up restarts)', function () {
  this.timeout(15_000);
  let supervisor: MeshSupervisor | undefined;
  let standIn: StandInMesh | undefined;

  afterEach(() => {
    supervisor?.stop();
    supervisor = undefined;
    for (const child of standIn?.spawned ?? []) child.kill('SIGKILL');
    standIn = undefined;
  });

  it('restarts that hang at start (slower than the window) are given up on after 5 deaths in a row, with backoff growing', async () => {
    const readyTimeoutMs = 300;
    // Each restart takes longer than the window: the deaths never fill it.
    const policy: RestartPolicy = { initialBackoffMs: 20, maxBackoffMs: 100, maxDeaths: 5, windowMs: 250 };
    const mesh = standInMesh(HANGING_SCRIPT, readyTimeoutMs);
    standIn = mesh;
    const events: SupervisorEvent[] = [];
    supervisor = superviseMesh(mesh.mesh, (event) => events.push(event), policy);
    mesh.killFirst();

    const outcome = await Promise.race([supervisor.fatal, delay(8_000, 'still restarting' as const)]);
    assert.deepEqual(outcome, { instance: 'toolworker', reason: 'last-worker' } satisfies FatalLoss, JSON.stringify(events.map((e) => e.kind)));
    assert.deepEqual(events.map((event) => event.kind), ['down', 'down', 'down', 'down', 'gave-up']);
    const downs = events.filter((event) => event.kind === 'down');
    assert.deepEqual(downs.map((event) => event.restartInMs), [20, 40, 80, 100], 'the backoff grows with the deaths in a row');
    assert.deepEqual(downs.map((event) => event.death.kind), ['exited', 'start-failed', 'start-failed', 'start-failed']);
    const gaveUp = events.at(-1);
    assert.ok(gaveUp?.kind === 'gave-up');
    assert.equal(gaveUp.deaths, 5);
    assert.equal(gaveUp.inARow, true, 'given up on for dying in a row, not within the window');
    assert.ok(gaveUp.death.kind === 'start-failed' && gaveUp.death.error === `toolworker did not become ready within ${readyTimeoutMs} ms`);
    assert.ok(gaveUp.windowMs >= 4 * readyTimeoutMs, `the time the 5 deaths took: ${gaveUp.windowMs} ms`);

    // Not started again, and nothing of it left running.
    await delay(500);
    assert.equal(mesh.spawned.length, 4, 'four restarts, none after giving up');
    assert.equal(events.length, 5);
    assert.deepEqual(mesh.spawned.filter(isAlive), [], 'every hung start was killed');
  });

  it('a process that comes back between deaths slower than the window is restarted every time, never given up on', async () => {
    const policy: RestartPolicy = { initialBackoffMs: 20, maxBackoffMs: 100, maxDeaths: 5, windowMs: 150 };
    const mesh = standInMesh(READY_SCRIPT, 5_000);
    standIn = mesh;
    const events: SupervisorEvent[] = [];
    supervisor = superviseMesh(mesh.mesh, (event) => events.push(event), policy);
    mesh.killFirst();
    for (let death = 2; death <= 7; death++) {
      for (let waited = 0; events.filter((event) => event.kind === 'back').length < death - 1 && waited < 5_000; waited += 10) await delay(10);
      await delay(policy.windowMs + 20);
      mesh.running.get('toolworker')?.kill('SIGKILL');
    }
    for (let waited = 0; events.filter((event) => event.kind === 'back').length < 7 && waited < 5_000; waited += 10) await delay(10);

    assert.deepEqual(
      events.map((event) => event.kind),
      Array.from({ length: 7 }, () => ['down', 'back']).flat(),
    );
    for (const event of events) if (event.kind === 'down') assert.deepEqual([event.deaths, event.restartInMs], [1, 20], 'each death the first in a row');
    assert.equal(await Promise.race([supervisor.fatal, delay(100, 'not given up on' as const)]), 'not given up on');
  });
});
