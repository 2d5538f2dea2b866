// Clients find the services where `tracemesh up` put them: with CONVERSATION_PORT set for both, a
// `chat` reaches the conversation service without CONVERSATION_TARGET (it went to 50051 before).
import assert from 'node:assert/strict';
import { ConfigError, conversationTarget, toolServices, toolServiceSetting, toolworkerTarget } from '../../lib/config.js';
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
  restoreEnvAfterEach(['TOOL_SERVICES', 'TOOLWORKER_TARGET', 'TOOL_SERVICE_LABS_TOKEN', 'TOOL_SERVICE_LAB_REF_TOKEN', 'TOOL_SERVICE_LABS_TLS', 'TOOL_SERVICE_LAB_REF_TLS']);

  it('are the built-in worker pool first, then each name=target, a target keeping its commas', () => {
    process.env.TOOLWORKER_TARGET = 'dns:///toolworker:50052';
    process.env.TOOL_SERVICES = ' labs=127.0.0.1:50060   pharmacy=ipv4:10.0.0.1:50061,10.0.0.2:50061 ';
    assert.deepEqual(toolServices(), [
      { name: 'toolworker', target: 'dns:///toolworker:50052' },
      { name: 'labs', target: '127.0.0.1:50060', authToken: null },
      { name: 'pharmacy', target: 'ipv4:10.0.0.1:50061,10.0.0.2:50061', authToken: null },
    ]);
  });

  it('never hand another service the mesh’s token: each gets only its own TOOL_SERVICE_<NAME>_TOKEN', () => {
    process.env.TOOL_SERVICES = 'labs=127.0.0.1:50060 lab-ref=dns:///lab-ref:50061 other=unix:/run/other.sock';
    process.env.TOOL_SERVICE_LABS_TOKEN = 'labs-secret';
    delete process.env.TOOL_SERVICE_LAB_REF_TOKEN;
    const [builtIn, labs, labRef, other] = toolServices();
    assert.equal(builtIn?.authToken, undefined, 'the built-in workers: the mesh’s own token, as securityConfig says');
    assert.equal(labs?.authToken, 'labs-secret');
    assert.equal(labRef?.authToken, null, 'no token at all, not the mesh’s');
    assert.equal(other?.target, 'unix:/run/other.sock');
    assert.equal(toolServiceSetting('lab-ref', 'TOKEN'), 'TOOL_SERVICE_LAB_REF_TOKEN');
  });

  it('are the built-in pool alone when TOOL_SERVICES is unset or blank', () => {
    process.env.TOOLWORKER_TARGET = '127.0.0.1:50052';
    for (const value of [undefined, '', '   ']) {
      if (value === undefined) delete process.env.TOOL_SERVICES;
      else process.env.TOOL_SERVICES = value;
      assert.deepEqual(toolServices(), [{ name: 'toolworker', target: '127.0.0.1:50052' }]);
    }
  });

  it('take TLS from the mesh unless TOOL_SERVICE_<NAME>_TLS says otherwise, refusing a word that is not yes or no', () => {
    process.env.TOOL_SERVICES = 'labs=127.0.0.1:50060 lab-ref=127.0.0.1:50061';
    process.env.TOOL_SERVICE_LABS_TLS = 'off';
    delete process.env.TOOL_SERVICE_LAB_REF_TLS;
    const [, labs, labRef] = toolServices();
    assert.equal(labs?.tls, false);
    assert.equal(labRef?.tls, undefined, 'as the mesh');
    process.env.TOOL_SERVICE_LAB_REF_TLS = 'yes';
    assert.equal(toolServices()[2]?.tls, true);
    process.env.TOOL_SERVICE_LAB_REF_TLS = 'plaintext';
    assert.throws(() => toolServices(), /TOOL_SERVICE_LAB_REF_TLS must be one of/);
  });

  it('refuse an entry without a name or target, a bad name, and a name given twice — naming the setting', () => {
    const cases: Array<[string, RegExp]> = [
      ['127.0.0.1:50060', /TOOL_SERVICES entries are name=target.*"127\.0\.0\.1:50060"/],
      ['labs=', /TOOL_SERVICES entries are name=target.*"labs="/],
      ['=127.0.0.1:1', /TOOL_SERVICES entries are name=target/],
      ['Labs!=127.0.0.1:1', /TOOL_SERVICES entries are name=target/],
      ['labs=a:1 labs=b:2', /TOOL_SERVICES names "labs" twice/],
      ['toolworker=a:1', /TOOL_SERVICES names "toolworker" twice \("toolworker" is the built-in worker pool/],
      ['labs=a:1,pharm=b:2', /the target of "labs" holds "=": separate TOOL_SERVICES entries with spaces/],
      ['labs=a:1;pharm=b:2', /separate TOOL_SERVICES entries with spaces/],
      ['labs=http://127.0.0.1:50060', /the target of "labs" is a URL; a gRPC target is host:port or dns:/],
      ['labs=127.0.0.1:99999', /the target of "labs" has port 99999, outside 1–65535/],
      ['labs=labs.internal', /the target of "labs" needs a port/],
      ['labs=ipv4:10.0.0.1:50061,10.0.0.2:0', /has port 0, outside/],
    ];
    for (const [value, message] of cases) {
      process.env.TOOL_SERVICES = value;
      assert.throws(() => toolServices(), (error: Error) => error instanceof ConfigError && message.test(error.message), value);
    }
  });
});
