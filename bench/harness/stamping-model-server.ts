// The offline model served over loopback HTTP with the clock in its text: every text delta starts
// with ⟦<request received>:<emitted>⟧, both process.hrtime.bigint() nanoseconds — the system's
// monotonic clock, shared by every process on the machine — the second taken just before the frame
// is written to the socket. A caller that reads the same clock when the delta reaches it knows
// exactly how long the delta took to get there. Deltas are paced STAMP_DELTA_MS apart (the model's
// think time), so what is measured is relay latency, not a queue.
//   node --import tsx bench/harness/stamping-model-server.ts   (announces its URL over IPC)
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSseFrame, OfflineClinicalModel, parseMessagesRequestText, replyToStreamEvents, type StreamEvent } from '../../lib/llm/offline/index.js';
import { announceReady } from '../../lib/process/ready.js';

const deltaMs = Number(process.env.STAMP_DELTA_MS ?? 5);
const model = new OfflineClinicalModel();

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function stream(res: ServerResponse, events: StreamEvent[], receivedNs: bigint): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const event of events) {
    if (res.destroyed) return;
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
      await pause(deltaMs);
      const stamped: StreamEvent = { ...event, delta: { type: 'text_delta', text: `⟦${receivedNs}:${process.hrtime.bigint()}⟧${event.delta.text}` } };
      res.write(encodeSseFrame(stamped));
    } else {
      res.write(encodeSseFrame(event));
    }
  }
  res.end();
}

const server = createServer({ keepAlive: true }, (req, res) => {
  const receivedNs = process.hrtime.bigint();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const request = parseMessagesRequestText(Buffer.concat(chunks).toString('utf8'));
      const reply = model.reply(request);
      if (!request.stream) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'this server only streams' } }));
        return;
      }
      void stream(res, replyToStreamEvents(reply), receivedNs);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: String(error) } }));
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  announceReady({ service: 'stamping-model', address: `http://127.0.0.1:${port}`, port });
});
process.once('SIGTERM', () => process.exit(0));
process.once('disconnect', () => process.exit(0));
