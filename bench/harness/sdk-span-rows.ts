// /logs3 batches exactly as the Braintrust SDK writes them, for loading the trace store: one
// turn-shaped trace (server_process_turn > 2 × claude_messages_create, 3 × worker_execute_tool >
// tool) is logged through the real SDK once, its request captured instead of sent, and then
// replayed with fresh ids, so the store sees the SDK's row shape at any rate the harness asks for.
import { randomUUID } from 'node:crypto';
import { flush, initLogger } from 'braintrust';
import { SEED_QUERY } from '../../clients/node/seed-query.js';
import { SYSTEM_PROMPT } from '../../services/conversation/system-prompt.js';

export interface SpanRowTemplate {
  projectId: string;
  /** The rows of one trace as JSON text, ids as they were captured. */
  rowsJson: string;
  /** Every id in the rows (row ids, span ids, the root span id), to be replaced per copy. */
  ids: string[];
  rootSpanId: string;
  spansPerTrace: number;
}

interface CapturedRow {
  id?: string;
  span_id?: string;
  root_span_id?: string;
  span_parents?: string[];
  project_id?: string;
}

export async function captureSdkTrace(storeUrl: string): Promise<SpanRowTemplate> {
  const captured: CapturedRow[] = [];
  const capturingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/logs3') && typeof init?.body === 'string') {
      captured.push(...(JSON.parse(init.body) as { rows: CapturedRow[] }).rows);
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return fetch(input, init);
  };
  const logger = initLogger({ projectName: 'bench-ingest', apiKey: 'bench', appUrl: storeUrl, asyncFlush: true, setCurrent: false, fetch: capturingFetch });
  const messages = [{ role: 'user', content: SEED_QUERY }];
  logger.traced(
    (turn) => {
      for (let iteration = 0; iteration < 2; iteration++) {
        turn.traced((llm) => llm.log({ output: { role: 'assistant', content: [{ type: 'text', text: 'Assessment and plan. '.repeat(20) }] }, metrics: { prompt_tokens: 930, completion_tokens: 400 } }), {
          name: 'claude_messages_create',
          type: 'llm',
          event: { input: [{ role: 'system', content: SYSTEM_PROMPT }, ...messages], metadata: { iteration } },
        });
      }
      for (const tool of ['calculate_clinical_metrics', 'check_medications', 'search_medical_knowledge']) {
        turn.traced(
          (call) => {
            call.traced((span) => span.log({ output: { bmi: { value: 30.9, category: 'obese' } }, scores: { health_risk: 0.3 } }), { name: tool, type: 'tool', event: { input: { height: 64, weight: 180 } } });
            call.log({ output: { bmi: { value: 30.9 } } });
          },
          { name: 'worker_execute_tool', type: 'function', event: { input: { tool_name: tool, arguments: { height: 64, weight: 180 } } } },
        );
      }
      turn.log({ output: { text: 'final answer '.repeat(40), stop_reason: 'STOP_REASON_END_TURN' } });
    },
    { name: 'server_process_turn', type: 'task', event: { input: { message: SEED_QUERY } } },
  );
  await logger.flush();
  await flush();
  const projectId = captured.find((row) => row.project_id)?.project_id;
  const rootSpanId = captured[0]?.root_span_id;
  if (!projectId || !rootSpanId) throw new Error('the SDK logged no rows');
  const ids = new Set<string>();
  for (const row of captured) {
    for (const id of [row.id, row.span_id, row.root_span_id, ...(row.span_parents ?? [])]) if (id) ids.add(id);
  }
  return { projectId, rowsJson: JSON.stringify(captured), ids: [...ids], rootSpanId, spansPerTrace: new Set(captured.map((row) => row.span_id)).size };
}

/** The template's rows with every id replaced by a fresh one; returns them and the new root span id. */
export function freshTrace(template: SpanRowTemplate): { rowsJson: string; rootSpanId: string } {
  const replacements = new Map(template.ids.map((id) => [id, randomUUID()]));
  const pattern = new RegExp(template.ids.map((id) => id.replace(/[-]/g, '\\-')).join('|'), 'g');
  const rowsJson = template.rowsJson.replace(pattern, (id) => replacements.get(id) ?? id);
  return { rowsJson, rootSpanId: replacements.get(template.rootSpanId) ?? '' };
}

/** A /logs3 body of `traces` fresh traces (the SDK sends up to 100 rows a request). */
export function logs3Body(template: SpanRowTemplate, traces: number): { body: string; rootSpanIds: string[]; rows: number } {
  const parts: string[] = [];
  const rootSpanIds: string[] = [];
  for (let i = 0; i < traces; i++) {
    const trace = freshTrace(template);
    parts.push(trace.rowsJson.slice(1, -1));
    rootSpanIds.push(trace.rootSpanId);
  }
  return { body: `{"rows":[${parts.join(',')}],"api_version":2}`, rootSpanIds, rows: traces * template.spansPerTrace };
}
