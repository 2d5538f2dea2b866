// `tracemesh up`: the mesh on its default ports, each service its own process, until Ctrl-C.
import type { Command } from 'commander';
import { BUILT_IN_TOOL_SERVICE, chromaPort, conversationPort, dataDir, securityConfig, toolServices, toolworkerPort, tracestorePort } from '../../../../lib/config.js';
import { healthClient, waitForHealth } from '../../../../lib/grpc/health-client.js';
import { channelCredentials } from '../../../../lib/grpc/transport-security.js';
import { startMesh, type UnexpectedExit } from '../../../../lib/process/mesh-launcher.js';
import { superviseMesh, type Death, type FatalLoss, type SupervisorEvent } from '../../../../lib/process/mesh-supervisor.js';
import { positiveInteger } from '../number-arguments.js';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start the trace store, the tool worker and the conversation service; restart any that dies, until Ctrl-C')
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
      // A process that dies is started again after a backoff; one that keeps dying is given up on,
      // and `fatal` says when the mesh cannot go on without it (lib/process/mesh-supervisor.ts).
      const supervisor = superviseMesh(mesh, (event) => process.stderr.write(describeEvent(event)));
      // The conversation service listens before it serves: it reports SERVING once its workers
      // have answered ListTools. "ready" means a turn sent now is served. A process given up on or
      // Ctrl-C meanwhile ends the wait (one restarted meanwhile does not: the wait goes on).
      const waiting = new AbortController();
      void Promise.race([stopSignal, supervisor.fatal]).then(() => waiting.abort());
      const serving = await conversationServing(mesh.conversationTarget, waiting.signal);
      if (!waiting.signal.aborted) {
        process.stderr.write(
          serving === 'SERVING'
            ? 'ready — try: npm run tracemesh -- chat "…"   (Ctrl-C stops the mesh)\n'
            : `tracemesh: the conversation service is not serving yet (health: ${serving}); turns fail UNAVAILABLE until its tool workers answer — see its log\n`,
        );
      }
      const lost = await Promise.race([stopSignal, supervisor.fatal]);
      // No restart from now on: a pending backoff is cancelled, so Ctrl-C during one stops at once.
      supervisor.stop();
      if (!lost) {
        process.stderr.write('stopping…\n');
        await mesh.stop();
        return;
      }
      // A mesh without that process only answers errors: say so and end, rather than look ready.
      // Ctrl-C while the rest stop ends `up` at once (the services stop themselves when it goes away).
      process.off('SIGINT', onStopSignal);
      process.off('SIGTERM', onStopSignal);
      process.stderr.write(`tracemesh: ${describeLoss(lost)}; stopping the mesh\n`);
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

/** "Chroma", "the toolworker-2 service". */
function who(instance: string): string {
  return instance === 'chroma' ? 'Chroma' : `the ${instance} service`;
}

/** "the conversation service exited unexpectedly (signal SIGKILL; its log: …/conversation.log)" */
function describeExit(exit: UnexpectedExit): string {
  const details = [
    exit.signal ? `signal ${exit.signal}` : exit.code !== null ? `code ${exit.code}` : undefined,
    exit.logFile ? `its log: ${exit.logFile}` : undefined,
  ].filter((detail) => detail !== undefined);
  return `${who(exit.instance)} exited unexpectedly${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

/** The death's one-line description, and the last lines the process wrote (indented, under it). */
function describeDeath(death: Death): { headline: string; tail: string } {
  const indent = (lines: string[]): string => lines.map((line) => `    ${line.length > 300 ? `${line.slice(0, 300)}…` : line}\n`).join('');
  if (death.kind === 'exited') return { headline: describeExit(death.exit), tail: indent(death.exit.lastLines) };
  const [first = '', ...rest] = death.error.split('\n');
  // The launcher ends its error with what the process said (last chunks of its output).
  return { headline: `${who(death.instance)} did not start again: ${first.replace(/:$/, '')}`, tail: indent(rest.filter((line) => line.trim() !== '').slice(-5)) };
}

/** What is lost while the process is down, for the line that says it died. */
function meanwhile(instance: string, otherWorkers: number): string {
  if (instance === 'chroma') return 'knowledge searches fail UNAVAILABLE until it is back';
  if (instance === 'conversation') return 'turns fail UNAVAILABLE until it is back';
  if (instance === 'tracestore') return 'spans are dropped until it is back';
  return otherWorkers > 0 ? 'the other tool workers serve meanwhile' : 'tool calls fail until it is back';
}

function seconds(ms: number): string {
  return `${Number((ms / 1_000).toFixed(1))} s`;
}

/** The lines `up` prints for a supervisor event (each ends with a newline). */
function describeEvent(event: SupervisorEvent): string {
  if (event.kind === 'back') return `tracemesh: ${who(event.instance)} is back (${event.address}, down ${seconds(event.downMs)})\n`;
  const { headline, tail } = describeDeath(event.death);
  if (event.kind === 'down') {
    return `tracemesh: ${headline}; starting it again in ${seconds(event.restartInMs)} — ${meanwhile(event.instance, event.otherWorkers)}\n${tail}`;
  }
  const left = event.workers > 1 && event.workersLeft > 0 ? ` — the pool serves on with ${event.workersLeft} of ${event.workers} tool workers` : '';
  const how = event.inARow ? `in a row without becoming ready (over ${seconds(event.windowMs)})` : `within ${seconds(event.windowMs)}`;
  return `tracemesh: ${headline}; it died ${event.deaths} times ${how}: giving up on it${left}\n${tail}`;
}

/** "no tool worker is left", "the mesh cannot run without the conversation service" */
function describeLoss(loss: FatalLoss): string {
  return loss.reason === 'last-worker' ? 'no tool worker is left' : `the mesh cannot run without ${who(loss.instance)}`;
}
