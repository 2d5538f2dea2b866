// Yes/no settings take the usual spellings, and refuse any other word: TRACEMESH_REDACT_PHI=yes
// must redact, and TRACEMESH_TRACING=false must turn spans off (both were read as the default before).
import assert from 'node:assert/strict';
import { ConfigError, securityConfig, tracingConfig } from '../../lib/config.js';
import { restoreEnvAfterEach } from '../helpers/saved-env.js';

describe('yes/no settings', () => {
  const names = ['TRACEMESH_TRACING', 'TRACEMESH_REDACT_PHI'] as const;
  restoreEnvAfterEach(names);

  it('read the usual spellings of yes and no, in any case', () => {
    for (const word of ['1', 'true', 'YES', 'On']) {
      process.env.TRACEMESH_REDACT_PHI = word;
      assert.equal(securityConfig().redactPhi, true, word);
    }
    for (const word of ['0', 'False', 'no', 'off']) {
      process.env.TRACEMESH_TRACING = word;
      assert.equal(tracingConfig().enabled, false, word);
    }
  });

  it('keep their defaults when unset: tracing on, redaction off', () => {
    for (const name of names) delete process.env[name];
    assert.equal(tracingConfig().enabled, true);
    assert.equal(securityConfig().redactPhi, false);
  });

  it('refuse any other word, naming the setting', () => {
    process.env.TRACEMESH_REDACT_PHI = 'enabled';
    assert.throws(() => securityConfig(), (error: unknown) => error instanceof ConfigError && /TRACEMESH_REDACT_PHI must be one of .* got "enabled"/.test(error.message));
  });
});
