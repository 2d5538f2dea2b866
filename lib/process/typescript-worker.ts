// A worker thread running one of our TypeScript modules. Workers do not inherit the loader hooks
// that `node --import tsx` installs in the main thread (Node 20), so the worker registers tsx's
// require hook itself and loads the module through it. Both are resolved here, not against the
// worker's cwd, with require.resolve, which works whether this file was loaded as ESM or (under
// mocha) as CJS. The module must not use import.meta or top-level await (it is loaded as CJS).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTypeScriptWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsxRequireHook = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsxRequireHook)}).register(); require(${JSON.stringify(fileURLToPath(moduleUrl))});`;
  // No inherited --import tsx: the bootstrap registers what the worker needs, once.
  return new Worker(bootstrap, { execArgv: [], ...options, eval: true });
}
