// Several tool services behind one conversation (TOOL_SERVICES): the model is offered the union of
// their tools, each call goes to the service that offers its tool (with that service's own token,
// never the mesh's), and every service's spans land in the turn's one trace — including a worker
// written in Python. The conversation serves once its built-in workers answer; another service's
// tools are offered once it answers, and a service that goes away fails only its own tools.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { ToolCall__Output } from '../../gen/ts/tracemesh/conversation/v1/ToolCall.js';
import type { StreamChatResponse__Output } from '../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import { streamTurn } from '../../clients/node/conversation-client.js';
import { fromStruct } from '../../lib/grpc/struct.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { findFreePort } from '../../lib/process/free-port.js';
import { startMesh, startService, stopProcess, type RunningMesh, type ServiceProcess } from '../../lib/process/mesh-launcher.js';
import { checkHealth, healthClient, waitForHealth, type HealthClient } from '../../lib/grpc/health-client.js';
import { localTraceBackend, named, nearestAncestorNamed, parentOf, waitForSpans } from '../helpers/trace-rows.js';

const LABS_TOKEN = 'labs-own-secret';
const labWorkerScript = fileURLToPath(new URL('../../clients/python/lab_reference_worker.py', import.meta.url));

/** Starts the Python lab-reference worker on `port` and resolves once it prints its address line. */
function startLabWorker(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn('/usr/bin/python3', [labWorkerScript, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lab worker did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const ready = JSON.parse(line) as { port: number };
      if (ready.port === port) resolve(child);
      else reject(new Error(`the lab worker listens on ${ready.port}, not ${port}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lab worker exited (${code}): ${stderr}`));
    });
  });
}

function callNamed(calls: ToolCall__Output[], name: string): ToolCall__Output {
  return calls.find((call) => call.toolName === name) ?? assert.fail(`no ${name} call among ${calls.map((c) => c.toolName).join(', ')}`);
}

describe('several tool services behind one conversation (TOOL_SERVICES)', function () {
  this.timeout(180_000);
  let dataDir: string;
  let mesh: RunningMesh;
  let client: ConversationServiceClient;
  let health: HealthClient;
  let diagnostics: ServiceProcess | undefined;
  let labs: ChildProcess | undefined;
  let diagnosticsPort: number;
  let labsPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-tool-services-'));
    diagnosticsPort = await findFreePort();
    labsPort = await findFreePort();
    mesh = await startMesh({
      dataDir,
      env: { TOOL_SERVICES: `diag=127.0.0.1:${diagnosticsPort} labs=127.0.0.1:${labsPort}`, TOOL_SERVICE_LABS_TOKEN: LABS_TOKEN },
    });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
    health = healthClient(mesh.conversationTarget);
  });
  after(async () => {
    health?.close();
    client?.close();
    if (labs) await stopProcess(labs);
    if (diagnostics) await stopProcess(diagnostics.child);
    await mesh?.stop();
  });

  it('serves with the built-in workers alone, and offers another service’s tools once it answers', async () => {
    assert.equal(await waitForHealth(health, 'SERVING'), 'SERVING', 'neither extra service is up: the built-in workers are enough');
    const early = await streamTurn(client, 'Early: [[call lookup_lab_reference {"test": "TSH"}]] [[call calculate_clinical_metrics {"height": 64, "weight": 180}]]');
    assert.equal(callNamed(early.toolCalls, 'lookup_lab_reference').errorCode, 'NOT_FOUND', 'not offered before its service answers');
    assert.equal(callNamed(early.toolCalls, 'calculate_clinical_metrics').isError, false);

    const serviceEnv = { ...process.env, ...mesh.clientEnv, CHROMA_URL: mesh.chromaUrl, TRACEMESH_DATA_DIR: join(dataDir, 'diag') };
    mkdirSync(join(dataDir, 'diag'), { recursive: true });
    // A second Node worker, with the diagnostic tool: it also offers the clinical tools, which stay the built-in pool's.
    diagnostics = await startService(
      'toolworker',
      { ...serviceEnv, TOOLWORKER_PORT: String(diagnosticsPort), TOOLWORKER_DIAGNOSTIC_TOOLS: '1', TOOLWORKER_ID: 'diag-worker' },
      'file',
      join(dataDir, 'logs'),
      60_000,
      'toolworker-diag',
    );
    // The lab service demands its own token: the call succeeds only if the conversation sends TOOL_SERVICE_LABS_TOKEN.
    labs = await startLabWorker(labsPort, { ...serviceEnv, TRACEMESH_AUTH_TOKEN: LABS_TOKEN });
    const labsHealth = healthClient(`127.0.0.1:${labsPort}`);
    assert.equal(await checkHealth(labsHealth), 'SERVING', 'the Python service serves grpc.health.v1 (no token needed, as for probes)');
    assert.equal(await checkHealth(labsHealth, 'tracemesh.toolworker.v1.ToolWorkerService'), 'SERVING');
    labsHealth.close();
    for (let waited = 0; ; waited += 500) {
      const probe = await streamTurn(client, 'Probe: [[call lookup_lab_reference {"test": "TSH"}]] [[call diagnostics_sleep {"ms": 1}]]');
      if (probe.toolCalls.every((call) => !call.isError)) break;
      assert.ok(waited < 20_000, `both services' tools are offered within 20 s: ${probe.toolCalls.map((c) => `${c.toolName} ${c.errorCode}`).join(', ')}`);
      await delay(500);
    }
  });

  it('routes each call to the service that offers its tool, tells the caller which, and refuses a tool none offers', async () => {
    const started: string[] = [];
    const result = await streamTurn(
      client,
      'Routing: [[call diagnostics_sleep {"ms": 5}]] [[call calculate_clinical_metrics {"height": 64, "weight": 180}]] ' +
        '[[call lookup_lab_reference {"test": "potassium", "value": 6.8}]] [[call no_such_tool {}]]',
      {
        onEvent: (event: StreamChatResponse__Output) => {
          if (event.toolCallStarted) started.push(`${event.toolCallStarted.toolName}@${event.toolCallStarted.toolService}`);
        },
      },
    );
    assert.deepEqual(started.sort(), ['calculate_clinical_metrics@toolworker', 'diagnostics_sleep@diag', 'lookup_lab_reference@labs', 'no_such_tool@']);

    const sleep = callNamed(result.toolCalls, 'diagnostics_sleep');
    assert.equal(sleep.isError, false, sleep.errorMessage);
    assert.equal(sleep.toolService, 'diag');
    assert.equal(fromStruct(sleep.result).worker, 'diag-worker', 'the diagnostic service ran it');

    const bmi = callNamed(result.toolCalls, 'calculate_clinical_metrics');
    assert.equal(bmi.isError, false, bmi.errorMessage);
    assert.equal(bmi.toolService, 'toolworker', 'a tool both workers offer belongs to the first service');

    const potassium = callNamed(result.toolCalls, 'lookup_lab_reference');
    assert.equal(potassium.isError, false, potassium.errorMessage);
    assert.equal(potassium.toolService, 'labs');
    assert.equal(fromStruct(potassium.result).interpretation, 'critical', 'potassium 6.8 mmol/L is past the critical limit');

    const unknown = callNamed(result.toolCalls, 'no_such_tool');
    assert.equal(unknown.errorCode, 'NOT_FOUND');
    assert.equal(unknown.toolService, '');
    assert.match(unknown.errorMessage, /^unknown tool "no_such_tool" \(the tool services offer: .*calculate_clinical_metrics.*diagnostics_sleep.*lookup_lab_reference/);
    assert.match(result.text, /potassium/i, 'the model used the lab service’s answer');

    // Every service's spans are in the turn's one trace, each tool span under its own call's span.
    const rows = await waitForSpans(
      result.trace?.rootSpanId ?? '',
      { worker_execute_tool: 4, diagnostics_sleep: 1, calculate_clinical_metrics: 1, lookup_lab_reference: 1 },
      20_000,
      localTraceBackend(mesh.tracestoreUrl ?? ''),
    );
    for (const [tool, service] of [['diagnostics_sleep', 'diag'], ['calculate_clinical_metrics', 'toolworker'], ['lookup_lab_reference', 'labs']] as const) {
      const toolSpans = named(rows, tool);
      assert.equal(toolSpans.length, 1, `one ${tool} span`);
      const call = nearestAncestorNamed(rows, toolSpans[0]!, ['worker_execute_tool']);
      assert.equal((call?.metadata as Record<string, unknown> | undefined)?.tool_service, service, `${tool}'s span hangs under the call routed to ${service}`);
    }
    // The Python service's server span speaks the same conventions as the Node services'.
    const labServer = parentOf(rows, named(rows, 'lookup_lab_reference')[0]!);
    const labAttributes = (labServer?.metadata ?? {}) as Record<string, unknown>;
    assert.equal(labAttributes['rpc.method'], 'tracemesh.toolworker.v1.ToolWorkerService/ExecuteTool');
    assert.equal(labAttributes['network.peer.address'], '127.0.0.1');
    assert.ok(Number.isInteger(Number(labAttributes['network.peer.port'])), `a port: ${String(labAttributes['network.peer.port'])}`);
  });

  it('logs a tool offered twice once, not on every turn', async () => {
    await streamTurn(client, 'Again: [[call calculate_clinical_metrics {"height": 70, "weight": 170}]]');
    const log = readFileSync(join(dataDir, 'logs', 'conversation.log'), 'utf8');
    const duplicates = log.split('\n').filter((line) => line.includes('two tool services offer the same tool'));
    const tools = duplicates.map((line) => (JSON.parse(line) as { tool: string; ignored: string }).tool);
    assert.ok(tools.includes('calculate_clinical_metrics'), `the duplicate was reported: ${duplicates.join('\n')}`);
    assert.equal(new Set(tools).size, tools.length, `each duplicate once: ${tools.join(', ')}`);
    for (const line of duplicates) assert.equal((JSON.parse(line) as { ignored: string }).ignored, 'diag');
  });

  it('a service that goes away fails only its own tools; the others keep working', async () => {
    await stopProcess(labs!);
    labs = undefined;
    const result = await streamTurn(
      client,
      'Labs down: [[call lookup_lab_reference {"test": "TSH"}]] [[call calculate_clinical_metrics {"height": 64, "weight": 180}]]',
    );
    const lab = callNamed(result.toolCalls, 'lookup_lab_reference');
    assert.equal(lab.errorCode, 'UNAVAILABLE', lab.errorMessage);
    assert.equal(callNamed(result.toolCalls, 'calculate_clinical_metrics').isError, false);
    assert.equal(await checkHealth(health), 'SERVING', 'the known tool list is kept; the conversation still serves');
  });
});
