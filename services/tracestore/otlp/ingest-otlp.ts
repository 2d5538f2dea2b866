// POST /otel/v1/traces: OTLP/JSON spans → span rows, each filed under its Braintrust parent
// (the span's braintrust.parent attribute, else the request's x-bt-parent header).
import type { JsonValue } from '../../../lib/json.js';
import { badRequest } from '../http/http-error.js';
import type { Registry } from '../store/registry.js';
import type { ObjectRef } from '../store/row-identity.js';
import type { RowStore, SpanWrite, WriteSummary } from '../store/row-store.js';
import { parseOtlpJson } from './parse-otlp-json.js';
import { spanToRow } from './span-to-row.js';

export function ingestOtlp(body: JsonValue | undefined, headerParent: string | undefined, registry: Registry, rows: RowStore): WriteSummary & { spans: number } {
  const spans = parseOtlpJson(body);
  const resolved = new Map<string, ObjectRef>();
  const resolve = (parent: string, where: string): ObjectRef => {
    let ref = resolved.get(parent);
    if (!ref) {
      ref = objectRefOfParent(parent, registry, where);
      resolved.set(parent, ref);
    }
    return ref;
  };
  const writes: SpanWrite[] = spans.map((span, i) => {
    const { parent, row } = spanToRow(span);
    if (parent) return { ref: resolve(parent, `span ${i} (${span.spanId}) attribute braintrust.parent`), row };
    if (!headerParent) {
      throw badRequest(`span ${i} (${span.spanId}) has no parent: send an x-bt-parent header (e.g. project_name:tracemesh) or a braintrust.parent attribute`);
    }
    return { ref: resolve(headerParent, 'x-bt-parent header'), row };
  });
  return { ...rows.writeSpans(writes), spans: spans.length };
}

/** "project_name:X" (registered on first use), "project_id:ID" or "experiment_id:ID". */
export function objectRefOfParent(parent: string, registry: Registry, where: string): ObjectRef {
  const colon = parent.indexOf(':');
  const kind = colon < 0 ? '' : parent.slice(0, colon);
  const value = colon < 0 ? '' : parent.slice(colon + 1).trim();
  if (value === '') throw badRequest(`${where}: "${parent}" should look like project_name:<name>, project_id:<id> or experiment_id:<id>`);
  switch (kind) {
    case 'project_name':
      return { objectType: 'project_logs', objectId: registry.registerProject(value).id };
    case 'project_id':
      return { objectType: 'project_logs', objectId: value };
    case 'experiment_id':
      return { objectType: 'experiment', objectId: value };
    default:
      throw badRequest(`${where}: unknown parent kind "${kind}" in "${parent}" (expected project_name, project_id or experiment_id)`);
  }
}
