// The Conversation process: the agent loop behind ConversationService on CONVERSATION_PORT.
// It reports SERVING once its built-in tool workers answer ListTools.
import { setTimeout as delay } from 'node:timers/promises';
import { conversationPort, host, maxRunningTurns, modelConfig, shutdownGraceMs, toolServices, toolTimeoutMs } from '../../lib/config.js';
import { CONVERSATION_SERVICE_NAME, conversationServiceDefinition } from '../../lib/grpc/protos.js';
import { startServer } from '../../lib/grpc/server.js';
import { meshServiceHandlers } from '../../lib/grpc/service-handlers.js';
import { createModelClient } from '../../lib/llm/model-client.js';
import { createLogger } from '../../lib/logging.js';
import { announceReady } from '../../lib/process/ready.js';
import { guardStartup } from '../../lib/process/startup-failure.js';
import { stopOnSignals } from '../../lib/process/service-lifecycle.js';
import { withoutTracing } from '../../lib/tracing/housekeeping-context.js';
import { initTracing } from '../../lib/tracing/tracing.js';
import { AgentLoop } from './agent-loop.js';
import { openConversationStore } from './store/open-conversation-store.js';
import { createConversationHandlers } from './conversation-service.js';
import { ToolServices } from './tool-services.js';
import { TurnTracker } from './turn-tracker.js';

const startup = guardStartup('conversation');
const log = createLogger('conversation');
const tracing = initTracing('conversation');
const config = modelConfig();
const graceMs = shutdownGraceMs(); // read at start: a bad value fails the start, not the shutdown
const model = createModelClient(config);
const toolServiceConfigs = toolServices();
const tools = new ToolServices(toolServiceConfigs, { toolTimeoutMs: toolTimeoutMs(), toolListTtlMs: 30_000, log }, log);
const store = await openConversationStore();
const maxRunning = maxRunningTurns();
const turns = new TurnTracker(store, log, maxRunning === undefined ? {} : { maxRunningTurns: maxRunning });
// A process on this host that was killed mid-turn left its conversations leased; they would refuse
// turns until the lease ran out (a minute).
await turns.freeLeasesOfEndedProcesses().then(
  (freed) => freed > 0 && log.info({ freed }, 'freed conversations held by a process that ended mid-turn'),
  (error: unknown) => log.warn({ err: error }, 'could not check the store for conversations held by an ended process'),
);
const handlers = createConversationHandlers({
  loop: new AgentLoop(model, tools, log),
  store,
  turns,
  defaults: {
    model: model.defaultModel,
    maxIterations: config.maxIterations,
    maxTokens: config.maxTokens,
    maxTurnTokens: config.maxTurnTokens,
    maxTurns: config.maxTurns,
    maxToolResultChars: config.maxToolResultChars,
  },
  log,
});

const service = await startServer({
  host: host(),
  port: conversationPort(),
  services: [CONVERSATION_SERVICE_NAME],
  register: (server) => server.addService(conversationServiceDefinition, meshServiceHandlers(conversationServiceDefinition, handlers, log)),
  log,
  addressSettings: ['CONVERSATION_PORT', 'TRACEMESH_HOST'],
});
log.info(
  { address: service.address, provider: model.provider, model: model.defaultModel, toolServices: toolServiceConfigs, store: store.kind },
  'conversation service listening',
);
announceReady({ service: 'conversation', address: service.address, port: service.port });
startup.started();

// SERVING once the built-in workers answer; until then health says NOT_SERVING and turns fail with
// UNAVAILABLE. Then, until every TOOL_SERVICES service has answered, ask them again every 2 s, so
// their tools are offered as soon as they are up rather than on the next turn after.
void (async () => {
  for (let attempt = 0; ; attempt++) {
    try {
      await withoutTracing(() => tools.listTools());
      service.setServing('SERVING');
      break;
    } catch (error) {
      if (attempt % 10 === 0) log.warn({ err: error }, 'tool workers not reachable yet');
      await delay(500);
    }
  }
  while (tools.unanswered().length > 0) await delay(2_000, undefined, { ref: false });
})();

stopOnSignals(log, async () => {
  // Drain: NOT_SERVING, new turns refused, running turns finish (up to the grace period); then
  // close what is left — idle Converse streams, health watchers — without waiting on them.
  service.setServing('NOT_SERVING');
  const drained = await turns.drain(graceMs);
  if (!drained) log.warn({ running: turns.running }, 'turns still running after the grace period; cancelling them');
  await service.shutdown(500);
  // The cancelled turns free their conversations as they stop; whatever they still hold then is
  // freed here, before the store closes under them.
  if (!(await turns.drain(2_000))) await turns.releaseAll();
  tools.close();
  await store.close();
  await tracing.shutdown(3_000);
});
