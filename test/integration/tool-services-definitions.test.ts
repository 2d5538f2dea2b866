// What the conversation service offers the model from its tool services, against real gRPC servers
// on free ports: a definition the Anthropic API would refuse (a bad name, a schema that is not an
// object) is left out and logged once — with Claude, one such tool would fail every turn — and
// another service that never answers offers nothing, without holding the built-in workers' list up.
// In a mesh with TLS, a team's plaintext service is reached with TOOL_SERVICE_<NAME>_TLS=off.
// A refreshed list that differs only in order (a Struct's keys, the tools) is offered byte for
// byte as before: the tools open every prompt, and the model API's prompt cache keys on the bytes.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { ListToolsResponse } from '../../gen/ts/tracemesh/toolworker/v1/ListToolsResponse.js';
import { toolWorkerServiceDefinition } from '../../lib/grpc/protos.js';
import { toStruct } from '../../lib/grpc/struct.js';
import type { JsonObject } from '../../lib/json.js';
import { createLogger } from '../../lib/logging.js';
import { findFreePort } from '../../lib/process/free-port.js';
import { ToolServices } from '../../services/conversation/tool-services.js';
import { makeTestCertificates } from '../helpers/certificates.js';
import { restoreEnvAfterEach } from '../helpers/saved-env.js';

const OBJECT_SCHEMA: JsonObject = { type: 'object', properties: { q: { type: 'string' } } };

/** A ToolWorkerService that lists the given tools (ExecuteTool is not needed here). */
async function toolServer(tools: Array<{ name: string; schema: JsonObject }>): Promise<{ target: string; stop(): void }> {
  const server = new Server();
  server.addService(toolWorkerServiceDefinition, {
    ListTools: (_call: ServerUnaryCall<unknown, ListToolsResponse>, callback: sendUnaryData<ListToolsResponse>) =>
      callback(null, { tools: tools.map((tool) => ({ name: tool.name, description: `the ${tool.name} tool`, inputSchema: toStruct(tool.schema) })) }),
    ExecuteTool: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => callback(null, {}),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { target: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

describe('tool definitions from tool services', function () {
  this.timeout(30_000);
  const lines: string[] = [];
  const log = createLogger('tool-services-test', { write: (line: string) => void lines.push(line) });

  it('leaves out what the model API would refuse, logs each once, and waits for no other service', async () => {
    const builtIn = await toolServer([
      { name: 'good_tool', schema: OBJECT_SCHEMA },
      { name: 'bad name!', schema: OBJECT_SCHEMA },
    ]);
    const team = await toolServer([{ name: 'string_schema_tool', schema: { type: 'string' } }, { name: 'team_tool', schema: OBJECT_SCHEMA }]);
    const silentPort = await findFreePort(); // nothing listens here
    const services = new ToolServices(
      [
        { name: 'toolworker', target: builtIn.target },
        { name: 'team', target: team.target, authToken: null },
        { name: 'gone', target: `127.0.0.1:${silentPort}`, authToken: null },
      ],
      { toolTimeoutMs: 2_000, toolListTtlMs: 60_000, log },
      log,
    );
    try {
      const started = performance.now();
      const first = await services.listTools();
      assert.ok(performance.now() - started < 1_500, 'the built-in list does not wait for the other services');
      assert.deepEqual(first.map((tool) => tool.name), ['good_tool'], 'other services offer nothing before they answer');

      for (let waited = 0; services.unanswered().includes('team'); waited += 50) {
        assert.ok(waited < 10_000, 'the team service answers');
        await delay(50);
      }
      for (let turn = 0; turn < 3; turn++) {
        assert.deepEqual((await services.listTools()).map((tool) => tool.name), ['good_tool', 'team_tool']);
      }
      assert.deepEqual(services.unanswered(), ['gone']);
      assert.equal(services.serviceOf('team_tool'), 'team');

      const refused = lines.filter((line) => line.includes('the model API would refuse')).map((line) => JSON.parse(line) as { tool: string; toolService: string; problem: string });
      assert.deepEqual(
        refused.map((r) => `${r.toolService}/${r.tool}`).sort(),
        ['team/string_schema_tool', 'toolworker/bad name!'],
        'each refused definition logged once, over several turns',
      );
      assert.match(refused.find((r) => r.tool === 'bad name!')?.problem ?? '', /name must be 1–64 letters, digits, _ or -/);
      assert.match(refused.find((r) => r.tool === 'string_schema_tool')?.problem ?? '', /input_schema must be a JSON Schema of type "object"/);
    } finally {
      services.close();
      builtIn.stop();
      team.stop();
    }
  });

  it('offers the same bytes while the tools stay the same, whatever order a refresh brings their keys and the tools in', async () => {
    // A service whose runtime does not keep a map's order (Go shuffles it): every answer reverses the keys and the tools.
    let answers = 0;
    const reversed = (value: unknown): unknown =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversed(inner)]))
        : value;
    const schemas: Record<string, JsonObject> = {
      first_tool: { type: 'object', properties: { weight: { type: 'number', description: 'kg' }, height: { type: 'number' } }, required: ['weight'] },
      second_tool: OBJECT_SCHEMA,
    };
    const server = new Server();
    server.addService(toolWorkerServiceDefinition, {
      ListTools: (_call: ServerUnaryCall<unknown, ListToolsResponse>, callback: sendUnaryData<ListToolsResponse>) => {
        const flip = answers++ % 2 === 1;
        const names = flip ? ['second_tool', 'first_tool'] : ['first_tool', 'second_tool'];
        callback(null, { tools: names.map((name) => ({ name, description: `the ${name}`, inputSchema: toStruct((flip ? reversed(schemas[name]) : schemas[name]) as JsonObject) })) });
      },
      ExecuteTool: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => callback(null, {}),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    // Every list is stale at once: each turn starts a refresh.
    const services = new ToolServices([{ name: 'toolworker', target: `127.0.0.1:${port}` }], { toolTimeoutMs: 2_000, toolListTtlMs: 0, log }, log);
    try {
      const first = JSON.stringify(await services.listTools());
      for (let waited = 0; answers < 4; waited += 20) {
        assert.ok(waited < 10_000, 'the list is refreshed');
        assert.equal(JSON.stringify(await services.listTools()), first);
        await delay(20);
      }
      assert.equal(JSON.stringify(await services.listTools()), first);
    } finally {
      services.close();
      server.forceShutdown();
    }
  });

  describe('in a mesh with TLS', () => {
    restoreEnvAfterEach(['TRACEMESH_TLS_CERT', 'TRACEMESH_TLS_KEY', 'TRACEMESH_TLS_CA']);

    it('reaches a plaintext service only when its TLS is turned off', async () => {
      const certs = makeTestCertificates();
      Object.assign(process.env, { TRACEMESH_TLS_CERT: certs.clientCert, TRACEMESH_TLS_KEY: certs.clientKey, TRACEMESH_TLS_CA: certs.ca });
      const builtIn = await toolServer([{ name: 'good_tool', schema: OBJECT_SCHEMA }]); // plaintext too: the built-in is reached with tls off here
      const plaintext = await toolServer([{ name: 'team_tool', schema: OBJECT_SCHEMA }]);
      const services = new ToolServices(
        [
          { name: 'toolworker', target: builtIn.target, tls: false },
          { name: 'off', target: plaintext.target, authToken: null, tls: false },
          { name: 'as-mesh', target: plaintext.target, authToken: null },
        ],
        { toolTimeoutMs: 2_000, toolListTtlMs: 60_000, log },
        log,
      );
      try {
        await services.listTools();
        for (let waited = 0; services.unanswered().includes('off'); waited += 50) {
          assert.ok(waited < 10_000, 'the plaintext service answers a plaintext channel');
          await delay(50);
        }
        await delay(1_000);
        assert.deepEqual(services.unanswered(), ['as-mesh'], 'a TLS channel (as the mesh) gets no answer from a plaintext server');
        assert.deepEqual((await services.listTools()).map((tool) => tool.name), ['good_tool', 'team_tool']);
        assert.equal(services.serviceOf('team_tool'), 'off');
      } finally {
        services.close();
        builtIn.stop();
        plaintext.stop();
      }
    });
  });
});
