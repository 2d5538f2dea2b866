// Braintrust's merge semantics for `_is_merge` rows: objects merge recursively, everything else
// (arrays included) is replaced, top-level `tags` are unioned, and paths listed in `_merge_paths`
// are replaced wholesale.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const SET_UNION_FIELDS = new Set(['tags']);

export function deepMerge(into: JsonObject, from: JsonObject, replacePaths: JsonValue[][] = []): JsonObject {
  const replace = new Set(replacePaths.map((path) => JSON.stringify(path)));
  return mergeAt(into, from, [], replace);
}

function mergeAt(into: JsonObject, from: JsonObject, path: string[], replace: Set<string>): JsonObject {
  for (const [key, incoming] of Object.entries(from)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const fullPath = [...path, key];
    const replaceHere = replace.has(JSON.stringify(fullPath));
    const existing = Object.hasOwn(into, key) ? into[key] : undefined;
    if (path.length === 0 && SET_UNION_FIELDS.has(key) && !replaceHere && Array.isArray(existing) && Array.isArray(incoming)) {
      into[key] = unionArrays(existing, incoming);
    } else if (isJsonObject(existing) && isJsonObject(incoming) && !replaceHere) {
      mergeAt(existing, incoming, fullPath, replace);
    } else {
      into[key] = incoming;
    }
  }
  return into;
}

function unionArrays(a: JsonValue[], b: JsonValue[]): JsonValue[] {
  const seen = new Set<string>();
  const result: JsonValue[] = [];
  for (const item of [...a, ...b]) {
    const key = JSON.stringify(item);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(item);
  }
  return result;
}
