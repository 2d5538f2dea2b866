// A mesh with every protection on — bearer-token auth on both services and the trace store, mTLS
// between all gRPC hops, PHI redaction in spans — started as real processes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { createConversationClient, streamTurn } from '../../clients/node/conversation-client.js';
import type { SecurityConfig } from '../../lib/config.js';
import { decodeErrorDetails } from '../../lib/grpc/errors.js';
import { meshClientSetup } from '../../lib/grpc/client-channel.js';
import { ConversationServiceClient, ToolWorkerServiceClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/certificates.js';
import { waitForTrace } from '../../clients/node/cli/trace-waiter.js';
import { failureOf } from '../helpers/call-failure.js';
import { localTraceBackend } from '../helpers/trace-rows.js';

const AUTH_TOKEN = `mesh-${randomBytes(12).toString('hex')}`;
const STORE_TOKEN = `store-${randomBytes(12).toString('hex')}`;
const PHI_QUERY =
  'Patient: Jane Doe, DOB 03/14/1979, MRN: A1234567, phone (555) 123-4567. A 45-year-old female, 5\'4", 180 lbs, with fatigue and thirst.';

describe('security: auth, mTLS, PHI redaction', function () {
  this.timeout(120_000);
  let mesh: RunningMesh;
  let certs: TestCertificates;
  let dataDir: string;
  let security: SecurityConfig;

  before(async () => {
    certs = makeTestCertificates();
    dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-secure-'));
    mesh = await startMesh({
      dataDir,
      env: {
        TRACEMESH_AUTH_TOKEN: AUTH_TOKEN,
        TRACESTORE_TOKEN: STORE_TOKEN,
        TRACEMESH_TLS_CERT: certs.serverCert,
        TRACEMESH_TLS_KEY: certs.serverKey,
        TRACEMESH_TLS_CA: certs.ca,
        TRACEMESH_TLS_CLIENT_AUTH: 'require',
        TRACEMESH_REDACT_PHI: '1',
        OFFLINE_MODEL_DELTA_DELAY_MS: '0',
        LOG_LEVEL: 'debug',
      },
    });
    security = {
      authToken: AUTH_TOKEN,
      tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey },
      requireClientCertificate: false,
      redactPhi: false,
    };
  });
  after(async () => mesh?.stop());

  it('completes a turn over mTLS with the token, through both authenticated hops', async () => {
    const client = createConversationClient(mesh.conversationTarget, security);
    const result = await streamTurn(client, 'A 50-year-old man, 180 cm, 90 kg: BMI?');
    client.close();
    assert.equal(result.stopReason, 'STOP_REASON_END_TURN');
    assert.equal(result.toolCalls[0]?.isError, false, 'the conversation service reached the worker with TLS and the token');
  });

  it('answers UNAUTHENTICATED without the token, or with a wrong one', async () => {
    const anonymous = createConversationClient(mesh.conversationTarget, { ...security, authToken: undefined });
    const missing = await failureOf(streamTurn(anonymous, 'hello'));
    anonymous.close();
    assert.equal(missing.code, status.UNAUTHENTICATED);
    assert.equal(decodeErrorDetails(missing).errorInfo?.reason, 'TOKEN_MISSING');
    const impostor = createConversationClient(mesh.conversationTarget, { ...security, authToken: 'not-the-token' });
    const wrong = await failureOf(streamTurn(impostor, 'hello'));
    impostor.close();
    assert.equal(wrong.code, status.UNAUTHENTICATED);
    assert.equal(decodeErrorDetails(wrong).errorInfo?.reason, 'TOKEN_INVALID');
  });

  it('answers UNAUTHENTICATED on the tool worker too: a caller that reaches it directly cannot run tools without the token', async () => {
    const execute = (authToken: string | undefined): Promise<unknown> => {
      const setup = meshClientSetup(mesh.toolworkerTarget, {}, { ...security, authToken });
      const worker = new ToolWorkerServiceClient(mesh.toolworkerTarget, setup.credentials, setup.options);
      const request = { toolName: 'calculate_clinical_metrics', arguments: { fields: { height: { numberValue: 70 }, weight: { numberValue: 180 } } } };
      return new Promise((resolve, reject) =>
        worker.executeTool(request, { deadline: Date.now() + 10_000 }, (error: Error | null, response: unknown) => {
          worker.close();
          if (error) reject(error);
          else resolve(response);
        }),
      );
    };
    const missing = await failureOf(execute(undefined));
    assert.equal(missing.code, status.UNAUTHENTICATED, missing.details);
    assert.equal(decodeErrorDetails(missing).errorInfo?.reason, 'TOKEN_MISSING');
    const wrong = await failureOf(execute('not-the-token'));
    assert.equal(wrong.code, status.UNAUTHENTICATED, wrong.details);
    assert.equal(decodeErrorDetails(wrong).errorInfo?.reason, 'TOKEN_INVALID');
    assert.ok(await execute(AUTH_TOKEN), 'with the token the same call runs');
  });

  it('refuses plaintext clients and TLS clients without a client certificate', async () => {
    const plaintext = new ConversationServiceClient(mesh.conversationTarget, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${AUTH_TOKEN}`);
    const insecure = await failureOf(streamTurn(plaintext, 'hello', { metadata, deadlineMs: 5_000 }));
    plaintext.close();
    assert.equal(insecure.code, status.UNAVAILABLE);
    const noClientCert = createConversationClient(mesh.conversationTarget, { ...security, tls: { caFile: certs.ca, certFile: undefined, keyFile: undefined } });
    const refused = await failureOf(streamTurn(noClientCert, 'hello', { deadlineMs: 5_000 }));
    noClientCert.close();
    assert.equal(refused.code, status.UNAVAILABLE);
  });

  it('protects the trace store with its own token (401 without it)', async () => {
    const url = mesh.tracestoreUrl ?? '';
    const anonymous = await fetch(`${url}/btql`, { method: 'POST', body: '{"query":"x"}', headers: { 'content-type': 'application/json' } });
    assert.equal(anonymous.status, 401);
    const wrong = await fetch(`${url}/btql`, { method: 'POST', body: '{"query":"x"}', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' } });
    assert.equal(wrong.status, 401);
    const probe = await fetch(`${url}/version`);
    assert.equal(probe.status, 200, 'the liveness endpoint needs no secret');
  });

  it('redacts PHI from span payloads, keeps the clinical facts, and never logs the secrets', async () => {
    const client = createConversationClient(mesh.conversationTarget, security);
    const result = await streamTurn(client, PHI_QUERY);
    client.close();
    const backend = localTraceBackend(mesh.tracestoreUrl ?? '', { token: STORE_TOKEN });
    const rows = await waitForTrace(backend, result.trace?.rootSpanId ?? '', {
      isComplete: (spans) => spans.filter((s) => JSON.stringify(s).includes('claude_messages_create')).length >= 2,
    });
    const stored = JSON.stringify(rows);
    assert.ok(stored.includes('server_process_turn'));
    for (const secret of ['Jane', 'Doe', '03/14/1979', 'A1234567', '123-4567']) {
      assert.ok(!stored.includes(secret), `${secret} does not reach the trace store`);
    }
    assert.match(stored, /\[REDACTED_NAME\]/);
    assert.match(stored, /45-year-old female/, 'clinical facts are kept');
    assert.ok(result.text.includes('30.9'), 'the model itself saw the real message');

    const logs = readdirSync(join(dataDir, 'logs')).map((file) => readFileSync(join(dataDir, 'logs', file), 'utf8')).join('\n');
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(AUTH_TOKEN), 'the auth token is never logged');
    assert.ok(!logs.includes(STORE_TOKEN), 'the trace store token is never logged');
  });
});
