// Page tokens of ListConversations and ListTurns (AIP-158): where the previous page ended, as
// base64url JSON — opaque to callers, and checked when one comes back before any of it reaches a
// query. A token that does not decode, or belongs to another request, is undefined.
import type { ListCursor } from './store/conversation-store.js';
import { validateConversationId } from './turn-request.js';

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(token: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isConversationId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && validateConversationId(id) === undefined;
}

export function conversationsPageToken(cursor: ListCursor): string {
  return encode({ k: cursor.updateKey, id: cursor.conversationId });
}

export function conversationsPageCursor(token: string): ListCursor | undefined {
  const { k, id } = decode(token) ?? {};
  // A decimal key of at most 19 digits (a bigint) and a valid id.
  if (typeof k !== 'string' || !/^\d{1,19}$/.test(k) || !isConversationId(id)) return undefined;
  return { updateKey: k, conversationId: id };
}

export function turnsPageToken(conversationId: string, lastTurnIndex: number): string {
  return encode({ c: conversationId, i: lastTurnIndex });
}

/** The index of the last turn the previous page held, if the token is one of `conversationId`'s. */
export function turnsPageAfter(token: string, conversationId: string): number | undefined {
  const { c, i } = decode(token) ?? {};
  if (c !== conversationId || typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) return undefined;
  return i;
}
