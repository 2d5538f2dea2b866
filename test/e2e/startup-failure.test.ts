// A service that cannot start says why in one line naming the setting to change, and exits 1 —
// a bad value, an out-of-range port, an address already in use — with no stack trace to read through.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Exit { code: number | null; stderr: string }

function startService(entry: string, env: Record<string, string>): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, TRACEMESH_DATA_DIR: mkdtempSync(join(tmpdir(), 'tracemesh-startup-')), TRACEMESH_TRACING: 'off', TOOLWORKER_PORT: '0', CONVERSATION_PORT: '0', TRACESTORE_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(killer);
    resolve({ code, stderr });
  }));
}

/** The lines a user reads: grpc-js's own "E No address added…" line aside. */
function userLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('E No address added'));
}

describe('a service that cannot start', function () {
  this.timeout(60_000);

  for (const [service, setting, value, expected] of [
    ['toolworker', 'LOG_LEVEL', 'verbose', 'toolworker: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    ['toolworker', 'TRACEMESH_REDACT_PHI', 'enabled', 'toolworker: TRACEMESH_REDACT_PHI must be one of 1, true, yes, on, 0, false, no, off, got "enabled"'],
    ['toolworker', 'TOOLWORKER_PORT', '99999', 'toolworker: TOOLWORKER_PORT must be a port number (0–65535), got "99999"'],
    ['conversation', 'TRACEMESH_TOOL_TIMEOUT_MS', 'abc', 'conversation: TRACEMESH_TOOL_TIMEOUT_MS must be a non-negative integer, got "abc"'],
    ['conversation', 'TRACEMESH_SHUTDOWN_GRACE_MS', '10s', 'conversation: TRACEMESH_SHUTDOWN_GRACE_MS must be a non-negative integer, got "10s"'],
    ['toolworker', 'TRACEMESH_SHUTDOWN_GRACE_MS', '10s', 'toolworker: TRACEMESH_SHUTDOWN_GRACE_MS must be a non-negative integer, got "10s"'],
    ['conversation', 'TRACEMESH_MAX_ITERATIONS', '0', 'conversation: TRACEMESH_MAX_ITERATIONS must be a positive integer, got "0"'],
    ['tracestore', 'TRACESTORE_RETENTION_DAYS', '-1', 'tracestore: TRACESTORE_RETENTION_DAYS must be a positive integer, got "-1"'],
  ] as const) {
    it(`${service}: names ${setting}=${value} in one line and exits 1`, async () => {
      const exit = await startService(`services/${service}/main.ts`, { [setting]: value, TOOLWORKER_TARGET: '127.0.0.1:1' });
      assert.equal(exit.code, 1);
      assert.deepEqual(userLines(exit.stderr), [expected]);
    });
  }

  describe('on an address already in use', () => {
    let blocker: Server;
    let port: number;
    before(async () => {
      blocker = createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => blocker.once('listening', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    after(() => blocker.close());

    it('the trace store names TRACESTORE_PORT', async () => {
      const exit = await startService('services/tracestore/main.ts', { TRACESTORE_PORT: String(port) });
      assert.equal(exit.code, 1);
      assert.deepEqual(userLines(exit.stderr), [
        `tracestore: cannot listen on 127.0.0.1:${port}: the address is already in use; set TRACESTORE_PORT or TRACEMESH_HOST to choose another`,
      ]);
    });

    it('the conversation service names CONVERSATION_PORT', async () => {
      const exit = await startService('services/conversation/main.ts', { CONVERSATION_PORT: String(port), TOOLWORKER_TARGET: '127.0.0.1:1' });
      assert.equal(exit.code, 1);
      assert.deepEqual(userLines(exit.stderr), [
        `conversation: cannot listen on 127.0.0.1:${port}: the address is already in use; set CONVERSATION_PORT or TRACEMESH_HOST to choose another`,
      ]);
    });
  });
});
