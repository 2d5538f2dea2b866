// `tracemesh demo` (npm start): boots the mesh offline on free ports, streams the seed's patient
// query through it, then prints the turn's trace — every span from the three processes — and stops.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startMesh } from '../../../../lib/process/mesh-launcher.js';
import { initTracing } from '../../../../lib/tracing/tracing.js';
import { createConversationClient } from '../../conversation-client.js';
import { SEED_QUERY } from '../../seed-query.js';
import { TracedConversation } from '../../traced-conversation.js';
import { SPAN, spanMetadata, spanName, stringAt } from '../../span-fields.js';
import { TraceBackend } from '../../trace-reader.js';
import { buildSpanTree, renderSpanTree } from '../../trace-tree.js';
import { ChatPrinter } from '../chat-printer.js';
import { describeFailure } from '../grpc-failure.js';
import { waitForTrace } from '../trace-waiter.js';

const step = (text: string): boolean => process.stderr.write(`• ${text}\n`);

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the mesh, run the sample patient query streamed, print its trace, stop')
    .option('--query <text>', 'the patient query', SEED_QUERY)
    .option('--data-dir <dir>', 'keep databases and logs here (default: a new temporary directory)')
    .action(async (options: { query: string; dataDir?: string }) => {
      const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tracemesh-demo-'));
      step(`starting trace store, tool worker and conversation service (logs in ${join(dir, 'logs')})`);
      const mesh = await startMesh({ dataDir: dir, logs: 'file' });
      Object.assign(process.env, mesh.clientEnv);
      step(`mesh ready: conversation ${mesh.conversationTarget}, worker ${mesh.toolworkerTarget}, traces ${mesh.tracestoreUrl ?? 'Braintrust'}`);
      const tracing = initTracing('tracemesh-demo');
      const client = createConversationClient(mesh.conversationTarget);
      const conversation = new TracedConversation(client, { metadata: { source: 'demo' } });
      try {
        step(`patient query: ${options.query}\n`);
        const printer = new ChatPrinter();
        const result = await conversation.turn(options.query, { onEvent: printer.onEvent });
        printer.summary(result);
        conversation.finish();
        await tracing.flush(10_000);
        process.stderr.write('\n');
        step(`trace ${conversation.rootSpanId}:`);
        const rows = await waitForTrace(new TraceBackend(), conversation.rootSpanId, {
          // Complete once the answer's model call (the last span to end on the server) has arrived.
          isComplete: (spans) => spans.filter((s) => spanName(s) === SPAN.llmCall).length >= 2 && spans.some((s) => spanName(s) === SPAN.conversation),
        });
        process.stdout.write(`${renderSpanTree(buildSpanTree(rows))}\n`);
        const processes = new Set(rows.map((r) => stringAt(spanMetadata(r), 'service.name')).filter(Boolean));
        step(`${rows.length} spans, one root_span_id, from ${processes.size} processes: ${[...processes].join(', ')}`);
      } catch (error) {
        process.stderr.write(`\n${describeFailure(error)}\n`);
        process.exitCode = 1;
      } finally {
        client.close();
        await mesh.stop();
      }
    });
}
