import assert from 'node:assert/strict';
import fc from 'fast-check';
import { redactPhi, redactText } from '../../lib/tracing/phi-redaction.js';

describe('PHI redaction', () => {
  it('removes names, dates of birth, phone numbers, e-mails and record numbers', () => {
    const text =
      'Patient: Jane Doe, DOB 03/14/1979, MRN: A1234567, phone (555) 123-4567, jane.doe@example.com, SSN 123-45-6789. ' +
      'Seen by Dr. Smith on March 3, 2024; record number 99887766.';
    const redacted = redactText(text);
    for (const secret of ['Jane', 'Doe', '03/14/1979', 'A1234567', '123-4567', 'jane.doe@example.com', '123-45-6789', 'Smith', 'March 3, 2024', '99887766']) {
      assert.ok(!redacted.includes(secret), `${secret} is gone from: ${redacted}`);
    }
    assert.match(redacted, /MRN: \[REDACTED_RECORD_NUMBER\]/);
    assert.match(redacted, /Dr\. \[REDACTED_NAME\]/);
  });

  it('keeps the clinical facts a trace needs', () => {
    const text = "A 45-year-old female patient, 5'4\" tall, 180 lbs, BP 150/95, creatinine 1.0 mg/dL, HbA1c 7.2%, seen for 3 weeks.";
    assert.equal(redactText(text), text);
  });

  it('walks nested payloads without mutating them', () => {
    const payload = { input: [{ role: 'user', content: 'Patient is John Smith, call 555-987-6543' }], metadata: { n: 3, ok: true } };
    const copy = structuredClone(payload);
    const redacted = redactPhi(payload) as typeof payload;
    assert.deepEqual(payload, copy);
    assert.equal(redacted.input[0]?.content, 'Patient is [REDACTED_NAME], call [REDACTED_PHONE]');
    assert.deepEqual(redacted.metadata, { n: 3, ok: true });
  });

  it('never throws and is idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const once = redactText(text);
        assert.equal(redactText(once), once);
      }),
      { numRuns: 1000 },
    );
  });
});
