// CPU time per turn, by process: what each process of a stack (and the load generator itself)
// spent, user + system, divided by the turns completed meanwhile. On a saturated shared machine
// turns/s mostly says how much CPU a turn costs, and this says where that CPU goes — far less
// sensitive to other tenants than wall-clock figures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median } from './stats.js';

/** The processes of a stack under test, by role ("conversation", "tool worker", "trace store"…). */
export type ProcessSet = Record<string, number>;

export type CpuPerTurn = Record<string, number>;

const CALLER = 'caller';

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicksPerSecond();

/** User + system CPU of `pid` in ms (NaN when the process is gone or /proc is unavailable). */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

function snapshot(processes: ProcessSet): Record<string, number> {
  const usage = process.cpuUsage();
  const cpu: Record<string, number> = { [CALLER]: (usage.user + usage.system) / 1000 };
  for (const [role, pid] of Object.entries(processes)) cpu[role] = processCpuMs(pid);
  return cpu;
}

/** Runs `work` and returns its result with the CPU per turn of each process and of this one ("caller"). */
export async function measureCpuPerTurn<T>(processes: ProcessSet, work: () => Promise<T>, turnsOf: (result: T) => number): Promise<{ result: T; cpu: CpuPerTurn }> {
  const before = snapshot(processes);
  const result = await work();
  const after = snapshot(processes);
  const turns = Math.max(1, turnsOf(result));
  const cpu: CpuPerTurn = {};
  let total = 0;
  for (const role of Object.keys(after)) {
    cpu[role] = ((after[role] ?? Number.NaN) - (before[role] ?? Number.NaN)) / turns;
    if (Number.isFinite(cpu[role])) total += cpu[role];
  }
  cpu.total = total;
  return { result, cpu };
}

/** The per-role median over rounds. */
export function medianCpu(rounds: CpuPerTurn[]): CpuPerTurn {
  const roles = [...new Set(rounds.flatMap((round) => Object.keys(round)))];
  return Object.fromEntries(roles.map((role) => [role, median(rounds.map((round) => round[role] ?? Number.NaN).filter(Number.isFinite))]));
}

/** "conversation 5.90 · tool worker 1.10 · trace store 0.80 · caller 0.95 (ms CPU per turn)". */
export function describeCpu(cpu: CpuPerTurn): string {
  const parts = Object.entries(cpu)
    .filter(([role]) => role !== 'total')
    .map(([role, ms]) => `${role} ${ms.toFixed(2)}`);
  return `${parts.join(' · ')} (ms CPU per turn)`;
}
