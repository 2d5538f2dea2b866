// Clients find the services where `tracemesh up` put them: with CONVERSATION_PORT set for both, a
// `chat` reaches the conversation service without CONVERSATION_TARGET (it went to 50051 before).
import assert from 'node:assert/strict';
import { ConfigError, conversationTarget, toolServices, toolworkerTarget } from '../../lib/config.js';
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

describe('tool services (TOOL_SERVICES)', () => {
  restoreEnvAfterEach(['TOOL_SERVICES', 'TOOLWORKER_TARGET']);

  it('are the built-in worker pool first, then each name=target, a target keeping its commas', () => {
    process.env.TOOLWORKER_TARGET = 'dns:///toolworker:50052';
    process.env.TOOL_SERVICES = ' labs=127.0.0.1:50060   pharmacy=ipv4:10.0.0.1:50061,10.0.0.2:50061 ';
    assert.deepEqual(toolServices(), [
      { name: 'toolworker', target: 'dns:///toolworker:50052' },
      { name: 'labs', target: '127.0.0.1:50060' },
      { name: 'pharmacy', target: 'ipv4:10.0.0.1:50061,10.0.0.2:50061' },
    ]);
  });

  it('are the built-in pool alone when TOOL_SERVICES is unset or blank', () => {
    process.env.TOOLWORKER_TARGET = '127.0.0.1:50052';
    for (const value of [undefined, '', '   ']) {
      if (value === undefined) delete process.env.TOOL_SERVICES;
      else process.env.TOOL_SERVICES = value;
      assert.deepEqual(toolServices(), [{ name: 'toolworker', target: '127.0.0.1:50052' }]);
    }
  });

  it('refuse an entry without a name or target, a bad name, and a name given twice — naming the setting', () => {
    const cases: Array<[string, RegExp]> = [
      ['127.0.0.1:50060', /TOOL_SERVICES entries are name=target.*"127\.0\.0\.1:50060"/],
      ['labs=', /TOOL_SERVICES entries are name=target.*"labs="/],
      ['=127.0.0.1:1', /TOOL_SERVICES entries are name=target/],
      ['Labs!=127.0.0.1:1', /TOOL_SERVICES entries are name=target/],
      ['labs=a:1 labs=b:2', /TOOL_SERVICES names "labs" twice/],
      ['toolworker=a:1', /TOOL_SERVICES names "toolworker" twice \("toolworker" is the built-in worker pool/],
    ];
    for (const [value, message] of cases) {
      process.env.TOOL_SERVICES = value;
      assert.throws(() => toolServices(), (error: Error) => error instanceof ConfigError && message.test(error.message), value);
    }
  });
});
