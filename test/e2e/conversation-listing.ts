// Shared by the ListConversations / DeleteConversation tests (SQLite in conversation-rpcs, PostgreSQL
// in replicas): page through every stored conversation, and check the listing order.
import assert from 'node:assert/strict';
import type { ConversationServiceClient } from '../../gen/ts/tracemesh/conversation/v1/ConversationService.js';
import type { ConversationSummary__Output } from '../../gen/ts/tracemesh/conversation/v1/ConversationSummary.js';
import { listConversations } from '../../clients/node/conversation-client.js';

/**
 * Every conversation, page by page (`clients` take turns serving the pages); `betweenPages` runs
 * after each page but the last, e.g. to create conversations while the listing goes on.
 */
export async function listAll(
  clients: ConversationServiceClient[],
  pageSize: number,
  betweenPages: (pageIndex: number) => Promise<void> = async () => undefined,
): Promise<ConversationSummary__Output[]> {
  const all: ConversationSummary__Output[] = [];
  let pageToken = '';
  for (let pageIndex = 0; ; pageIndex++) {
    const client = clients[pageIndex % clients.length];
    assert.ok(client);
    const page = await listConversations(client, { pageSize, pageToken });
    assert.ok(page.conversations.length <= pageSize, `page ${pageIndex} holds at most page_size`);
    all.push(...page.conversations);
    if (page.nextPageToken === '') return all;
    assert.equal(page.conversations.length, pageSize, 'only the last page is short');
    pageToken = page.nextPageToken;
    await betweenPages(pageIndex);
  }
}

/** Seconds and nanos of a Timestamp, comparable as a pair (seconds come as a string or a number). */
function timeKey(time: ConversationSummary__Output['updateTime']): [number, number] {
  return [Number(time?.seconds ?? 0), time?.nanos ?? 0];
}

/**
 * Each conversation once, most recently updated first. Ties are not checked by id: PostgreSQL orders
 * by microseconds, and the Timestamps the service sends carry milliseconds.
 */
export function assertNewestFirstOnce(conversations: ConversationSummary__Output[]): void {
  const ids = conversations.map((c) => c.conversationId);
  assert.equal(new Set(ids).size, ids.length, 'no conversation is listed twice');
  for (let i = 1; i < conversations.length; i++) {
    const [before, after] = [conversations[i - 1], conversations[i]];
    assert.ok(before && after);
    const [bs, bn] = timeKey(before.updateTime);
    const [as, an] = timeKey(after.updateTime);
    const ordered = bs > as || (bs === as && bn >= an);
    assert.ok(ordered, `${before.conversationId} comes before ${after.conversationId}`);
  }
}
