// A worker's per-tool concurrency settings: defaults, a queue of 0 (refuse at once when busy), and
// a bad value refused with the setting's name rather than silently replaced by the default.
import assert from 'node:assert/strict';
import { toolConcurrencyLimits } from '../../lib/config.js';
import { restoreEnvAfterEach } from '../helpers/saved-env.js';

describe('tool concurrency settings', () => {
  const names = ['TOOLWORKER_MAX_CONCURRENT_PER_TOOL', 'TOOLWORKER_QUEUE_PER_TOOL'] as const;
  restoreEnvAfterEach(names);

  it('runs 64 calls of a tool at once with 256 waiting, by default', () => {
    for (const name of names) delete process.env[name];
    assert.deepEqual(toolConcurrencyLimits(), { perTool: 64, queuePerTool: 256 });
  });

  it('takes both from the environment; a queue of 0 means no waiting', () => {
    process.env.TOOLWORKER_MAX_CONCURRENT_PER_TOOL = '4';
    process.env.TOOLWORKER_QUEUE_PER_TOOL = '0';
    assert.deepEqual(toolConcurrencyLimits(), { perTool: 4, queuePerTool: 0 });
  });

  it('names a bad value instead of falling back to the default', () => {
    process.env.TOOLWORKER_MAX_CONCURRENT_PER_TOOL = '0';
    assert.throws(() => toolConcurrencyLimits(), /TOOLWORKER_MAX_CONCURRENT_PER_TOOL must be a positive integer, got "0"/);
    process.env.TOOLWORKER_MAX_CONCURRENT_PER_TOOL = '8';
    process.env.TOOLWORKER_QUEUE_PER_TOOL = 'lots';
    assert.throws(() => toolConcurrencyLimits(), /TOOLWORKER_QUEUE_PER_TOOL must be a non-negative integer, got "lots"/);
  });
});
