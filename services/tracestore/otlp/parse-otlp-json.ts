// Reads an OTLP/JSON ExportTraceServiceRequest (as @opentelemetry/exporter-trace-otlp-http sends
// it: hex ids, nanosecond timestamps as strings, typed attribute values) into plain spans. Anything
// malformed is a 400 that names the JSON path, e.g. resourceSpans[0].scopeSpans[0].spans[3].spanId.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import { badRequest } from '../http/http-error.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: JsonObject;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  events: { name: string; timeUnixNano: bigint; attributes: JsonObject }[];
  resource: JsonObject;
  scope: { name?: string; version?: string };
}

export function parseOtlpJson(body: JsonValue | undefined): OtlpSpan[] {
  if (!isJsonObject(body)) throw badRequest('an OTLP/JSON body must be a JSON object with resourceSpans');
  const spans: OtlpSpan[] = [];
  for (const [r, resourceSpans] of arrayAt(body.resourceSpans, 'resourceSpans').entries()) {
    const rAt = `resourceSpans[${r}]`;
    const resourceSpansObject = objectAt(resourceSpans, rAt);
    const resource = optionalObjectAt(resourceSpansObject.resource, `${rAt}.resource`);
    const resourceAttributes = attributesAt(resource?.attributes, `${rAt}.resource.attributes`);
    // "instrumentationLibrarySpans" is the pre-1.0 name of scopeSpans.
    const scopeList = resourceSpansObject.scopeSpans ?? resourceSpansObject.instrumentationLibrarySpans;
    for (const [s, scopeSpans] of arrayAt(scopeList, `${rAt}.scopeSpans`).entries()) {
      const sAt = `${rAt}.scopeSpans[${s}]`;
      const scopeSpansObject = objectAt(scopeSpans, sAt);
      const scope = optionalObjectAt(scopeSpansObject.scope ?? scopeSpansObject.instrumentationLibrary, `${sAt}.scope`);
      const scopeInfo = {
        name: typeof scope?.name === 'string' ? scope.name : undefined,
        version: typeof scope?.version === 'string' ? scope.version : undefined,
      };
      for (const [i, span] of arrayAt(scopeSpansObject.spans, `${sAt}.spans`).entries()) {
        spans.push(parseSpan(span, `${sAt}.spans[${i}]`, resourceAttributes, scopeInfo));
      }
    }
  }
  return spans;
}

function parseSpan(value: JsonValue, at: string, resource: JsonObject, scope: OtlpSpan['scope']): OtlpSpan {
  const span = objectAt(value, at);
  const traceId = idAt(span.traceId, 16, `${at}.traceId`);
  const spanId = idAt(span.spanId, 8, `${at}.spanId`);
  const parentRaw = span.parentSpanId;
  const parentSpanId = parentRaw === undefined || parentRaw === null || parentRaw === '' ? undefined : idAt(parentRaw, 8, `${at}.parentSpanId`);
  if (typeof span.name !== 'string') throw badRequest(`${at}.name must be a string`);
  const status = optionalObjectAt(span.status, `${at}.status`);
  const statusCode = status?.code === undefined || status.code === null ? 0 : enumAt(status.code, STATUS_CODE_NAMES, `${at}.status.code`);
  const kind = span.kind === undefined || span.kind === null ? 0 : enumAt(span.kind, SPAN_KIND_NAMES, `${at}.kind`);
  const startTimeUnixNano = nanosAt(span.startTimeUnixNano, `${at}.startTimeUnixNano`);
  const endRaw = span.endTimeUnixNano;
  const endTimeUnixNano = endRaw === undefined || endRaw === null ? startTimeUnixNano : nanosAt(endRaw, `${at}.endTimeUnixNano`);
  const events = span.events === undefined || span.events === null ? [] : arrayAt(span.events, `${at}.events`).map((event, e) => {
    const eAt = `${at}.events[${e}]`;
    const eventObject = objectAt(event, eAt);
    return {
      name: typeof eventObject.name === 'string' ? eventObject.name : '',
      timeUnixNano: nanosAt(eventObject.timeUnixNano ?? '0', `${eAt}.timeUnixNano`),
      attributes: attributesAt(eventObject.attributes, `${eAt}.attributes`),
    };
  });
  return {
    traceId,
    spanId,
    parentSpanId,
    name: span.name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: attributesAt(span.attributes, `${at}.attributes`),
    statusCode,
    statusMessage: typeof status?.message === 'string' && status.message !== '' ? status.message : undefined,
    events,
    resource,
    scope,
  };
}

/** [{key, value: AnyValue}] → {key: plain JSON value}. */
function attributesAt(value: JsonValue | undefined, at: string): JsonObject {
  const attributes: JsonObject = {};
  if (value === undefined || value === null) return attributes;
  for (const [i, entry] of arrayAt(value, at).entries()) {
    const keyValue = objectAt(entry, `${at}[${i}]`);
    if (typeof keyValue.key !== 'string') throw badRequest(`${at}[${i}].key must be a string`);
    attributes[keyValue.key] = anyValueAt(keyValue.value, `${at}[${i}].value`);
  }
  return attributes;
}

function anyValueAt(value: JsonValue | undefined, at: string): JsonValue {
  if (value === undefined || value === null) return null;
  const anyValue = objectAt(value, at);
  if (anyValue.stringValue !== undefined) return String(anyValue.stringValue);
  if (anyValue.boolValue !== undefined) return anyValue.boolValue === true || anyValue.boolValue === 'true';
  if (anyValue.intValue !== undefined) {
    // int64 may arrive as a string; keep it a string when a JS number would lose digits.
    const text = String(anyValue.intValue);
    if (!/^-?[0-9]+$/.test(text)) throw badRequest(`${at}.intValue must be an integer`);
    const number = Number(text);
    return Number.isSafeInteger(number) ? number : text;
  }
  if (anyValue.doubleValue !== undefined) {
    const number = Number(anyValue.doubleValue);
    return Number.isFinite(number) ? number : String(anyValue.doubleValue);
  }
  if (anyValue.bytesValue !== undefined) return String(anyValue.bytesValue);
  if (anyValue.arrayValue !== undefined) {
    const array = optionalObjectAt(anyValue.arrayValue, `${at}.arrayValue`);
    const values = array?.values === undefined || array.values === null ? [] : arrayAt(array.values, `${at}.arrayValue.values`);
    return values.map((item, i) => anyValueAt(item, `${at}.arrayValue.values[${i}]`));
  }
  if (anyValue.kvlistValue !== undefined) {
    const list = optionalObjectAt(anyValue.kvlistValue, `${at}.kvlistValue`);
    return attributesAt(list?.values, `${at}.kvlistValue.values`);
  }
  return null;
}

/** Hex as OTLP/JSON specifies; base64 (proto3 JSON bytes) is accepted and converted. */
function idAt(value: JsonValue | undefined, bytes: number, at: string): string {
  if (typeof value !== 'string') throw badRequest(`${at} must be a string of ${bytes * 2} hex digits`);
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    if (/^0+$/.test(value)) throw badRequest(`${at} must not be all zeros`);
    return value.toLowerCase();
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  throw badRequest(`${at} must be ${bytes * 2} hex digits, got ${JSON.stringify(value).slice(0, 80)}`);
}

function nanosAt(value: JsonValue | undefined, at: string): bigint {
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value));
  // {low, high}: the protobuf-style long some exporters put in JSON.
  if (isJsonObject(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  }
  throw badRequest(`${at} must be nanoseconds since the epoch (a digit string)`);
}

// proto3 JSON allows enum names as well as numbers.
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER',
];

function enumAt(value: JsonValue, names: string[], at: string): number {
  if (typeof value === 'string' && names.includes(value)) return names.indexOf(value);
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw badRequest(`${at} must be one of ${names.join(', ')} or its number`);
  }
  return number;
}

function arrayAt(value: JsonValue | undefined, at: string): JsonValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`${at} must be an array`);
  return value;
}

function objectAt(value: JsonValue | undefined, at: string): JsonObject {
  if (!isJsonObject(value)) throw badRequest(`${at} must be an object`);
  return value;
}

function optionalObjectAt(value: JsonValue | undefined, at: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  return objectAt(value, at);
}
