// Deleting and listing in the SQLite conversation store (the PostgreSQL store is exercised the same
// way end to end in replicas.test.ts): a delete never takes a conversation whose turn lease is
// unexpired, a turn completing after a delete does not bring it back, and listing pages by keyset.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConversationGoneError } from '../../services/conversation/store/conversation-store.js';
import { SqliteConversationStore } from '../../services/conversation/store/sqlite-conversation-store.js';

describe('conversation store: deleting and listing (SQLite)', () => {
  let store: SqliteConversationStore;
  const turn = (turnIndex: number, userMessage = 'question') => ({ turnIndex, userMessage, result: { text: 'answer', turnIndex }, startTime: new Date() });

  beforeEach(() => {
    store = new SqliteConversationStore(join(mkdtempSync(join(tmpdir(), 'tracemesh-delete-')), 'conversations.db'));
  });
  afterEach(() => store.close());

  it('deletes a conversation with its turns; a second delete finds nothing', async () => {
    await store.createConversation('conv_a');
    await store.appendTurn('conv_a', turn(0), [{ role: 'user', content: 'question' }]);
    assert.equal(await store.deleteConversation('conv_a'), 'deleted');
    assert.equal(await store.get('conv_a'), undefined);
    assert.deepEqual((await store.history('conv_a')).messages, [], 'its turns went with it');
    assert.equal(await store.deleteConversation('conv_a'), 'not_found');
  });

  it('leaves a conversation whose lease is unexpired; takes it once released or expired', async () => {
    await store.createConversation('conv_b');
    assert.equal(await store.claimTurn('conv_b', 'holder-1', 60_000), true);
    assert.equal(await store.deleteConversation('conv_b'), 'busy');
    await store.releaseTurn('conv_b', 'holder-1');
    assert.equal(await store.deleteConversation('conv_b'), 'deleted');
    await store.createConversation('conv_c');
    assert.equal(await store.claimTurn('conv_c', 'holder-2', 20), true);
    await delay(40);
    assert.equal(await store.deleteConversation('conv_c'), 'deleted', 'an expired lease does not keep it');
  });

  it('a turn that completes after its conversation was deleted (its lease had lapsed) is refused, not stored', async () => {
    await store.createConversation('conv_d');
    assert.equal(await store.claimTurn('conv_d', 'holder-3', 20), true);
    await delay(40);
    assert.equal(await store.deleteConversation('conv_d'), 'deleted');
    await assert.rejects(store.appendTurn('conv_d', turn(0), [{ role: 'user', content: 'question' }]), ConversationGoneError);
    assert.equal(await store.exists('conv_d'), false);
    assert.deepEqual((await store.history('conv_d')).messages, [], 'no orphan turn');
  });

  it('lists newest first by (update time, id), with the first message cut to 200 characters, page after page', async () => {
    // Created within the same millisecond or two: ties broken by id.
    for (const id of ['conv_1', 'conv_2', 'conv_3', 'conv_4']) await store.createConversation(id);
    await delay(5); // a later millisecond than the creations
    await store.appendTurn('conv_2', turn(0, 'x'.repeat(300)), []);
    const all = await store.listConversations(10);
    assert.equal(all[0]?.conversationId, 'conv_2', 'the last updated first');
    assert.equal(all[0]?.turnCount, 1);
    assert.equal(all[0]?.firstUserMessage.length, 200);
    const pages: string[] = [];
    let after = undefined;
    for (;;) {
      const page = await store.listConversations(1, after);
      if (page.length === 0) break;
      pages.push(...page.map((row) => row.conversationId));
      after = page.at(-1)?.cursor;
    }
    assert.deepEqual(pages, all.map((row) => row.conversationId));
    assert.equal(new Set(pages).size, 4);
  });
});
