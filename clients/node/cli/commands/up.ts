// `tracemesh up`: the mesh on its default ports, each service its own process, until Ctrl-C.
import type { Command } from 'commander';
import { BUILT_IN_TOOL_SERVICE, chromaPort, conversationPort, dataDir, securityConfig, toolServices, toolworkerPort, tracestorePort } from '../../../../lib/config.js';
import { healthClient, waitForHealth } from '../../../../lib/grpc/health-client.js';
import { channelCredentials } from '../../../../lib/grpc/transport-security.js';
import { startMesh, type UnexpectedExit } from '../../../../lib/process/mesh-launcher.js';
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
          // Services this command does not start: their tools are offered once they answer ListTools.
          ...toolServices()
            .filter((service) => service.name !== BUILT_IN_TOOL_SERVICE)
            .map((service) => `${service.name.padEnd(13)} ${service.target}  (TOOL_SERVICES, not started here: its tools are offered once it answers)`),
          `tracestore    ${mesh.tracestoreUrl ?? 'Braintrust (BRAINTRUST_API_KEY)'}${mesh.tracestoreUrl ? `  (viewer: ${mesh.tracestoreUrl}/ui/)` : ''}`,
          `chroma        ${mesh.chromaUrl}`,
          '',
        ].join('\n'),
      );
      let onStopSignal: () => void = () => undefined;
      const stopSignal = new Promise<undefined>((resolve) => {
        onStopSignal = () => resolve(undefined);
        process.once('SIGINT', onStopSignal);
        process.once('SIGTERM', onStopSignal);
      });
      const serviceDied = new Promise<UnexpectedExit>((resolve) => {
        let chromaRestarts = 0;
        mesh.onUnexpectedExit((exit) => {
          // Chroma is the knowledge search's store: without it only searches fail (UNAVAILABLE), so
          // it is started again rather than the mesh stopped — a few times, not in a loop.
          if (exit.instance !== 'chroma' || chromaRestarts >= MAX_CHROMA_RESTARTS) {
            resolve(exit);
            return;
          }
          chromaRestarts++;
          process.stderr.write(`tracemesh: ${describeExit(exit)}; knowledge searches fail UNAVAILABLE until it is back — starting it again\n`);
          mesh.startChroma().then(
            () => process.stderr.write('tracemesh: Chroma is back\n'),
            (error: unknown) => {
              process.stderr.write(`tracemesh: Chroma did not start again: ${error instanceof Error ? error.message : String(error)}\n`);
              resolve(exit);
            },
          );
        });
      });
      // The conversation service listens before it serves: it reports SERVING once its workers
      // have answered ListTools. "ready" means a turn sent now is served. A service dying or Ctrl-C
      // meanwhile ends the wait.
      const waiting = new AbortController();
      void Promise.race([stopSignal, serviceDied]).then(() => waiting.abort());
      const serving = await conversationServing(mesh.conversationTarget, waiting.signal);
      if (!waiting.signal.aborted) {
        process.stderr.write(
          serving === 'SERVING'
            ? 'ready — try: npm run tracemesh -- chat "…"   (Ctrl-C stops the mesh)\n'
            : `tracemesh: the conversation service is not serving yet (health: ${serving}); turns fail UNAVAILABLE until its tool workers answer — see its log\n`,
        );
      }
      const died = await Promise.race([stopSignal, serviceDied]);
      if (!died) {
        process.stderr.write('stopping…\n');
        await mesh.stop();
        return;
      }
      // A mesh with a dead service only answers UNAVAILABLE: say so and end, rather than look ready.
      // Ctrl-C while the rest stop ends `up` at once (the services stop themselves when it goes away).
      process.off('SIGINT', onStopSignal);
      process.off('SIGTERM', onStopSignal);
      process.stderr.write(`tracemesh: ${describeExit(died)}; stopping the mesh\n`);
      await mesh.stop();
      process.exitCode = 1;
    });
}

/** Waits up to 30 s for the conversation service's grpc.health.v1 SERVING; the last status seen. */
async function conversationServing(target: string, signal: AbortSignal): Promise<string> {
  const health = healthClient(target, channelCredentials(securityConfig()));
  try {
    return await waitForHealth(health, 'SERVING', 30_000, signal);
  } finally {
    health.close();
  }
}

/** Chroma restarts `up` makes before it stops the mesh instead. */
const MAX_CHROMA_RESTARTS = 3;

/** "the conversation service exited unexpectedly (signal SIGKILL; its log: …/conversation.log)" */
function describeExit(exit: UnexpectedExit): string {
  const who = exit.instance === 'chroma' ? 'Chroma' : `the ${exit.instance} service`;
  const details = [
    exit.signal ? `signal ${exit.signal}` : exit.code !== null ? `code ${exit.code}` : undefined,
    exit.logFile ? `its log: ${exit.logFile}` : undefined,
  ].filter((detail) => detail !== undefined);
  return `${who} exited unexpectedly${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}
