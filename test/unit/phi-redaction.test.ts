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

  it('removes names in other scripts and shapes, names before an age, and more date, phone and SSN forms', () => {
    const cases: Array<[string, string[]]> = [
      ['Patient: María González, 52', ['María', 'González']],
      ["Name: O'Brien-Smith", ["O'Brien-Smith", 'Brien']],
      ['Patient name: JOHN SMITH', ['JOHN', 'SMITH']],
      ['Patient Maria Gonzalez, DOB 3/14/79, phone 4155550132', ['Maria', 'Gonzalez', '3/14/79', '4155550132']],
      ['John Smith, 45-year-old male with chest pain', ['John', 'Smith']],
      ['Ana Lima is a 61 yo woman', ['Ana', 'Lima']],
      ['born 14-Mar-1979, call +44 20 7946 0958, SSN 123456789', ['14-Mar-1979', '7946', '123456789']],
    ];
    for (const [text, secrets] of cases) {
      const redacted = redactText(text);
      for (const secret of secrets) assert.ok(!redacted.includes(secret), `${secret} is gone from: ${redacted}`);
    }
    assert.equal(redactText('John Smith, 45-year-old male'), '[REDACTED_NAME], 45-year-old male', 'the age stays');
  });

  it('keeps the clinical facts a trace needs', () => {
    const text = "A 45-year-old female patient, 5'4\" tall, 180 lbs, BP 150/95, creatinine 1.0 mg/dL, HbA1c 7.2%, seen for 3 weeks.";
    assert.equal(redactText(text), text);
    const more = 'Type 2 Diabetes, 45-year-old; eGFR 58 mL/min/1.73 m²; on metformin 500 mg twice daily; Patient Health Questionnaire score 12.';
    // The price of the "Patient Maria Gonzalez" rule: a label followed by two capitalised words reads as a name.
    assert.equal(redactText(more), more.replace('Health Questionnaire', '[REDACTED_NAME]'));
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
