// Connection recycling settings: no grace limit unless one is set (calls in flight finish on the
// old connection however long they take), and a bad value is refused with the setting's name.
import assert from 'node:assert/strict';
import { connectionAgeConfig } from '../../lib/config.js';
import { restoreEnvAfterEach } from '../helpers/saved-env.js';

describe('connection age settings', () => {
  restoreEnvAfterEach(['TRACEMESH_MAX_CONNECTION_AGE_MS', 'TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS']);

  it('recycles every 5 minutes and lets calls in flight finish, by default', () => {
    delete process.env.TRACEMESH_MAX_CONNECTION_AGE_MS;
    delete process.env.TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS;
    assert.deepEqual(connectionAgeConfig(), { maxAgeMs: 300_000, graceMs: undefined });
  });

  it('takes both from the environment, and names a bad one', () => {
    process.env.TRACEMESH_MAX_CONNECTION_AGE_MS = '60000';
    process.env.TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS = '900000';
    assert.deepEqual(connectionAgeConfig(), { maxAgeMs: 60_000, graceMs: 900_000 });
    process.env.TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS = '1m';
    assert.throws(() => connectionAgeConfig(), /TRACEMESH_MAX_CONNECTION_AGE_GRACE_MS must be a positive integer, got "1m"/);
  });
});
