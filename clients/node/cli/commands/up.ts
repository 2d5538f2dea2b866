// `tracemesh up`: the mesh on its default ports, each service its own process, until Ctrl-C.
import type { Command } from 'commander';
import { chromaPort, conversationPort, dataDir, toolworkerPort, tracestorePort } from '../../../../lib/config.js';
import { startMesh } from '../../../../lib/process/mesh-launcher.js';
import { positiveInteger } from '../number-arguments.js';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start the trace store, the tool worker and the conversation service')
    .option('--data-dir <dir>', 'where databases and logs go (default TRACEMESH_DATA_DIR or ./.tracemesh)')
    .option('--quiet', 'write service logs to <data-dir>/logs instead of this terminal')
    .option('--workers <n>', 'tool workers to start, behind round_robin (ports 50052, 50062, …)', (value: string) => positiveInteger(value, '--workers', 32), 1)
    .action(async (options: { dataDir?: string; quiet?: boolean; workers: number }) => {
      const workers = options.workers;
      const dir = options.dataDir ?? dataDir();
      process.stderr.write(`starting the mesh (data in ${dir})…\n`);
      const mesh = await startMesh({
        dataDir: dir,
        ports: { conversation: conversationPort(), toolworker: toolworkerPort(), tracestore: tracestorePort() },
        chromaPort: chromaPort(),
        workers,
        logs: options.quiet ? 'file' : 'inherit',
      });
      process.stderr.write(
        [
          `conversation  ${mesh.conversationTarget}`,
          `toolworker    ${mesh.toolworkerTarget}`,
          `tracestore    ${mesh.tracestoreUrl ?? 'Braintrust (BRAINTRUST_API_KEY)'}${mesh.tracestoreUrl ? `  (viewer: ${mesh.tracestoreUrl}/ui/)` : ''}`,
          `chroma        ${mesh.chromaUrl}`,
          'ready — try: npm run tracemesh -- chat "…"   (Ctrl-C stops the mesh)',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write('stopping…\n');
      await mesh.stop();
    });
}
