// Resident memory of a process, from /proc (Linux): what the kernel charges the process, which is
// what a pod's memory limit sees — heap, native buffers and code alike.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes, or NaN when the process is gone or /proc is unavailable. */
export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples the RSS of `pid` every `intervalMs` until stopped; returns the peak seen. */
export function watchPeakResident(pid: number, intervalMs = 50): { stop(): number } {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    const now = residentBytes(pid);
    if (now > peak || Number.isNaN(peak)) peak = now;
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, residentBytes(pid));
    },
  };
}
