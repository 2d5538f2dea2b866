// Opaque page cursors. The default order (newest _pagination_key first) pages by key, so rows
// written while a client pages never shift the pages; a custom sort pages by offset.
import { BtqlError } from './btql-error.js';

export type BtqlCursor = { kind: 'keyset'; after: string } | { kind: 'offset'; offset: number };

export function encodeCursor(cursor: BtqlCursor): string {
  const payload = cursor.kind === 'keyset' ? { k: cursor.after } : { o: cursor.offset };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): BtqlCursor {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BtqlError('the cursor is not one this store issued', 'cursor');
  }
  if (typeof payload === 'object' && payload !== null) {
    const { k, o } = payload as { k?: unknown; o?: unknown };
    if (typeof k === 'string' && /^p[0-9]+$/.test(k)) return { kind: 'keyset', after: k };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return { kind: 'offset', offset: o };
  }
  throw new BtqlError('the cursor is not one this store issued', 'cursor');
}
