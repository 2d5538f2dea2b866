// Both conversation stores behave the same: persistence, turn leases (exclusive, renewable,
// expiring), history order, one turn per index, idempotent migrations, and a history given back
// byte for byte (key order included) so the next turn's prompt matches what the model's prompt
// cache holds.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { DuplicateRequestError, StoreUnavailableError, type ConversationStore } from '../../services/conversation/store/conversation-store.js';
import { PostgresConversationStore } from '../../services/conversation/store/postgres-conversation-store.js';
import { SqliteConversationStore } from '../../services/conversation/store/sqlite-conversation-store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';

let postgres: TestPostgres | undefined;
const sqlitePath = join(mkdtempSync(join(tmpdir(), 'tracemesh-store-')), 'conversations.db');

const kinds: Array<[string, () => Promise<ConversationStore>]> = [
  ['sqlite', async () => new SqliteConversationStore(sqlitePath)],
  ['postgres', async () => PostgresConversationStore.connect((postgres ??= await startPostgres()).url, 15_000)],
];

after(() => postgres?.stop());

for (const [kind, open] of kinds) {
  describe(`conversation store: ${kind}`, function () {
    this.timeout(60_000);
    let store: ConversationStore;
    const id = `conv_${kind}_${Date.now()}`;

    before(async () => {
      store = await open();
    });
    after(async () => store?.close());

    it('creates, finds and lists conversations with their turns in order', async () => {
      assert.equal(await store.exists(id), false);
      await store.createConversation(id);
      assert.equal(await store.exists(id), true);
      for (const turnIndex of [0, 1]) {
        await store.appendTurn(
          id,
          { turnIndex, userMessage: `question ${turnIndex}`, result: { text: `answer ${turnIndex}`, turnIndex }, startTime: new Date() },
          [{ role: 'user', content: `question ${turnIndex}` }, { role: 'assistant', content: `answer ${turnIndex}` }],
        );
      }
      const history = await store.history(id);
      assert.equal(history.nextTurnIndex, 2);
      assert.deepEqual(history.messages.map((m) => m.content), ['question 0', 'answer 0', 'question 1', 'answer 1']);
      const stored = await store.get(id);
      assert.deepEqual(stored?.turns.map((t) => t.result.text), ['answer 0', 'answer 1']);
      assert.ok((stored?.updateTime.getTime() ?? 0) >= (stored?.createTime.getTime() ?? 0));
    });

    it('gives the history back byte for byte, keys in the order they were written (the prompt cache keys on it)', async () => {
      const turnId = `${id}_keys`;
      await store.createConversation(turnId);
      const messages: MessageParam[] = [
        { role: 'user', content: 'question' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'calculate_clinical_metrics', input: { weight: 92, height: 165, height_unit: 'cm', sex: 'female', age: 58 } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"bmi":33.8}' }] },
      ];
      await store.appendTurn(turnId, { turnIndex: 0, userMessage: 'question', result: {}, startTime: new Date() }, messages);
      assert.equal(JSON.stringify((await store.history(turnId)).messages), JSON.stringify(messages));
    });

    it('refuses a second turn with the same index', async () => {
      await assert.rejects(store.appendTurn(id, { turnIndex: 1, userMessage: 'again', result: {}, startTime: new Date() }, []), (error: unknown) => {
        // A rejected write is the store answering, not the store out of reach: no retry would help.
        assert.ok(!(error instanceof StoreUnavailableError), `not "unavailable": ${String(error)}`);
        return true;
      });
      assert.equal((await store.history(id)).nextTurnIndex, 2);
    });

    it('gives the turn lease to one holder at a time; it can be renewed, released, and it expires', async () => {
      assert.equal(await store.claimTurn(id, 'a', 10_000), true);
      assert.equal(await store.claimTurn(id, 'b', 10_000), false, 'held by a');
      await store.releaseTurn(id, 'b');
      assert.equal(await store.claimTurn(id, 'b', 10_000), false, 'only the holder releases');
      await store.releaseTurn(id, 'a');
      assert.equal(await store.claimTurn(id, 'b', 300), true);
      await store.renewTurn(id, 'b', 300);
      await delay(400);
      assert.equal(await store.claimTurn(id, 'c', 10_000), true, 'an expired lease (a dead replica) frees the conversation');
      await store.releaseTurn(id, 'c');
    });

    it('creates a conversation once: a second create of the same id is false and leaves it as it was', async () => {
      const again = `${id}_again`;
      assert.equal(await store.createConversation(again), true);
      await store.appendTurn(again, { turnIndex: 0, userMessage: 'q', result: { text: 'a' }, startTime: new Date() }, []);
      assert.equal(await store.createConversation(again), false);
      assert.equal((await store.history(again)).nextTurnIndex, 1, 'its turn is still there');
    });

    it('finds a turn by its request_id, and stores no second turn with the same one', async () => {
      const conversationId = `${id}_requests`;
      const requestId = `req-${kind}-${Date.now()}`;
      await store.createConversation(conversationId);
      assert.equal(await store.turnOfRequest(requestId), undefined);
      const startTime = new Date();
      await store.appendTurn(conversationId, { turnIndex: 0, userMessage: 'q0', result: { text: 'a0', turnIndex: 0 }, startTime, requestId }, []);
      await store.appendTurn(conversationId, { turnIndex: 1, userMessage: 'q1', result: { text: 'a1', turnIndex: 1 }, startTime }, []);
      const found = await store.turnOfRequest(requestId);
      assert.equal(found?.conversationId, conversationId);
      assert.equal(found?.turn.turnIndex, 0);
      assert.equal(found?.turn.userMessage, 'q0');
      assert.equal(found?.turn.result.text, 'a0');
      assert.equal(found?.turn.requestId, requestId);
      assert.equal(found?.turn.startTime.getTime(), startTime.getTime());
      assert.equal((await store.get(conversationId))?.turns[0]?.requestId, requestId);
      // Another conversation cannot store a turn under the same key: the error says which key.
      const other = `${id}_requests_other`;
      await store.createConversation(other);
      await assert.rejects(
        store.appendTurn(other, { turnIndex: 0, userMessage: 'q0', result: {}, startTime, requestId }, []),
        (error: unknown) => error instanceof DuplicateRequestError && error.requestId === requestId,
      );
      assert.equal((await store.history(other)).nextTurnIndex, 0, 'nothing of it was stored');
    });

    it('lists turns a page at a time, oldest first, after a given index; undefined for a conversation that does not exist', async () => {
      const conversationId = `${id}_pages`;
      assert.equal(await store.listTurns(conversationId, 10, -1), undefined);
      await store.createConversation(conversationId);
      assert.deepEqual(await store.listTurns(conversationId, 10, -1), [], 'exists, no turns yet');
      for (const turnIndex of [0, 1, 2, 3, 4]) {
        await store.appendTurn(conversationId, { turnIndex, userMessage: `q${turnIndex}`, result: { text: `a${turnIndex}`, turnIndex }, startTime: new Date() }, []);
      }
      const pages: string[][] = [];
      for (let after = -1; ; ) {
        const page = (await store.listTurns(conversationId, 2, after)) ?? [];
        if (page.length === 0) break;
        pages.push(page.map((turn) => `${turn.turnIndex}:${turn.userMessage}:${turn.result.text ?? ''}`));
        after = page.at(-1)?.turnIndex ?? after;
      }
      assert.deepEqual(pages, [['0:q0:a0', '1:q1:a1'], ['2:q2:a2', '3:q3:a3'], ['4:q4:a4']]);
    });

    it('opens the same database again without redoing migrations', async () => {
      const again = await open();
      assert.equal((await again.history(id)).nextTurnIndex, 2);
      await again.close();
    });
  });
}
