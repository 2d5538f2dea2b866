// What the figures were measured on: they mean little without the CPU, its core count and the
// Node version, and this machine is shared, so the load average at the start is recorded too.
import { cpus, loadavg, totalmem, release, platform } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverageAtStart: number[];
}

export function describeMachine(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
