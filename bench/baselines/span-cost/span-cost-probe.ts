// A process that only makes spans, for the span-cost scenario: tracing set up exactly as a mesh
// process sets it up (lib/tracing/tracing.ts), sending to the trace store at SPAN_COST_STORE_URL.
// Asked over IPC for `{ kind, spans }`, it makes that many spans shaped like one of the agent loop's
// model-call spans — through the Braintrust SDK (what the mesh does) or as an OTel span carrying
// the same fields in braintrust.* attributes (Braintrust's OTel path) — flushes, and answers with
// the CPU time it took (user + system, this process only: the store's ingest is not counted).
import { SpanKind } from '@opentelemetry/api';
import { announceReady } from '../../../lib/process/ready.js';
import { traced } from '../../../lib/tracing/spans.js';
import { initTracing } from '../../../lib/tracing/tracing.js';

export type SpanKindProbed = 'braintrust-sdk' | 'otel';
export interface SpanCostRequest { kind: SpanKindProbed; spans: number }
export interface SpanCostAnswer { kind: SpanKindProbed; spans: number; cpuMicros: number; sent: number }

const storeUrl = process.env.SPAN_COST_STORE_URL ?? '';
// A round makes its 3,000 spans before sending them, and every one must arrive: no bound on what waits.
const tracing = initTracing('span-cost-probe', {
  enabled: true,
  projectName: 'span-cost',
  backend: 'local',
  apiKey: 'bench',
  appUrl: storeUrl,
  apiUrl: storeUrl,
  maxWaitingRows: Number.POSITIVE_INFINITY,
});

// One model call's span as the agent loop logs it: the prompt (system + a tool round) in, the answer out.
const system = 'You are a careful clinical assistant for primary-care clinicians. '.repeat(8);
const input = [
  { role: 'system', content: system },
  { role: 'user', content: 'BMI of a 180 cm, 80 kg patient, and is warfarin with aspirin a concern?' },
  { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_01', name: 'calculate_clinical_metrics', input: { height_cm: 180, weight_kg: 80 } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: JSON.stringify({ bmi: 24.7, category: 'normal weight' }) }] },
];
const output = { role: 'assistant', content: [{ type: 'text', text: 'BMI 24.7 (normal weight). Warfarin with aspirin raises the bleeding risk.' }] };
const metadata = { model: 'tracemesh-offline-clinical', max_tokens: 1024, provider: 'offline', iteration: 1, tools: ['calculate_clinical_metrics', 'check_medications', 'search_medical_knowledge'] };
const ended = { stop_reason: 'end_turn', message_id: 'msg_01' };
const metrics = { prompt_tokens: 412, completion_tokens: 23, tokens: 435, time_to_first_token: 0.0012 };

function braintrustSdkSpan(): Promise<void> {
  return traced({ name: 'claude_messages_create', type: 'llm', event: { input, metadata } }, async (span) => {
    span.log({ output, metadata: ended, metrics });
  });
}

function otelSpan(): Promise<void> {
  const attributes = {
    'braintrust.span_attributes': JSON.stringify({ type: 'llm' }),
    'braintrust.input_json': JSON.stringify(input),
    'braintrust.metadata': JSON.stringify(metadata),
  };
  return tracing.tracer.startActiveSpan('claude_messages_create', { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    span.setAttributes({
      'braintrust.output_json': JSON.stringify(output),
      'braintrust.metadata': JSON.stringify({ ...metadata, ...ended }),
      'braintrust.metrics': JSON.stringify(metrics),
    });
    span.end();
  });
}

async function measure(request: SpanCostRequest): Promise<SpanCostAnswer> {
  const make = request.kind === 'otel' ? otelSpan : braintrustSdkSpan;
  const before = tracing.exportCounts();
  const started = process.cpuUsage();
  for (let i = 0; i < request.spans; i++) {
    await make();
    // Let the flush timers and the exporter's responses run, as they do between a service's requests.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await tracing.flush(30_000);
  const cpu = process.cpuUsage(started);
  const after = tracing.exportCounts();
  const sent = request.kind === 'otel' ? after.spansSent - before.spansSent : after.rowsSent - before.rowsSent;
  return { kind: request.kind, spans: request.spans, cpuMicros: cpu.user + cpu.system, sent };
}

process.on('message', (message: SpanCostRequest) => {
  measure(message).then(
    (answer) => process.send?.(answer),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.once('disconnect', () => process.exit(0));
announceReady({ service: 'span-cost-probe', address: storeUrl, port: 0 });
