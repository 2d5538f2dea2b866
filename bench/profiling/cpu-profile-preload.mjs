// Preloaded into a mesh process (NODE_OPTIONS="--import <this file>") when the harness profiles:
// Node refuses --cpu-prof in NODE_OPTIONS, so this starts the V8 profiler through node:inspector
// and writes a .cpuprofile (open it in Chrome DevTools or speedscope) into
// TRACEMESH_CPU_PROFILE_DIR when the process exits. A same-thread inspector session answers
// synchronously, which is what lets it run inside an 'exit' handler.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRACEMESH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      mkdirSync(dir, { recursive: true });
      const name = `${process.env.TOOLWORKER_ID ?? process.argv[process.argv.length - 1]?.split('/').slice(-2, -1)[0] ?? 'node'}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}
