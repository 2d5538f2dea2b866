// The export accounting counts /logs3 rows by scanning the body; it must agree with a full parse
// for any rows the SDK could send — strings holding quotes, backslashes, brackets and braces included.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { logs3RowCount } from '../../lib/tracing/logs3-row-count.js';

// The body exactly as the SDK builds it (constructLogs3Data).
const sdkBody = (rows: unknown[]) => `{"rows": [${rows.map((row) => JSON.stringify(row)).join(',')}], "api_version": 2}`;
const awkwardText = fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', 'a', ' ', 'é', '\n') });
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, awkwardText, fc.integer(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(awkwardText, tie('value'), { maxKeys: 3 })),
})).value;
const row = fc.record({ id: fc.uuid(), input: value, metadata: fc.dictionary(awkwardText, value, { maxKeys: 4 }) });

describe('logs3RowCount', () => {
  it('agrees with JSON.parse on any batch of rows the SDK could send', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        assert.equal(logs3RowCount(sdkBody(rows)), rows.length);
      }),
      { numRuns: 300 },
    );
  });

  it('counts an empty batch as none, and a body that is not a row array (an overflow reference) as none', () => {
    assert.equal(logs3RowCount(sdkBody([])), 0);
    assert.equal(logs3RowCount(JSON.stringify({ rows: { type: 'logs3_overflow', key: 'k' }, api_version: 2 })), 0);
    assert.equal(logs3RowCount('not json'), 0);
  });

  it('reads a body laid out differently (whitespace, key order)', () => {
    const body = JSON.stringify({ api_version: 2, rows: [{ id: 'a' }, { id: 'b', note: '"rows": [' }] }, null, 2);
    assert.equal(logs3RowCount(body), 2);
  });
});
