// The streaming scenarios' system: the stamping model server, a mesh whose conversation service
// reaches it over loopback HTTP (ANTHROPIC_BASE_URL — how it reaches Claude in production), and an
// SDK client of that server in this process: the one-hop baseline.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { BenchContext } from './bench-context.js';
import { startHarnessProcess } from './node-process.js';
import { startMeshStack, type MeshStack } from './stacks.js';
import { readStamp, type DeltaStamp } from './stamped-delta.js';
import { OFFLINE_MODEL_NAME } from '../../lib/llm/offline/model-names.js';

export interface StampingStack {
  modelUrl: string;
  mesh: MeshStack;
  /** One streamed model call straight to the model server; `onDelta` gets each text delta's stamp and arrival time. */
  directCall(message: string, onDelta: (stamp: DeltaStamp, arrivedNs: bigint) => void): Promise<void>;
  stop(): Promise<void>;
}

export function stampingStack(context: BenchContext): Promise<StampingStack> {
  return context.own('stamping-model-mesh', async () => {
    const model = await startHarnessProcess('stamping-model', 'bench/harness/stamping-model-server.ts', { STAMP_DELTA_MS: '5' });
    const chroma = await context.chromaServer();
    const mesh = await startMeshStack('mesh-remote-model', chroma.url, {
      dataDir: context.settings.dataDir,
      env: context.processEnv(),
      tracing: true,
      extraEnv: { ANTHROPIC_BASE_URL: model.ready.address },
    });
    const client = new Anthropic({ apiKey: null, baseURL: model.ready.address, defaultHeaders: { authorization: null }, maxRetries: 0 });
    return {
      modelUrl: model.ready.address,
      mesh,
      async directCall(message, onDelta) {
        const messages: MessageParam[] = [{ role: 'user', content: message }];
        const stream = client.messages.stream({ model: OFFLINE_MODEL_NAME, max_tokens: 2048, messages });
        stream.on('text', (delta) => {
          const arrivedNs = process.hrtime.bigint();
          const stamp = readStamp(delta);
          if (stamp) onDelta(stamp, arrivedNs);
        });
        await stream.finalMessage();
      },
      stop: async () => {
        await mesh.stop();
        await model.stop();
      },
    };
  });
}
