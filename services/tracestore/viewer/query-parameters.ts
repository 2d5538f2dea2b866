// Reading the viewer's query parameters: blank is unset, texts are bounded, limits are whole numbers
// in range, cursors are ones this server gave out — each mistake a 400 naming the parameter.
import { badRequest } from '../http/http-error.js';

const MAX_TEXT_LENGTH = 500;

/** The parameter trimmed, or undefined when missing or blank. */
export function nonEmpty(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key)?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_TEXT_LENGTH) throw badRequest(`query parameter "${key}" is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}

/** `limit`: `fallback` when unset, else an integer from 1 to `max`. */
export function limitParameter(params: URLSearchParams, fallback: number, max: number): number {
  const raw = params.get('limit');
  if (raw === null || raw === '') return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw badRequest(`query parameter "limit" must be an integer from 1 to ${max}`);
  return limit;
}

/** A cursor this server gave out (base64url of a JSON array) as its parts; anything else is a 400. */
export function cursorParts(text: string, isValid: (parts: unknown[]) => boolean): unknown[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || !isValid(decoded)) throw badRequest('query parameter "cursor" is not a cursor this server gave out');
  return decoded;
}
