// Clients find the services where `tracemesh up` put them: with CONVERSATION_PORT set for both, a
// `chat` reaches the conversation service without CONVERSATION_TARGET (it went to 50051 before).
import assert from 'node:assert/strict';
import { conversationTarget, toolworkerTarget } from '../../lib/config.js';
import { restoreEnvAfterEach } from '../helpers/saved-env.js';

describe('service targets', () => {
  restoreEnvAfterEach(['CONVERSATION_TARGET', 'CONVERSATION_PORT', 'TOOLWORKER_TARGET', 'TOOLWORKER_PORT']);

  it('follow the listen ports when no target is set', () => {
    delete process.env.CONVERSATION_TARGET;
    delete process.env.TOOLWORKER_TARGET;
    process.env.CONVERSATION_PORT = '52051';
    process.env.TOOLWORKER_PORT = '52052';
    assert.equal(conversationTarget(), '127.0.0.1:52051');
    assert.equal(toolworkerTarget(), '127.0.0.1:52052');
  });

  it('use the default ports when the port is unset or 0 (any free port: nothing to aim at)', () => {
    delete process.env.CONVERSATION_TARGET;
    delete process.env.CONVERSATION_PORT;
    process.env.TOOLWORKER_PORT = '0';
    delete process.env.TOOLWORKER_TARGET;
    assert.equal(conversationTarget(), '127.0.0.1:50051');
    assert.equal(toolworkerTarget(), '127.0.0.1:50052');
  });

  it('take an explicit target over the port', () => {
    process.env.CONVERSATION_PORT = '52051';
    process.env.CONVERSATION_TARGET = 'dns:///conversation:50051';
    assert.equal(conversationTarget(), 'dns:///conversation:50051');
  });
});
