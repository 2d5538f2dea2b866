// Starts one of the harness's own server processes (the baselines, the stamping model) the way
// the mesh launcher starts the services — `node --import tsx <entry>`, ready when it says so over
// IPC — so baselines and mesh pay the same process and loopback costs.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../../lib/process/mesh-launcher.js';
import { isReadyMessage, type ReadyMessage } from '../../lib/process/ready.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HarnessProcess {
  name: string;
  child: ChildProcess;
  ready: ReadyMessage;
  stop(): Promise<void>;
}

/** `entry` is relative to the repository root. */
export function startHarnessProcess(name: string, entry: string, env: Record<string, string>, timeoutMs = 30_000): Promise<HarnessProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const tail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 20) tail.shift();
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not become ready within ${timeoutMs} ms:\n${tail.join('')}`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (!isReadyMessage(message)) return;
      clearTimeout(timer);
      resolveStart({ name, child, ready: message, stop: () => stopProcess(child) });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal}):\n${tail.join('')}`));
    });
  });
}
