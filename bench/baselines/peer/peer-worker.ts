// The peer's tool worker, as the seed built it: a node:http server (keep-alive) with one endpoint
// per job — GET /tools, POST /execute {tool_name, tool_call_id, arguments} — that continues the
// caller's span from `x-bt-parent-span` and logs the tool's Braintrust span. The same tool
// registry and tracing setup as the mesh's worker; HTTP/JSON instead of gRPC.
import { createServer } from 'node:http';
import { isJsonObject } from '../../../lib/json.js';
import { createLogger } from '../../../lib/logging.js';
import { traced } from '../../../lib/tracing/spans.js';
import { initTracing } from '../../../lib/tracing/tracing.js';
import { createBuiltinRegistry } from '../../../services/toolworker/tools/index.js';
import { BT_PARENT_HEADER, headerValue, readJson, sendJson, serveUntilStopped } from './http-json.js';

const log = createLogger('peer-worker');
const tracing = initTracing('peer-worker');
const registry = createBuiltinRegistry();
const tools = registry.list().map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));

async function execute(body: unknown, parent: string | undefined): Promise<{ status: number; body: unknown }> {
  if (!isJsonObject(body) || typeof body.tool_name !== 'string') return { status: 400, body: { error: 'tool_name is required' } };
  const tool = registry.get(body.tool_name);
  if (!tool) return { status: 404, body: { error: `unknown tool ${body.tool_name}` } };
  const args = isJsonObject(body.arguments) ? body.arguments : {};
  return traced({ name: tool.name, type: 'tool', ...(parent ? { parent } : {}), event: { input: args, metadata: { tool_call_id: body.tool_call_id } } }, async (span) => {
    const started = performance.now();
    const violations = registry.validate(tool.name, args);
    if (violations.length > 0) return { status: 400, body: { error: violations.map((v) => `${v.field} ${v.description}`).join('; ') } };
    const outcome = await tool.execute(args, { signal: AbortSignal.timeout(30_000), log });
    const durationMs = performance.now() - started;
    span.log({ output: outcome.output, scores: outcome.scores, metrics: { duration_ms: durationMs } });
    return { status: 200, body: { result: outcome.output, scores: outcome.scores ?? {}, duration_ms: durationMs } };
  });
}

const server = createServer({ keepAlive: true }, (req, res) => {
  if (req.method === 'GET' && req.url === '/tools') {
    sendJson(res, 200, { tools });
    return;
  }
  if (req.method !== 'POST' || req.url !== '/execute') {
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  readJson(req)
    .then((body) => execute(body, headerValue(req, BT_PARENT_HEADER)))
    .then(
      (answer) => sendJson(res, answer.status, answer.body),
      (error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }),
    );
});
serveUntilStopped(server, 'peer-worker', tracing);
