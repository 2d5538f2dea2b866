// A mesh of its own for one describe block — started before its tests with the given settings,
// stopped after them — and a ConversationService client to it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import { ConversationServiceClient as ConversationClient } from '../../lib/grpc/protos.js';
import { startMesh, type RunningMesh } from '../../lib/process/mesh-launcher.js';

export interface SuiteMesh {
  mesh(): RunningMesh;
  client(): ConversationServiceClient;
  /** Where the mesh keeps its data and logs (<dataDir>/logs/<service>.log). */
  dataDir(): string;
}

export function suiteMesh(name: string, env: Record<string, string>): SuiteMesh {
  let mesh: RunningMesh | undefined;
  let client: ConversationServiceClient | undefined;
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `tracemesh-${name}-`));
    mesh = await startMesh({ dataDir, env });
    client = new ConversationClient(mesh.conversationTarget, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await mesh?.stop();
  });
  return {
    mesh: () => mesh ?? assert.fail('mesh not started'),
    client: () => client ?? assert.fail('mesh not started'),
    dataDir: () => dataDir,
  };
}
