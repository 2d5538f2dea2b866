// What `tracemesh up` does when a process of its mesh dies under it (killed, crashed): starts it
// again on the same port with the same environment after a backoff (0.5 s doubling to 10 s), and
// gives up on one that keeps dying instead of looping: 5 deaths within a minute (it fails at
// start), or 5 in a row without becoming ready in between (restarts that hang until the launcher's
// 30 s ready timeout never fit 5 in a minute: they would be retried forever). Every process is
// restarted, not only the tool workers: each restarts cleanly — conversations and turn leases are
// in the conversation store (a restarted conversation service frees the leases of its dead
// predecessor), spans in the trace store's SQLite file (exporters drop and count what they cannot
// send meanwhile), Chroma's data on disk.
//
// Giving up on a process ends the mesh (`fatal`) unless the mesh can still do what it is for: a
// tool worker given up on while others of the pool remain leaves the pool smaller (round_robin
// skips the dead address); the last worker, the conversation service, the trace store or Chroma
// given up on stops the mesh — a mesh that only answers errors, or silently drops every trace,
// must not look up and running, and a crash loop must not be hidden.
import type { RunningMesh, UnexpectedExit } from './mesh-launcher.js';

export interface RestartPolicy {
  /** The wait before the first restart; it doubles with each death within `windowMs` (or in a row). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * This many deaths (exits, and restarts that failed to start) within `windowMs`, or in a row
   * without becoming ready in between however long they took: given up on.
   */
  maxDeaths: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialBackoffMs: 500, maxBackoffMs: 10_000, maxDeaths: 5, windowMs: 60_000 };

/** Why a process is down: it exited, or a restart of it did not become ready. */
export type Death =
  | { kind: 'exited'; exit: UnexpectedExit }
  | { kind: 'start-failed'; instance: string; /** The launcher's error: a headline, then the process's last words. */ error: string };

export type SupervisorEvent =
  /**
   * Down (`deaths` within the window or in a row, whichever is more, this one included); started
   * again in `restartInMs`.
   * `otherWorkers`: for a tool worker, the pool's others not given up on (they serve meanwhile).
   */
  | { kind: 'down'; instance: string; death: Death; deaths: number; restartInMs: number; otherWorkers: number }
  /** Started again and ready, `downMs` after it died. */
  | { kind: 'back'; instance: string; address: string; downMs: number }
  /**
   * Died `deaths` times within `windowMs`: not started again. `inARow`: the deaths came one after
   * another without it becoming ready in between (restarts that hung at start), and `windowMs` is
   * then the time from the first to the last; otherwise it is the policy's window. `workersLeft`
   * counts the pool's others not given up on.
   */
  | { kind: 'gave-up'; instance: string; death: Death; deaths: number; windowMs: number; inARow: boolean; workersLeft: number; workers: number };

/** Why the mesh must stop: the process given up on, and whether it was the last tool worker. */
export interface FatalLoss {
  instance: string;
  reason: 'last-worker' | 'essential';
}

export interface MeshSupervisor {
  /** Resolves when a process was given up on and the mesh cannot go on without it. */
  fatal: Promise<FatalLoss>;
  /** No more restarts: pending backoffs are cancelled and a restart in flight is ignored (call before mesh.stop()). */
  stop(): void;
}

interface InstanceState {
  /** When it died, within the window. */
  deaths: number[];
  /** When it died since it was last ready (its exit, then each restart that did not become ready). */
  inARow: number[];
  downSince: number;
  timer: NodeJS.Timeout | undefined;
  gaveUp: boolean;
}

const isWorker = (instance: string): boolean => instance === 'toolworker' || instance.startsWith('toolworker-');

/** The backoff before the restart that follows the `deaths`-th death within the window. */
export function restartBackoffMs(policy: RestartPolicy, deaths: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, deaths - 1));
}

export function superviseMesh(
  mesh: Pick<RunningMesh, 'onUnexpectedExit' | 'restart' | 'startChroma' | 'processes'>,
  onEvent: (event: SupervisorEvent) => void,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): MeshSupervisor {
  const workers = [...mesh.processes.values()].filter((p) => p.name === 'toolworker').map((p) => p.instance);
  const states = new Map<string, InstanceState>();
  let stopped = false;
  let onFatal: (loss: FatalLoss) => void = () => undefined;
  const fatal = new Promise<FatalLoss>((resolve) => (onFatal = resolve));

  const stateOf = (instance: string): InstanceState => {
    let state = states.get(instance);
    if (!state) {
      state = { deaths: [], inARow: [], downSince: 0, timer: undefined, gaveUp: false };
      states.set(instance, state);
    }
    return state;
  };

  const died = (instance: string, death: Death): void => {
    if (stopped) return;
    const state = stateOf(instance);
    const now = Date.now();
    if (death.kind === 'exited') state.downSince = now;
    state.deaths = [...state.deaths.filter((at) => now - at < policy.windowMs), now];
    state.inARow = [...state.inARow, now];
    // The deaths in a row count too: restarts that hang until the ready timeout never fill the window.
    const deaths = Math.max(state.deaths.length, state.inARow.length);
    const workersLeft = (): number => workers.filter((worker) => worker !== instance && !stateOf(worker).gaveUp).length;
    if (deaths >= policy.maxDeaths) {
      state.gaveUp = true;
      const left = isWorker(instance) ? workersLeft() : 0;
      const inARow = state.deaths.length < policy.maxDeaths;
      const windowMs = inARow ? now - (state.inARow[0] ?? now) : policy.windowMs;
      onEvent({ kind: 'gave-up', instance, death, deaths, windowMs, inARow, workersLeft: left, workers: workers.length });
      if (!isWorker(instance)) onFatal({ instance, reason: 'essential' });
      else if (left === 0) onFatal({ instance, reason: 'last-worker' });
      return;
    }
    const restartInMs = restartBackoffMs(policy, deaths);
    onEvent({ kind: 'down', instance, death, deaths, restartInMs, otherWorkers: isWorker(instance) ? workersLeft() : 0 });
    state.timer = setTimeout(() => void restartNow(instance), restartInMs);
  };

  const restartNow = async (instance: string): Promise<void> => {
    const state = stateOf(instance);
    state.timer = undefined;
    if (stopped) return;
    try {
      const address = instance === 'chroma' ? (await mesh.startChroma()).url : (await mesh.restart(instance)).ready.address;
      if (stopped) return;
      state.inARow = [];
      onEvent({ kind: 'back', instance, address, downMs: Date.now() - state.downSince });
    } catch (error) {
      died(instance, { kind: 'start-failed', instance, error: error instanceof Error ? error.message : String(error) });
    }
  };

  mesh.onUnexpectedExit((exit) => died(exit.instance, { kind: 'exited', exit }));

  return {
    fatal,
    stop: () => {
      stopped = true;
      for (const state of states.values()) clearTimeout(state.timer);
    },
  };
}
