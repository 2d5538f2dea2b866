// The offline model's reading of clinical free text, its scripted-call syntax and its reasoning table.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clinicalFindings, rankConditions } from '../../lib/llm/offline/clinical-reasoning.js';
import {
  extractAge,
  extractBloodPressure,
  extractHeight,
  extractMedications,
  extractPatientFacts,
  extractSerumCreatinine,
  extractSex,
  extractWeight,
  factsFromTexts,
} from '../../lib/llm/offline/patient-facts.js';
import { parseScriptedCalls } from '../../lib/llm/offline/scripted-calls.js';

const SEED = `I have a 45-year-old female patient, 5'4" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?`;

describe('offline model: patient facts', () => {
  it('reads the seed query completely', () => {
    const facts = extractPatientFacts(SEED);
    assert.equal(facts.age, 45);
    assert.equal(facts.sex, 'female');
    assert.equal(facts.sexBasis, 'stated');
    assert.deepEqual(facts.height, { value: 64, unit: 'in' });
    assert.deepEqual(facts.weight, { value: 180, unit: 'lb' });
    assert.deepEqual(facts.symptoms, ['fatigue', 'polydipsia']);
    assert.deepEqual(facts.medications, []);
    assert.deepEqual(facts.conditions, []);
    assert.equal(facts.bloodPressure, undefined);
  });

  const ages: Array<[string, number | undefined]> = [
    ['a 45-year-old woman', 45],
    ['45 year old', 45],
    ['she is 45 years old', 45],
    ['62 yo man', 62],
    ['62 y/o', 62],
    ['aged 70', 70],
    ['age: 33', 33],
    ['28F with palpitations', 28],
    ['71 M', 71],
    ['she is 52, and tired', 52],
    ['symptoms for 2 years', undefined],
    ['stage 2 hypertension', undefined],
    ['a 150-year-old', undefined],
  ];
  for (const [text, expected] of ages) {
    it(`age from "${text}" → ${String(expected)}`, () => assert.equal(extractAge(text), expected));
  }

  const sexes: Array<[string, 'female' | 'male' | undefined, ('stated' | 'pronoun')?]> = [
    ['45-year-old female', 'female', 'stated'],
    ['a woman with fatigue', 'female', 'stated'],
    ['teenage girl', 'female', 'stated'],
    ['28F', 'female', 'stated'],
    ['sex: M', 'male', 'stated'],
    ['an elderly man', 'male', 'stated'],
    ['62 yo male', 'male', 'stated'],
    ['71 M', 'male', 'stated'],
    ['her blood pressure is high', 'female', 'pronoun'],
    ['his weight went up', 'male', 'pronoun'],
    ['she is pregnant', 'female', 'stated'],
    ['the patient is tired', undefined],
    ['temperature 101 F', undefined],
  ];
  for (const [text, sex, basis] of sexes) {
    it(`sex from "${text}" → ${String(sex)}`, () => {
      const found = extractSex(text);
      assert.equal(found?.sex, sex);
      if (basis) assert.equal(found?.basis, basis);
    });
  }

  const heights: Array<[string, { value: number; unit: 'in' | 'cm' } | undefined]> = [
    [`5'4" tall`, { value: 64, unit: 'in' }],
    [`5' 4'' tall`, { value: 64, unit: 'in' }],
    ['5’4” tall', { value: 64, unit: 'in' }],
    ['5 ft 4 in', { value: 64, unit: 'in' }],
    ['5 feet 4 inches', { value: 64, unit: 'in' }],
    ['5ft4', { value: 64, unit: 'in' }],
    ['6 feet tall', { value: 72, unit: 'in' }],
    ['64 inches tall', { value: 64, unit: 'in' }],
    ['height 64 in, weight 140 lb', { value: 64, unit: 'in' }],
    ['163 cm', { value: 163, unit: 'cm' }],
    ['1.63 m tall', { value: 163, unit: 'cm' }],
    ['height: 170', { value: 170, unit: 'cm' }],
    ['BSA 1.73m² ', undefined],
    ['seen in 2 clinics', undefined],
  ];
  for (const [text, expected] of heights) {
    it(`height from "${text}"`, () => assert.deepEqual(extractHeight(text), expected));
  }

  const weights: Array<[string, { value: number; unit: 'lb' | 'kg' } | undefined]> = [
    ['180 lbs', { value: 180, unit: 'lb' }],
    ['180lbs', { value: 180, unit: 'lb' }],
    ['weighs 180 pounds', { value: 180, unit: 'lb' }],
    ['81.6 kg', { value: 81.6, unit: 'kg' }],
    ['95 kilograms', { value: 95, unit: 'kg' }],
    ['gained 20 lbs this year', undefined],
    ['weight gain of 12 kg', undefined],
    ['lost about 30 kg', undefined],
    ['weight gain, 200 lb now', { value: 200, unit: 'lb' }],
  ];
  for (const [text, expected] of weights) {
    it(`weight from "${text}"`, () => assert.deepEqual(extractWeight(text), expected));
  }

  it('blood pressure: slash and "over" forms, the latest reading wins, dates are not readings', () => {
    assert.deepEqual(extractBloodPressure('Her blood pressure today is 150/95.'), { systolic: 150, diastolic: 95 });
    assert.deepEqual(extractBloodPressure('BP 150 over 95'), { systolic: 150, diastolic: 95 });
    assert.deepEqual(extractBloodPressure('BP 150/95 mmHg, repeat 142/88'), { systolic: 142, diastolic: 88 });
    assert.equal(extractBloodPressure('seen on 12/25/2024'), undefined);
    assert.equal(extractBloodPressure('ratio 95/150'), undefined);
    assert.equal(extractBloodPressure('creatinine 97 µmol/L'), undefined);
  });

  it('serum creatinine in either unit, inferring the unit from the size when it is missing', () => {
    assert.deepEqual(extractSerumCreatinine('creatinine 1.1 mg/dL'), { value: 1.1, unit: 'mg/dL' });
    assert.deepEqual(extractSerumCreatinine('serum creatinine of 97 µmol/L'), { value: 97, unit: 'umol/L' });
    assert.deepEqual(extractSerumCreatinine('Cr 97 umol/L'), { value: 97, unit: 'umol/L' });
    assert.deepEqual(extractSerumCreatinine('creatinine is 1.4'), { value: 1.4, unit: 'mg/dL' });
    assert.deepEqual(extractSerumCreatinine('creatinine 130'), { value: 130, unit: 'umol/L' });
    assert.equal(extractSerumCreatinine('increased thirst'), undefined);
  });

  it('medications by generic or brand name, as generics in order of mention, skipping negated ones', () => {
    assert.deepEqual(extractMedications('Takes Lipitor, metformin 500 mg and Synthroid'), ['atorvastatin', 'metformin', 'levothyroxine']);
    assert.deepEqual(extractMedications('on warfarin; asked about Advil'), ['warfarin', 'ibuprofen']);
    assert.deepEqual(extractMedications('not on metformin; takes lisinopril'), ['lisinopril']);
    assert.deepEqual(extractMedications('metformin and Glucophage'), ['metformin']);
    assert.deepEqual(extractMedications('no medications'), []);
  });

  it('symptoms in many phrasings, with denials kept apart', () => {
    const facts = extractPatientFacts(
      'Tired all the time, always thirsty, urinating more often, feels cold, snores loudly, ankle swelling, short of breath on stairs. Denies chest pain or headache.',
    );
    assert.deepEqual(
      [...facts.symptoms].sort(),
      ['cold_intolerance', 'edema', 'fatigue', 'polydipsia', 'polyuria', 'shortness_of_breath', 'snoring'].sort(),
    );
    assert.deepEqual([...facts.deniedSymptoms].sort(), ['chest_pain', 'headache']);
    const mixed = extractPatientFacts('No fever, but reports low mood and dizziness');
    assert.deepEqual(mixed.deniedSymptoms, ['fever']);
    assert.deepEqual([...mixed.symptoms].sort(), ['dizziness', 'low_mood']);
  });

  it('conditions, telling type 2 diabetes from prediabetes and type 1', () => {
    assert.deepEqual(extractPatientFacts('history of HTN and T2DM').conditions, ['type_2_diabetes', 'hypertension']);
    assert.deepEqual(extractPatientFacts('known pre-diabetes').conditions, ['prediabetes']);
    assert.deepEqual(extractPatientFacts('type 1 diabetes since childhood').conditions, ['type_1_diabetes']);
    assert.deepEqual(extractPatientFacts('no history of diabetes').conditions, []);
    assert.deepEqual(extractPatientFacts('CKD stage 3, hypothyroidism, OSA on CPAP').conditions, ['hypothyroidism', 'chronic_kidney_disease', 'sleep_apnea']);
  });

  it('eGFR, pregnancy and allergies for the medication checker', () => {
    const facts = extractPatientFacts('eGFR 42. She is 12 weeks pregnant, allergic to penicillin and sulfa drugs.');
    assert.equal(facts.egfr, 42);
    assert.equal(facts.pregnant, true);
    assert.deepEqual(facts.allergies, ['penicillin', 'sulfa drugs']);
    assert.equal(extractPatientFacts('not pregnant').pregnant, false);
    assert.deepEqual(extractPatientFacts('NKDA').allergies, []);
    assert.equal(extractPatientFacts('no comment').allergies, undefined);
  });

  it('a drug asked about is not a drug taken, until a later turn says it is', () => {
    const asked = extractPatientFacts('She is 10 weeks pregnant with an LDL of 190. Should she start atorvastatin? She takes levothyroxine.');
    assert.deepEqual(asked.medications, ['atorvastatin', 'levothyroxine']);
    assert.deepEqual(asked.proposedMedications, ['atorvastatin']);
    for (const text of ['Would you recommend adding metformin?', 'Can he take ibuprofen?', 'Considering switching her to losartan.', 'Should we try low-dose aspirin?']) {
      const facts = extractPatientFacts(text);
      assert.deepEqual(facts.proposedMedications, facts.medications, text);
      assert.equal(facts.medications.length, 1, text);
    }
    for (const text of ['She started atorvastatin last year.', 'He is on metformin 500 mg twice daily.', 'Takes lisinopril.']) {
      assert.deepEqual(extractPatientFacts(text).proposedMedications, [], text);
    }
    const later = factsFromTexts(['Should she start atorvastatin?', 'Update: she started atorvastatin 20 mg last week.']);
    assert.deepEqual(later.medications, ['atorvastatin']);
    assert.deepEqual(later.proposedMedications, [], 'taken now');
  });

  it('an allergy list ends where the sentence moves on (a condition is not an allergen)', () => {
    const cases: Array<[string, string[]]> = [
      ['A 30-year-old woman allergic to penicillin, has a UTI. Which antibiotic?', ['penicillin']],
      ['Allergic to sulfa and has a uti', ['sulfa']],
      ['She is allergic to penicillin and amoxicillin but tolerates cephalexin.', ['penicillin', 'amoxicillin']],
      ['allergic to: codeine, and she has asthma', ['codeine']],
      ['Allergies: none', []],
      ['Allergies: aspirin, ibuprofen', ['aspirin', 'ibuprofen']],
    ];
    for (const [text, allergies] of cases) assert.deepEqual(extractPatientFacts(text).allergies, allergies, text);
  });

  it('merges a conversation: later turns override scalars, lists accumulate, denials take symptoms back', () => {
    const facts = factsFromTexts([SEED, 'Her blood pressure today is 150/95.', 'Update: weight is now 176 lbs; she no longer has fatigue. Started metformin.']);
    assert.deepEqual(facts.height, { value: 64, unit: 'in' });
    assert.deepEqual(facts.weight, { value: 176, unit: 'lb' });
    assert.deepEqual(facts.bloodPressure, { systolic: 150, diastolic: 95 });
    assert.equal(facts.age, 45);
    assert.deepEqual(facts.symptoms, ['polydipsia']);
    assert.deepEqual(facts.deniedSymptoms, ['fatigue']);
    assert.deepEqual(facts.medications, ['metformin']);
    // A pronoun in a later turn never overrides a sex stated earlier.
    assert.equal(factsFromTexts(['62 yo male', 'her notes say otherwise']).sex, 'male');
    assert.equal(factsFromTexts(['she is tired', 'actually a 40 year old man']).sex, 'male');
  });

  it('property: extraction never throws and always returns well-formed facts, on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const facts = extractPatientFacts(text);
        assert.ok(Array.isArray(facts.symptoms) && Array.isArray(facts.medications));
        if (facts.age !== undefined) assert.ok(Number.isInteger(facts.age) && facts.age > 0 && facts.age <= 120);
        if (facts.height) assert.ok(Number.isFinite(facts.height.value) && facts.height.value > 0);
        if (facts.bloodPressure) assert.ok(facts.bloodPressure.systolic > facts.bloodPressure.diastolic);
      }),
      { numRuns: 400 },
    );
  });

  it('property: numbers written in any supported phrasing come back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 18, max: 99 }),
        fc.integer({ min: 4, max: 6 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 90, max: 400 }),
        fc.integer({ min: 95, max: 220 }),
        fc.integer({ min: 50, max: 90 }),
        fc.constantFrom('female', 'woman', 'male', 'man'),
        fc.constantFrom(0, 1, 2),
        (age, feet, inches, pounds, systolic, diastolic, sexWord, style) => {
          const height = [`${feet}'${inches}"`, `${feet} ft ${inches} in`, `${feet} feet ${inches} inches`][style];
          const text = `A ${age}-year-old ${sexWord}, ${height} tall, ${pounds} lbs, BP ${systolic}/${diastolic}, with fatigue.`;
          const facts = extractPatientFacts(text);
          assert.equal(facts.age, age);
          assert.equal(facts.sex, /^(female|woman)$/.test(sexWord) ? 'female' : 'male');
          assert.deepEqual(facts.height, { value: feet * 12 + inches, unit: 'in' });
          assert.deepEqual(facts.weight, { value: pounds, unit: 'lb' });
          assert.deepEqual(facts.bloodPressure, { systolic, diastolic });
          assert.deepEqual(facts.symptoms, ['fatigue']);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('offline model: scripted calls', () => {
  it('reads every [[call NAME {json}]] with nested JSON, and strips them from the text', () => {
    const parsed = parseScriptedCalls('Please [[call no_such_tool {"x":1}]] and [[call check_medications {"medications":["a]]b"],"patient":{"age":3}}]] now');
    assert.deepEqual(parsed.calls, [
      { name: 'no_such_tool', input: { x: 1 } },
      { name: 'check_medications', input: { medications: ['a]]b'], patient: { age: 3 } } },
    ]);
    assert.equal(parsed.rest, 'Please  and  now');
    assert.deepEqual(parsed.invalid, []);
  });

  it('takes a call without arguments as {}, and reports broken directives instead of guessing', () => {
    assert.deepEqual(parseScriptedCalls('[[call ping]]').calls, [{ name: 'ping', input: {} }]);
    const broken = parseScriptedCalls('[[call a {"x":]] [[call b [1,2]]] [[call c {"ok":true}');
    assert.deepEqual(broken.calls, []);
    assert.equal(broken.invalid.length, 3);
  });

  it('property: never throws on any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void parseScriptedCalls(`[[call t ${text}]] ${text}`)), { numRuns: 300 });
  });
});

describe('offline model: clinical reasoning', () => {
  it('fatigue and thirst in an obese 45-year-old: diabetes first, then thyroid, anemia, kidney, sleep apnea', () => {
    const findings = clinicalFindings(extractPatientFacts(SEED), {});
    assert.equal(findings.bmi, 30.9);
    const ranked = rankConditions(findings);
    const differential = ranked.filter((r) => r.profile.kind === 'differential').map((r) => r.profile.id);
    assert.equal(differential[0], 'type_2_diabetes');
    for (const id of ['hypothyroidism', 'anemia', 'chronic_kidney_disease', 'sleep_apnea'] as const) assert.ok(differential.includes(id), id);
    assert.ok(!differential.includes('heart_failure'));
    assert.ok(ranked.some((r) => r.profile.id === 'obesity'));
    const diabetes = ranked[0];
    assert.ok(diabetes?.profile.tests.includes('HbA1c'));
    assert.ok(diabetes?.profile.treatments.some((t) => t.includes('metformin')));
  });

  it('snoring brings sleep apnea up; chest pain is flagged as urgent', () => {
    const snoring = rankConditions(clinicalFindings(extractPatientFacts('snoring and daytime sleepiness, BMI 33'), { bmi: 33 }));
    assert.equal(snoring.filter((r) => r.profile.kind === 'differential')[0]?.profile.id, 'sleep_apnea');
    const chest = rankConditions(clinicalFindings(extractPatientFacts('58 yo man with chest pain'), {}));
    assert.equal(chest[0]?.profile.id, 'acute_coronary_syndrome');
    assert.ok(chest[0]?.profile.redFlag);
  });

  it('is stable: the same findings always rank the same way', () => {
    const facts = extractPatientFacts('fatigue, weight gain, cold intolerance, low mood, snoring');
    assert.deepEqual(rankConditions(clinicalFindings(facts, {})), rankConditions(clinicalFindings(facts, {})));
  });
});
