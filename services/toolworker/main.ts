// The ToolWorker process: serves the tool registry over gRPC on TOOLWORKER_PORT.
import { host, toolworkerPort } from '../../lib/config.js';
import { TOOLWORKER_SERVICE_NAME, toolWorkerServiceDefinition } from '../../lib/grpc/protos.js';
import { startServer } from '../../lib/grpc/server.js';
import { meshServiceHandlers } from '../../lib/grpc/service-handlers.js';
import { createLogger } from '../../lib/logging.js';
import { announceReady } from '../../lib/process/ready.js';
import { guardStartup } from '../../lib/process/startup-failure.js';
import { stopOnSignals } from '../../lib/process/service-lifecycle.js';
import { initTracing } from '../../lib/tracing/tracing.js';
import { seedAtStartup } from './knowledge/knowledge-seeding.js';
import { createKnowledgeStoreFromEnv } from './knowledge/knowledge-store-factory.js';
import { createBuiltinRegistry } from './tools/index.js';
import { createToolWorkerHandlers } from './toolworker-service.js';

const startup = guardStartup('toolworker');
const log = createLogger('toolworker');
const tracing = initTracing('toolworker');
const knowledge = await createKnowledgeStoreFromEnv(log);
const registry = createBuiltinRegistry({ knowledge });

const service = await startServer({
  host: host(),
  port: toolworkerPort(),
  services: [TOOLWORKER_SERVICE_NAME],
  // Traced and, with TRACEMESH_AUTH_TOKEN set, authenticated: a worker runs tools for whoever reaches it.
  register: (server) => server.addService(toolWorkerServiceDefinition, meshServiceHandlers(toolWorkerServiceDefinition, createToolWorkerHandlers(registry, log), log)),
  log,
  addressSettings: ['TOOLWORKER_PORT', 'TRACEMESH_HOST'],
});
// SERVING once the knowledge base is searchable; with Chroma down at start, the other tools are
// served anyway and seeding retries in the background (searches fail UNAVAILABLE until then).
const seeding = await seedAtStartup(knowledge, { log });
service.setServing('SERVING');
log.info({
  address: service.address,
  tools: registry.list().map((t) => t.name),
  chroma_url: knowledge.chromaUrl,
  knowledge_seeded: knowledge.seeded,
  embedding_function: knowledge.embeddingFunctionId,
}, 'toolworker listening');
announceReady({ service: 'toolworker', address: service.address, port: service.port });
startup.started();

stopOnSignals(log, async () => {
  seeding.stop();
  await service.shutdown();
  await tracing.shutdown(3_000);
});
