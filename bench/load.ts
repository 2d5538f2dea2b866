// `npm run load -- --concurrency N --duration S [--target host:port] [--query TEXT] [--deadline-ms MS]`:
// a closed-loop load test of a running mesh (localhost or a cluster's ConversationService): N
// callers each streaming one StreamChat turn after another for S seconds. Progress goes to stderr
// every second; the summary (throughput, latency percentiles, errors by gRPC status) to stdout.
// The target defaults to CONVERSATION_TARGET (127.0.0.1:50051); TLS and the bearer token follow
// the same TRACEMESH_TLS_* / TRACEMESH_AUTH_TOKEN settings as every client.
import { parseArgs } from 'node:util';
import { conversationTarget } from '../lib/config.js';
import { runClosedLoop } from './harness/closed-loop.js';
import { GrpcTurnClient } from './harness/grpc-turn.js';
import { SEED_QUERY } from './harness/queries.js';
import { distribution } from './harness/stats.js';

const USAGE = [
  'usage: npm run load -- [--concurrency N] [--duration S] [--target host:port] [--query TEXT] [--deadline-ms MS] [--json]',
  '  a closed-loop load test of a running mesh: N callers (default 8), each streaming one turn after another, for S seconds (default 10);',
  '  the target defaults to CONVERSATION_TARGET, else 127.0.0.1:$CONVERSATION_PORT; progress on stderr, the summary on stdout',
].join('\n');

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', short: 'c' },
      duration: { type: 'string', short: 'd' },
      target: { type: 'string', short: 't' },
      query: { type: 'string', short: 'q' },
      'deadline-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const concurrency = Math.round(positiveNumber('concurrency', values.concurrency, 8));
  const durationS = positiveNumber('duration', values.duration, 10);
  const deadlineMs = positiveNumber('deadline-ms', values['deadline-ms'], 120_000);
  const target = values.target ?? conversationTarget();
  const query = values.query ?? SEED_QUERY;
  const client = new GrpcTurnClient(target);
  process.stderr.write(`load: ${concurrency} callers for ${durationS} s against ${target}\n`);
  let previousDone = 0;
  const result = await runClosedLoop(() => client.turn(query, deadlineMs), {
    concurrency,
    durationMs: durationS * 1000,
    onProgress: (done, elapsedMs, errors) => {
      process.stderr.write(`  ${(elapsedMs / 1000).toFixed(0).padStart(4)} s  ${String(done).padStart(7)} turns  ${String(done - previousDone).padStart(5)}/s  ${errors} errors\n`);
      previousDone = done;
    },
  });
  client.close();
  const latency = distribution(result.latenciesMs);
  const summary = {
    target,
    concurrency,
    durationSeconds: result.elapsedMs / 1000,
    turnsCompleted: result.completed,
    turnsFailed: result.failed,
    throughputTurnsPerSecond: result.throughput,
    latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, min: latency.min, max: latency.max, mean: latency.mean },
    errorsByStatus: result.errorsByCode,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
    process.stdout.write(
      [
        `target        ${target}`,
        `callers       ${concurrency}, ${summary.durationSeconds.toFixed(1)} s`,
        `turns         ${result.completed} completed, ${result.failed} failed`,
        `throughput    ${result.throughput.toFixed(2)} turns/s`,
        `latency       p50 ${ms(latency.p50)}  p90 ${ms(latency.p90)}  p99 ${ms(latency.p99)}  (min ${ms(latency.min)}, max ${ms(latency.max)})`,
        `errors        ${Object.keys(result.errorsByCode).length === 0 ? 'none' : Object.entries(result.errorsByCode).map(([code, n]) => `${code} ×${n}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  }
  process.exitCode = result.completed === 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
