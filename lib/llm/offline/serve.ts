// Runs the offline model as a loopback HTTP server:
//   node --import tsx lib/llm/offline/serve.ts --port 8788 [--host 127.0.0.1] [--delta-delay-ms 4]
// then point any Anthropic client at it with ANTHROPIC_BASE_URL=http://127.0.0.1:8788.
import { parseArgs } from 'node:util';
import { modelConfig } from '../../config.js';
import { createLogger } from '../../logging.js';
import { announceReady } from '../../process/ready.js';
import { startOfflineModelServer } from './http-server.js';
import { OfflineClinicalModel } from './offline-model.js';

const SERVICE = 'offline-model';

function nonNegativeInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8788' },
      host: { type: 'string', default: '127.0.0.1' },
      'delta-delay-ms': { type: 'string' },
    },
  });
  const log = createLogger(SERVICE);
  const deltaDelayMs = values['delta-delay-ms'] !== undefined ? nonNegativeInteger('delta-delay-ms', values['delta-delay-ms']) : modelConfig().offlineDeltaDelayMs;
  const model = new OfflineClinicalModel({ contextTokens: modelConfig().offlineContextTokens });
  const server = await startOfflineModelServer({ port: nonNegativeInteger('port', values.port), host: values.host, deltaDelayMs, model });
  log.info({ url: server.url, deltaDelayMs }, 'offline model listening; set ANTHROPIC_BASE_URL to this url');
  announceReady({ service: SERVICE, address: server.url, port: server.port });

  const stop = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
