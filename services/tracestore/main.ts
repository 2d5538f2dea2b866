// The trace store as a process: `node --import tsx services/tracestore/main.ts`.
// TRACESTORE_PORT (0 = any free port), TRACEMESH_DATA_DIR (database <dir>/traces.db),
// TRACESTORE_TOKEN (optional bearer token), TRACESTORE_PUBLIC_URL (optional, behind a proxy),
// TRACESTORE_QUERY_THREADS / TRACESTORE_QUERY_TIMEOUT_MS (the read threads and their time limit),
// TRACESTORE_RETENTION_DAYS (optional: project logs older than this are deleted).
import { join } from 'node:path';
import { dataDir, host, tracestorePort, tracestoreQueryConfig, tracestoreRetentionDays } from '../../lib/config.js';
import { createLogger } from '../../lib/logging.js';
import { announceReady } from '../../lib/process/ready.js';
import { guardStartup, listenFailure } from '../../lib/process/startup-failure.js';
import { stopOnSignals } from '../../lib/process/service-lifecycle.js';
import { startTraceStore } from './trace-store.js';

const startup = guardStartup('tracestore');
const log = createLogger('tracestore');

async function main(): Promise<void> {
  const token = process.env.TRACESTORE_TOKEN?.trim() || undefined;
  const publicUrl = process.env.TRACESTORE_PUBLIC_URL?.trim() || undefined;
  const retentionDays = tracestoreRetentionDays();
  const [port, address] = [tracestorePort(), host()];
  const store = await startTraceStore({
    port,
    host: address,
    dbPath: join(dataDir(), 'traces.db'),
    token,
    publicUrl,
    logger: log,
    query: tracestoreQueryConfig(),
    ...(retentionDays === undefined ? {} : { retention: { days: retentionDays } }),
  }).catch((error: unknown) => {
    throw listenFailure(error, `${address}:${port}`, ['TRACESTORE_PORT', 'TRACEMESH_HOST']);
  });
  stopOnSignals(log, store.close);
  announceReady({ service: 'tracestore', address: store.url, port: store.port });
  startup.started();
}

await main();
