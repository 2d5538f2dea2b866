// Scripted tool calls: `[[call TOOL_NAME {json args}]]` in the last user message makes the offline
// model call exactly that tool with exactly those arguments, instead of choosing tools itself.
// A documented feature for reproducible demos and tests, e.g. asking for a tool that doesn't exist
// to exercise the unknown-tool path of the whole mesh.
import type { JsonObject } from '../../json.js';
import { isJsonObject } from '../../json.js';

export interface ScriptedCall {
  name: string;
  input: JsonObject;
}

export interface ScriptedCallParse {
  calls: ScriptedCall[];
  /** Directives that could not be read (bad JSON, args not an object), verbatim. */
  invalid: string[];
  /** The text with every directive removed, for fact extraction. */
  rest: string;
}

const OPENER = /\[\[\s*call\s+([A-Za-z0-9_.:-]+)\s*/g;

export function parseScriptedCalls(text: string): ScriptedCallParse {
  const calls: ScriptedCall[] = [];
  const invalid: string[] = [];
  let rest = '';
  let copiedUpTo = 0;
  OPENER.lastIndex = 0;
  for (let m = OPENER.exec(text); m !== null; m = OPENER.exec(text)) {
    const start = m.index;
    const name = m[1] ?? '';
    let cursor = OPENER.lastIndex;
    let input: JsonObject | undefined = {};
    if (text[cursor] === '{') {
      const end = endOfJsonObject(text, cursor);
      input = end === undefined ? undefined : parseObject(text.slice(cursor, end));
      cursor = end ?? cursor;
    }
    const close = /^\s*\]\]/.exec(text.slice(cursor));
    if (!close) {
      // Not a complete directive: leave it as ordinary text and keep scanning after its opener.
      invalid.push(text.slice(start, Math.min(text.length, cursor + 1)));
      continue;
    }
    const end = cursor + close[0].length;
    if (input === undefined) invalid.push(text.slice(start, end));
    else calls.push({ name, input });
    rest += text.slice(copiedUpTo, start);
    copiedUpTo = end;
    OPENER.lastIndex = end;
  }
  rest += text.slice(copiedUpTo);
  return { calls, invalid, rest };
}

/** Index just past the `}` that closes the object opening at `start`, honouring JSON strings. */
function endOfJsonObject(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

function parseObject(json: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return isJsonObject(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
