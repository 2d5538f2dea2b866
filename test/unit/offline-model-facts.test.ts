// The offline model's reading of clinical free text, its scripted-call syntax and its reasoning table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { CONDITION_PROFILES, clinicalFindings, crisisNamedBelowThreshold, rankConditions, raisedBy, treatmentsOf } from '../../lib/llm/offline/clinical-reasoning.js';
import { estimateEgfr } from '../../lib/llm/offline/kidney-estimate.js';
import { judgeLab } from '../../lib/llm/offline/lab-reasoning.js';
import { labResults } from '../../lib/llm/offline/lab-summary.js';
import type { LabReading } from '../../lib/llm/offline/lab-values.js';
import { extractLabs, LAB_TESTS, labIdOf, toolTestOf, unitOf } from '../../lib/llm/offline/lab-values.js';
import { describeNewInformation, describePatient } from '../../lib/llm/offline/phrasing.js';
import {
  extractAge,
  extractBloodPressure,
  extractEgfr,
  extractHeight,
  extractMedications,
  extractPatientFacts,
  extractSerumCreatinine,
  extractSex,
  extractWeight,
  factsFromTexts,
  isAllergen,
  allergensOf,
} from '../../lib/llm/offline/patient-facts.js';
import { suggestedDrugs } from '../../lib/llm/offline/tool-planner.js';
import { parseScriptedCalls } from '../../lib/llm/offline/scripted-calls.js';
import { clip } from '../../lib/llm/offline/tool-results.js';
import { urgentOrders, urgentProblems } from '../../lib/llm/offline/urgent-problems.js';
import { valueText } from '../../lib/llm/offline/value-text.js';

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
    // Sex then age, and the clinic shorthands.
    ['Male 61, on enalapril', 61],
    ['female, 45, with fatigue', 45],
    ['61M on enalapril', 61],
    ['61 y/o on enalapril', 61],
    ['61/M, K+ 6.8', 61],
    ['61yrs M, on ramipril', 61],
    ['61 y female', 61],
    ['symptoms for 2 yrs, man with cough', undefined],
    ['M/61 with CKD', 61],
    ['male 180 lbs', undefined],
    [`woman 5'4" tall`, undefined],
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

  it('a combination product by brand is each of its components, and keeps its name as written', () => {
    const facts = extractPatientFacts('A 62-year-old woman on Zestoretic and lithium; not on Hyzaar.');
    assert.deepEqual(facts.medications, ['lisinopril', 'hydrochlorothiazide', 'lithium']);
    assert.deepEqual(facts.combinationProducts, [{ name: 'Zestoretic', components: ['lisinopril', 'hydrochlorothiazide'] }]);
    assert.equal(describePatient(facts), '62-year-old female, taking Zestoretic (lisinopril and hydrochlorothiazide) and lithium');
    // The longer brand wins over the one inside it; a strength after the name is fine.
    assert.deepEqual(extractPatientFacts('takes Exforge HCT 10/320/25').combinationProducts, [{ name: 'Exforge HCT', components: ['amlodipine', 'valsartan', 'hydrochlorothiazide'] }]);
    assert.deepEqual(extractMedications('Janumet XR 50/1000 mg and Lipitor'), ['sitagliptin', 'metformin', 'atorvastatin']);
    const asked = extractPatientFacts('Should she start Janumet?');
    assert.deepEqual(asked.proposedMedications, ['sitagliptin', 'metformin']);
    assert.match(describePatient(asked), /asking about starting Janumet \(sitagliptin and metformin\)$/);
    assert.deepEqual(factsFromTexts(['on hyzaar', 'Hyzaar 100/25 daily, and metformin']).combinationProducts, [{ name: 'hyzaar', components: ['losartan', 'hydrochlorothiazide'] }], 'one entry a product');
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

  it('a drug or combination brand named as an allergy is an allergen, not a drug taken', () => {
    const zestoretic = extractPatientFacts('62-year-old man, allergic to Zestoretic (angioedema). On metformin. BP 160/100, HbA1c 8.1%.');
    assert.deepEqual(zestoretic.allergies, ['zestoretic (angioedema)']);
    assert.deepEqual(zestoretic.medications, ['metformin']);
    assert.deepEqual(zestoretic.combinationProducts, []);
    const cases: Array<[text: string, allergies: string[], medications: string[]]> = [
      ['55M, allergic to lisinopril (angioedema). BP 150/95.', ['lisinopril (angioedema)'], []],
      ['60F with hypertension, ACE inhibitor allergy, BP 148/92.', ['ace inhibitor'], []],
      ['Allergy: Hyzaar. 50M, on metformin.', ['hyzaar'], ['metformin']],
      ['History of angioedema on lisinopril, now on amlodipine.', ['lisinopril (angioedema)'], ['amlodipine']],
      ['lisinopril-induced angioedema; takes Entresto', ['lisinopril (angioedema)'], []],
      ['PCN-allergic, on lisinopril', ['pcn'], ['lisinopril']],
      // A list ends where the drugs taken begin.
      ['Allergic to penicillin, on metformin and Zestoretic.', ['penicillin'], ['metformin', 'lisinopril', 'hydrochlorothiazide']],
      ['She has a sulfa allergy and takes Bactrim', ['sulfa'], ['trimethoprim-sulfamethoxazole']],
    ];
    for (const [text, allergies, medications] of cases) {
      const facts = extractPatientFacts(text);
      assert.deepEqual(facts.allergies, allergies, text);
      assert.deepEqual(facts.medications, medications, text);
    }
    assert.deepEqual(extractPatientFacts('lisinopril-induced angioedema; takes Entresto').uncoveredMedications.map((d) => d.generic), ['sacubitril/valsartan']);
    assert.equal(extractPatientFacts('Not allergic to penicillin.').allergies, undefined);
    assert.deepEqual(extractMedications('allergic to Zestoretic, takes Janumet'), ['sitagliptin', 'metformin']);
  });

  it('an allergen stands for its combination components and their allergy classes', () => {
    const zestoretic = allergensOf(['zestoretic (angioedema)']);
    assert.deepEqual([...zestoretic.drugs], ['lisinopril', 'hydrochlorothiazide']);
    assert.deepEqual([...zestoretic.classes], ['ace_inhibitor']);
    for (const drug of ['lisinopril', 'ramipril', 'benazepril', 'hydrochlorothiazide']) assert.ok(isAllergen(zestoretic, drug), drug);
    for (const drug of ['losartan', 'amlodipine', 'chlorthalidone']) assert.ok(!isAllergen(zestoretic, drug), drug);
    assert.ok(isAllergen(allergensOf(['ace-i']), 'enalapril'));
    assert.ok(isAllergen(allergensOf(['hyzaar']), 'valsartan'));
    assert.ok(isAllergen(allergensOf(['arbs']), 'sacubitril/valsartan'));
    // The first-line drug checked for hypertension is one the patient is not allergic to.
    const facts = extractPatientFacts('62M allergic to Zestoretic (angioedema), BP 160/100');
    const ranked = rankConditions(clinicalFindings(facts, {}));
    assert.deepEqual(suggestedDrugs(ranked, [], [], false, allergensOf(facts.allergies)), ['amlodipine']);
    assert.deepEqual(suggestedDrugs(ranked, [], []), ['lisinopril']);
  });

  it('blood pressure past a bound in words or symbols; a target or a rule is no reading', () => {
    assert.deepEqual(extractBloodPressure('BP below 130/80'), { systolic: 130, diastolic: 80, comparator: '<' });
    assert.deepEqual(extractBloodPressure('BP under 130 over 80'), { systolic: 130, diastolic: 80, comparator: '<' });
    assert.deepEqual(extractBloodPressure('BP over 180/120, headache'), { systolic: 180, diastolic: 120, comparator: '>' });
    assert.deepEqual(extractBloodPressure('BP > 160/100'), { systolic: 160, diastolic: 100, comparator: '>' });
    for (const text of ['target BP < 130/80', 'BP goal below 130/80', 'keep BP under 130/80', 'aim for BP below 140/90', 'treat if BP over 140/90']) {
      assert.equal(extractBloodPressure(text), undefined, text);
    }
    assert.deepEqual(extractBloodPressure('Target BP < 130/80. BP today 138/84.'), { systolic: 138, diastolic: 84 });
  });

  it('a severe blood pressure in words: a crisis, emergency or urgency named, or "very high"; not hypertension in the history', () => {
    const words = (text: string) => extractPatientFacts(text).severeBloodPressureWords;
    assert.equal(words('My patient may be in hypertensive crisis, what should I do?'), 'crisis');
    assert.equal(words('hypertensive emergency management'), 'emergency');
    assert.equal(words('Is this a hypertensive urgency?'), 'urgency');
    for (const text of ['BP is very high with chest pain, what now?', "her blood pressure's extremely high", 'severely elevated BP', 'BP through the roof', 'severe hypertension']) {
      assert.equal(words(text), 'very_high', text);
    }
    // Strongest first when several are said; denied, or only "high", is none.
    assert.equal(words('hypertensive crisis, BP very high, likely a hypertensive emergency'), 'emergency');
    for (const text of ['not a hypertensive emergency', 'high blood pressure', 'BP 150/95', 'cholesterol very high', 'BP not very high']) {
      assert.equal(words(text), undefined, text);
    }
    // The crisis is now, not a history of hypertension; a history said as such still is one.
    for (const text of ['hypertensive crisis', 'hypertensive emergency', 'very high blood pressure', 'severe hypertension']) {
      assert.deepEqual(extractPatientFacts(text).conditions, [], text);
    }
    assert.deepEqual(extractPatientFacts('known hypertension, now in hypertensive crisis').conditions, ['hypertension']);
    // One in the past is no crisis now: it is hypertension in the history.
    for (const text of ['history of hypertensive crisis, BP 138/84 today', 'She had a hypertensive emergency in 2019.', 'previous hypertensive urgency']) {
      assert.equal(words(text), undefined, text);
      assert.deepEqual(extractPatientFacts(text).conditions, ['hypertension'], text);
    }
    assert.equal(words('history of diabetes; now in hypertensive crisis'), 'crisis', 'a past cue in another clause does not reach it');
    assert.equal(describePatient(extractPatientFacts('BP very high with chest pain')), 'very high blood pressure (no reading given), presenting with chest pain');
    // A later turn keeps it; a reading given later is what the thresholds judge (clinical reasoning below).
    assert.equal(factsFromTexts(['hypertensive crisis?', 'BP 150/95']).severeBloodPressureWords, 'crisis');
  });

  it('eGFR and lab values past a bound in words; a goal or a rule is no result', () => {
    assert.deepEqual(pick(extractPatientFacts('eGFR below 30'), ['egfr', 'egfrComparator']), { egfr: 30, egfrComparator: '<' });
    assert.deepEqual(pick(extractPatientFacts('eGFR > 90'), ['egfr', 'egfrComparator']), { egfr: 90, egfrComparator: '>' });
    assert.equal(extractEgfr('stop metformin if eGFR < 30'), undefined);
    assert.deepEqual(factsFromTexts(['eGFR below 30', 'eGFR 42']).egfrComparator, undefined, 'a later exact eGFR replaces the bound');
    assert.deepEqual(extractLabs('A1c over 9'), [{ test: 'hba1c', value: 9, comparator: '>' }]);
    assert.deepEqual(extractLabs('fasting glucose under 7'), [{ test: 'fasting_glucose', value: 7, comparator: '<' }]);
    assert.deepEqual(extractLabs('LDL less than 70 mg/dL'), [{ test: 'ldl', value: 70, unit: 'mg/dL', comparator: '<' }]);
    assert.deepEqual(extractLabs('potassium at least 6'), [{ test: 'potassium', value: 6, comparator: '≥' }]);
    for (const text of ['goal A1c below 7%', 'target LDL < 70', 'keep A1c under 7', 'add insulin if A1c over 10']) assert.deepEqual(extractLabs(text), [], text);
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

describe('offline model: lab values', () => {
  const found: Array<[string, LabReading[]]> = [
    ['HbA1c 7.2%', [{ test: 'hba1c', value: 7.2, unit: '%' }]],
    ['A 32-year-old with an LDL of 190', [{ test: 'ldl', value: 190 }]],
    ['TSH is 8.5 with a low free T4', [{ test: 'tsh', value: 8.5 }, { test: 'free_t4', level: 'low' }]],
    ['potassium 5.9', [{ test: 'potassium', value: 5.9 }]],
    ['ferritin 8, hemoglobin 10.1', [{ test: 'ferritin', value: 8 }, { test: 'hemoglobin', value: 10.1 }]],
    ['K 5.9 mmol/L and K+ 6.1', [{ test: 'potassium', value: 6.1 }]],
    // A bare letter is read like the name, its value checked as any other.
    ['K 5.9', [{ test: 'potassium', value: 5.9 }]],
    ['Na 140', [{ test: 'sodium', value: 140 }]],
    ['Na 128 mEq/L', [{ test: 'sodium', value: 128, unit: 'mEq/L' }]],
    ['Hb A1c 53 mmol/mol; fasting sugar 130; FPG 7.8 mmol/L', [{ test: 'hba1c', value: 53, unit: 'mmol/mol' }, { test: 'fasting_glucose', value: 7.8, unit: 'mmol/L' }]],
    [
      'LDL cholesterol 190, HDL 38, triglycerides 250, total cholesterol 280',
      [{ test: 'ldl', value: 190 }, { test: 'hdl', value: 38 }, { test: 'triglycerides', value: 250 }, { test: 'total_cholesterol', value: 280 }],
    ],
    ['ALT 85, AST 60 U/L, BUN 28, uric acid 8.2 mg/dL', [{ test: 'alt', value: 85 }, { test: 'ast', value: 60, unit: 'U/L' }, { test: 'bun', value: 28 }, { test: 'uric_acid', value: 8.2, unit: 'mg/dL' }]],
    ['25(OH)D 12 ng/mL, ferritin 1,200', [{ test: 'vitamin_d', value: 12, unit: 'ng/mL' }, { test: 'ferritin', value: 1200 }]],
    ['A1c was 7.9 last year; A1c has risen to 8.1', [{ test: 'hba1c', value: 8.1 }]],
    ['HbA1c 7.2% (target < 7%)', [{ test: 'hba1c', value: 7.2, unit: '%' }]],
    ['LDL 160, goal < 100', [{ test: 'ldl', value: 160 }]],
    ['TSH was elevated in March; now TSH is suppressed', [{ test: 'tsh', level: 'low' }]],
    ['high TSH', [{ test: 'tsh', level: 'high' }]],
    ['Elevated ALT; ferritin is low', [{ test: 'alt', level: 'high' }, { test: 'ferritin', level: 'low' }]],
    ['not anemic, Hb 13.5', [{ test: 'hemoglobin', value: 13.5 }]],
    // A random glucose, not a fasting one: ADA's threshold differs.
    ['random glucose 240 mg/dL', [{ test: 'random_glucose', value: 240, unit: 'mg/dL' }]],
    ['non-fasting glucose 13.1 mmol/L', [{ test: 'random_glucose', value: 13.1, unit: 'mmol/L' }]],
    ['RBG 11.2, fasting glucose 6.1 mmol/L', [{ test: 'random_glucose', value: 11.2 }, { test: 'fasting_glucose', value: 6.1, unit: 'mmol/L' }]],
    // Urea (UK, mmol/L) apart from BUN (mg/dL).
    ['urea 14.2 mmol/L, BUN 28', [{ test: 'urea', value: 14.2, unit: 'mmol/L' }, { test: 'bun', value: 28 }]],
    ['serum urea 7.5', [{ test: 'urea', value: 7.5 }]],
    // A result past a bound keeps its comparator.
    ['TSH < 0.01', [{ test: 'tsh', value: 0.01, comparator: '<' }]],
    ['TSH <0.01 mIU/L', [{ test: 'tsh', value: 0.01, unit: 'mIU/L', comparator: '<' }]],
    ['ferritin >1000', [{ test: 'ferritin', value: 1000, comparator: '>' }]],
    ['K >= 6.5 mmol/L', [{ test: 'potassium', value: 6.5, unit: 'mmol/L', comparator: '≥' }]],
    // A date between name and value: the value is read, never the date's digits.
    ['HbA1c (March 2026) 7.4%', [{ test: 'hba1c', value: 7.4, unit: '%' }]],
    ['potassium on 3/14: 5.8', [{ test: 'potassium', value: 5.8 }]],
    ['HbA1c (2026-03-14) 6.9%; Hb (14 March 2026) 9.8', [{ test: 'hba1c', value: 6.9, unit: '%' }, { test: 'hemoglobin', value: 9.8 }]],
    ['A1c on 12/2023 was 8.2%, TSH in March 8.5', [{ test: 'hba1c', value: 8.2, unit: '%' }, { test: 'tsh', value: 8.5 }]],
  ];
  for (const [text, labs] of found) {
    it(`labs from "${text}"`, () => assert.deepEqual(extractLabs(text), labs));
  }

  const notLabs = [
    'LDL goal < 100',
    'target LDL 70 mg/dL',
    'aiming for an A1c under 7',
    'HbA1c 7-8%',
    'TSH/free T4 8.5/0.6',
    'ALT 3x the upper limit',
    'HbA1c 12/2023',
    'a 45 yo man with BP 150/95 on metformin 500 mg',
    'TSH in a 45-year-old',
    'on potassium 20 mEq daily',
    'potassium chloride 20 mEq',
    'vitamin D 2000 IU daily',
    'takes vitamin D 50',
    'vitamin D3 1000',
    'low sodium diet, high potassium foods',
    'TSH high-normal',
    'no recent HbA1c',
    'non-HDL cholesterol 160',
    'LDL-P 1500',
    'urate-lowering therapy 100 mg',
    'potassium 45', // atypical in every unit: not a result
    'urea 40 mg/dL', // urea's own mass or BUN: not guessed
    'urea breath test 5',
    'keep LDL < 70', // a bound is a target here
    'LDL < 100 is the goal',
    'HbA1c < 7% for most adults',
    'potassium on 3/14', // a date and no value
    'HbA1c (March 2026)',
  ];
  for (const text of notLabs) {
    it(`no lab in "${text}"`, () => assert.deepEqual(extractLabs(text), []));
  }

  it('a bare number takes the one unit it is typical in: urea has only mmol/L, while BUN 18 and vitamin D 25 stay unitless for the lab tool to ask about', () => {
    assert.equal(unitOf({ test: 'urea', value: 7.5 }), 'mmol/L');
    assert.equal(unitOf({ test: 'bun', value: 18 }), undefined, '18 mg/dL or 18 mmol/L (50 mg/dL): both plausible');
    assert.equal(unitOf({ test: 'vitamin_d', value: 25 }), undefined, '25 ng/mL or 25 nmol/L (10 ng/mL): both plausible');
    assert.equal(unitOf({ test: 'bun', value: 90 }), 'mg/dL', 'only one unit fits');
  });

  it('keeps the other facts as they were: age, blood pressure and doses are not labs', () => {
    const facts = extractPatientFacts('A 58-year-old man, BP 150/95, creatinine 1.4 mg/dL, eGFR 55, on metformin 1000 mg. HbA1c 8.1%.');
    assert.equal(facts.age, 58);
    assert.deepEqual(facts.bloodPressure, { systolic: 150, diastolic: 95 });
    assert.deepEqual(facts.serumCreatinine, { value: 1.4, unit: 'mg/dL' });
    assert.equal(facts.egfr, 55);
    assert.deepEqual(facts.labs, [{ test: 'hba1c', value: 8.1, unit: '%' }]);
  });

  it('merges turns: a later value of a test replaces the earlier one, a result in words never replaces a value', () => {
    const facts = factsFromTexts(['HbA1c 7.9%, LDL 160, low ferritin', 'Repeat HbA1c is 7.1%; ferritin 9.', 'Her LDL is high.']);
    assert.deepEqual(facts.labs, [{ test: 'ldl', value: 160 }, { test: 'hba1c', value: 7.1, unit: '%' }, { test: 'ferritin', value: 9 }]);
    assert.deepEqual(factsFromTexts(['TSH is high', 'TSH is 8.5']).labs, [{ test: 'tsh', value: 8.5 }]);
    assert.deepEqual(factsFromTexts(['TSH 8.5', 'given the high TSH, treat?']).labs, [{ test: 'tsh', value: 8.5 }]);
  });

  it('says the labs in the patient summary and in what a follow-up added', () => {
    assert.equal(describePatient(extractPatientFacts('A 32-year-old woman, HbA1c 7.2%, LDL 190, with a low free T4.')), '32-year-old female, HbA1c 7.2 %, LDL 190 mg/dL, low free T4');
    assert.equal(describeNewInformation(extractPatientFacts('Her potassium is 5.9 and BP 150/95.')), 'blood pressure 150/95 mmHg and potassium 5.9 mmol/L');
  });

  it('knows every test of the lab tool by the name the tool answers with, and converts units as the tool does', () => {
    const data = JSON.parse(readFileSync(new URL('../../data/lab-references/labs.json', import.meta.url), 'utf8')) as {
      tests: Array<{ id: string; name: string; unit: string; alternate_units?: Array<{ unit: string; multiply: number; add?: number }> }>;
    };
    const entries = data.tests.filter((t) => t.id !== 'creatinine');
    assert.deepEqual(entries.map((t) => labIdOf(t.name)), entries.map((t) => t.id));
    const lookedUpAsThemselves = LAB_TESTS.filter((t) => toolTestOf(t.id) === t.id).map((t) => t.id);
    assert.deepEqual(lookedUpAsThemselves.sort(), entries.map((t) => t.id).sort(), 'the 18 tests but creatinine, which is serumCreatinine');
    // The others: urea is looked up as BUN, a random glucose or one of unstated timing not at all (the tool's glucose range is the fasting one).
    assert.deepEqual(LAB_TESTS.filter((t) => toolTestOf(t.id) !== t.id).map((t) => [t.id, toolTestOf(t.id)]), [['random_glucose', undefined], ['glucose', undefined], ['urea', 'bun']]);
    for (const entry of entries) {
      const ours = LAB_TESTS.find((t) => t.id === entry.id)!;
      assert.equal(ours.units[0]?.unit, entry.unit, `${entry.id}: reference unit`);
      for (const alternate of entry.alternate_units ?? []) {
        if (alternate.unit === 'µkat/L') continue; // read by the tool, never typed in a question
        const unit = ours.units.find((u) => u.unit === alternate.unit);
        assert.ok(unit, `${entry.id}: ${alternate.unit}`);
        assert.equal(unit.multiply, alternate.multiply);
        assert.equal(unit.add ?? 0, alternate.add ?? 0);
      }
    }
  });

  it('property: lab extraction never throws, and every value it finds is positive and finite', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('HbA1c', 'LDL', 'TSH', 'K', 'potassium', 'Hb', 'vitamin D'), (text, name) => {
        for (const lab of extractLabs(`${text} ${name} ${text}`)) if (lab.value !== undefined) assert.ok(Number.isFinite(lab.value) && lab.value >= 0);
      }),
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

  it('a severe blood pressure in words with no reading: a crisis named, or "very high" with a target-organ symptom, is a possible hypertensive emergency', () => {
    const top = (text: string) => rankConditions(clinicalFindings(extractPatientFacts(text), {}))[0];
    for (const text of ['My patient may be in hypertensive crisis', 'hypertensive emergency management', 'hypertensive urgency', 'BP is very high with chest pain']) {
      assert.equal(top(text)?.profile.id, 'hypertensive_emergency', text);
    }
    assert.deepEqual(top('BP is very high with chest pain')?.reasons, ['very high blood pressure (no reading given) with chest pain (possible target-organ damage)']);
    // "Very high" alone is hypertension to measure now, not yet an emergency; a reading, once given, decides.
    const veryHigh = rankConditions(clinicalFindings(extractPatientFacts('BP very high'), {}));
    assert.deepEqual(veryHigh.map((r) => r.profile.id), ['hypertension']);
    const measured = rankConditions(clinicalFindings(factsFromTexts(['hypertensive crisis with headache?', 'BP 150/95']), {}));
    assert.ok(!measured.some((r) => r.profile.id === 'hypertensive_emergency'));
  });

  it('a crisis, emergency or urgency named with a reading under 180/120 mmHg is said to be below the threshold; not "very high", a severe reading or a bound', () => {
    assert.deepEqual(crisisNamedBelowThreshold(extractPatientFacts('Is my patient in hypertensive crisis? BP 165/105')), { words: 'crisis', bp: { systolic: 165, diastolic: 105 } });
    assert.equal(crisisNamedBelowThreshold(factsFromTexts(['hypertensive emergency?', 'BP 150/95']))?.words, 'emergency');
    assert.equal(crisisNamedBelowThreshold(extractPatientFacts('hypertensive urgency, BP 170/110'))?.words, 'urgency');
    for (const text of ['hypertensive crisis, BP 190/125', 'hypertensive crisis, BP 170/120', 'BP very high at 165/100', 'hypertensive crisis', 'BP 165/105', 'history of hypertensive crisis, BP 150/95', 'hypertensive crisis, BP below 140/90']) {
      assert.equal(crisisNamedBelowThreshold(extractPatientFacts(text)), undefined, text);
    }
  });

  it('an urgent problem orders its own work-up: severe hyperkalemia, acute kidney injury, level 2 hypoglycemia, a hyperglycemic crisis, profound hyponatremia', () => {
    const orders = (text: string) => {
      const facts = extractPatientFacts(text);
      const findings = clinicalFindings(facts, {});
      const problems = urgentProblems(findings, labResults(facts, []));
      return problems.urgent ? urgentOrders(problems, rankConditions(findings), facts) : undefined;
    };
    const hyperkalemia = ['repeat potassium (non-hemolyzed sample)', 'ECG', 'creatinine and electrolytes', 'glucose'];
    assert.deepEqual(orders('58F, BMI 34, snoring, HbA1c 7.1%, potassium 6.3'), hyperkalemia);
    assert.deepEqual(orders('K 5.9 on lisinopril, ECG shows peaked T waves, snoring'), hyperkalemia, 'with ECG changes');
    // A red flag's tests are ordered now too, each once.
    assert.deepEqual(orders('potassium 6.8, chest pain'), [...hyperkalemia, 'high-sensitivity troponin']);
    assert.deepEqual(orders('70M, creatinine 3.2 mg/dL, fatigue'), ['creatinine and electrolytes', 'urinalysis', 'renal tract ultrasound if obstruction is possible']);
    assert.deepEqual(orders('on insulin, glucose 2.6 mmol/L, snoring'), ['finger-prick glucose 15 minutes after treatment', 'creatinine and electrolytes']);
    assert.deepEqual(orders('glucose 620 mg/dL, thirst'), ['blood ketones (beta-hydroxybutyrate)', 'venous blood gas (pH, bicarbonate)', 'creatinine and electrolytes', 'serum osmolality']);
    assert.deepEqual(orders('sodium 118, confusion'), ['creatinine and electrolytes', 'glucose', 'serum osmolality', 'urine osmolality', 'urine sodium']);
    // Two at once: both work-ups, most urgent first, each test once.
    assert.deepEqual(orders('K 6.8, sodium 121'), [...hyperkalemia, 'serum osmolality', 'urine osmolality', 'urine sodium']);
    // Not urgent: mild hyperkalemia, level 1 hypoglycemia, a known CKD at eGFR 40.
    for (const text of ['potassium 5.8 on lisinopril', 'glucose 3.5 mmol/L on glipizide', 'CKD, eGFR 40', 'HbA1c 7.1%, snoring']) assert.equal(orders(text), undefined, text);
  });

  it('while an urgent problem leads, no first-line drug is suggested but a red flag\'s', () => {
    const ranked = (text: string) => rankConditions(clinicalFindings(extractPatientFacts(text), { bmi: 34 }));
    const routine = ranked('58F, BP 150/95, snoring, HbA1c 7.1%');
    assert.deepEqual(suggestedDrugs(routine, [], []), ['metformin', 'semaglutide', 'lisinopril']);
    assert.deepEqual(suggestedDrugs(routine, [], [], false, allergensOf(undefined), false, true), []);
    assert.deepEqual(suggestedDrugs(ranked('58F, BP 150/95, HbA1c 7.1%, chest pain'), [], [], false, allergensOf(undefined), false, true), ['aspirin']);
  });

  it('snoring brings sleep apnea up; chest pain is flagged as urgent', () => {
    const snoring = rankConditions(clinicalFindings(extractPatientFacts('snoring and daytime sleepiness, BMI 33'), { bmi: 33 }));
    assert.equal(snoring.filter((r) => r.profile.kind === 'differential')[0]?.profile.id, 'sleep_apnea');
    const chest = rankConditions(clinicalFindings(extractPatientFacts('58 yo man with chest pain'), {}));
    assert.equal(chest[0]?.profile.id, 'acute_coronary_syndrome');
    assert.ok(chest[0]?.profile.redFlag);
  });

  const rank = (text: string) => rankConditions(clinicalFindings(extractPatientFacts(text), {}));
  const reasonsFor = (text: string, id: string) => rank(text).find((r) => r.profile.id === id)?.reasons ?? [];

  it('lab values: diabetes from HbA1c or fasting glucose, stating the value and the threshold', () => {
    const ranked = rank('A 50-year-old man, HbA1c 7.4%');
    assert.equal(ranked[0]?.profile.id, 'type_2_diabetes');
    assert.deepEqual(ranked[0]?.reasons, ['age 50 (≥ 35)', 'HbA1c 7.4 % (≥ 6.5 %: diabetes range)']);
    assert.deepEqual(reasonsFor('HbA1c 6.1%', 'type_2_diabetes'), ['HbA1c 6.1 % (5.7–6.4 %: prediabetes range)']);
    assert.deepEqual(reasonsFor('fasting glucose 7.8 mmol/L', 'type_2_diabetes'), ['fasting glucose 7.8 mmol/L (≈ 141 mg/dL; ≥ 126 mg/dL: diabetes range)']);
    assert.deepEqual(reasonsFor('FPG 110', 'type_2_diabetes'), ['fasting glucose 110 mg/dL (100–125 mg/dL: impaired fasting glucose (prediabetes))']);
    // A normal HbA1c counts against diabetes, and says why.
    const score = (text: string) => rank(text).find((r) => r.profile.id === 'type_2_diabetes')?.score;
    assert.equal(score('increased thirst and frequent urination, HbA1c 5.2%'), (score('increased thirst and frequent urination') ?? 0) - 2);
    assert.ok(reasonsFor('increased thirst and frequent urination, HbA1c 5.2%', 'type_2_diabetes').includes('HbA1c 5.2 % (< 5.7 %: normal, against diabetes)'));
  });

  it('lab values: LDL ≥ 190 raises hyperlipidemia strongly, 160–189 moderately', () => {
    const severe = rank('LDL 195').find((r) => r.profile.id === 'hyperlipidemia');
    assert.equal(severe?.score, 4);
    assert.deepEqual(severe?.reasons, ['LDL 195 mg/dL (≥ 190 mg/dL: severe hypercholesterolemia)']);
    assert.equal(rank('LDL 170').find((r) => r.profile.id === 'hyperlipidemia')?.score, 2);
    assert.equal(rank('LDL 95').find((r) => r.profile.id === 'hyperlipidemia'), undefined);
    const before = clinicalFindings(extractPatientFacts(SEED), {});
    const after = clinicalFindings(factsFromTexts([SEED, 'Her LDL is 195.']), {});
    assert.ok(raisedBy(before, after).some((p) => p.id === 'hyperlipidemia'));
  });

  it('lab values: thyroid, anemia (by sex and pregnancy), iron deficiency and urate', () => {
    const thyroid = rank('A 45-year-old woman with fatigue and cold intolerance. TSH is 8.5 with a low free T4.');
    assert.equal(thyroid[0]?.profile.id, 'hypothyroidism');
    assert.ok(thyroid[0]?.reasons.includes('TSH 8.5 mIU/L (> 4.5 mIU/L: raised; subclinical hypothyroidism if free T4 is normal, overt if low)'));
    assert.ok(thyroid[0]?.reasons.includes('low free T4 (overt hypothyroidism when TSH is raised)'));
    assert.equal(rank('fatigue, cold intolerance, TSH 2.1').find((r) => r.profile.id === 'hypothyroidism'), undefined, 'a normal TSH counts against it');
    assert.equal(rank('TSH 0.05, palpitations').filter((r) => r.profile.kind === 'differential')[0]?.profile.id, 'hyperthyroidism');
    assert.deepEqual(reasonsFor('on levothyroxine, TSH 0.05, palpitations', 'hyperthyroidism'), ['palpitations'], 'on levothyroxine a low TSH is over-replacement');
    assert.deepEqual(reasonsFor('a woman, Hb 10.1', 'anemia'), ['female sex', 'hemoglobin 10.1 g/dL (< 12.0 g/dL for a non-pregnant woman: anemia)']);
    assert.deepEqual(reasonsFor('a 60-year-old man, Hb 12.5', 'anemia'), ['hemoglobin 12.5 g/dL (< 13.0 g/dL for a man: anemia)']);
    assert.equal(rank('a 60-year-old woman, Hb 12.5').find((r) => r.profile.id === 'anemia'), undefined);
    assert.equal(rank('a pregnant woman, Hb 11.5, tired').find((r) => r.profile.id === 'anemia'), undefined, 'WHO: < 11.0 g/dL in pregnancy');
    assert.deepEqual(reasonsFor('Hb 12.5', 'anemia'), [], 'sex unknown: between the two limits, no claim either way');
    assert.deepEqual(reasonsFor('a 60-year-old man, ferritin 8', 'anemia'), ['ferritin 8 ng/mL (< 30 ng/mL: iron deficiency)']);
    assert.deepEqual(reasonsFor('joint pain, uric acid 8.2', 'gout'), ['joint pain', 'uric acid 8.2 mg/dL (> 6.8 mg/dL: above urate saturation; supports gout only with a typical flare)']);
    assert.deepEqual(reasonsFor('eGFR 42', 'chronic_kidney_disease'), ['eGFR 42 (30–44: moderately to severely decreased, G3b)'], 'eGFR with its KDIGO band');
  });

  it('lab values: a random glucose against ADA\'s random threshold (≥ 200 mg/dL, diagnostic with classic symptoms), never the fasting one', () => {
    assert.deepEqual(reasonsFor('increased thirst and frequent urination, random glucose 240 mg/dL', 'type_2_diabetes'), [
      'increased thirst, frequent urination',
      'random glucose 240 mg/dL (≥ 200 mg/dL with classic symptoms: diabetes (ADA diagnostic criterion))',
    ]);
    assert.deepEqual(reasonsFor('non-fasting glucose 13.1 mmol/L', 'type_2_diabetes'), [
      'random glucose 13.1 mmol/L (≈ 236 mg/dL; ≥ 200 mg/dL: diabetes range if classic symptoms are present; otherwise confirm with HbA1c or fasting glucose)',
    ]);
    assert.equal(rank('random glucose 150').find((r) => r.profile.id === 'type_2_diabetes'), undefined, '140–199 mg/dL is not diagnostic');
    const facts = extractPatientFacts('RBG 48');
    assert.deepEqual(judgeLab(facts.labs[0]!, facts), { value: 'random glucose 48 mg/dL', meaning: 'level 2 hypoglycemia', threshold: '< 54 mg/dL, 3.0 mmol/L', matters: false, urgent: true, alert: false });
  });

  it('lab values past a bound fall in a band only if every value past it does', () => {
    const judged = (text: string) => {
      const facts = extractPatientFacts(text);
      const { value, meaning, threshold, urgent } = judgeLab(facts.labs[0]!, facts);
      return { value, meaning, threshold, urgent };
    };
    assert.deepEqual(reasonsFor('palpitations, TSH < 0.01', 'hyperthyroidism'), ['palpitations', 'TSH < 0.01 mIU/L (< 0.1 mIU/L: suppressed; hyperthyroidism likely)']);
    assert.deepEqual(judged('potassium > 6.0'), { value: 'potassium > 6 mmol/L', meaning: 'at least moderate hyperkalemia', threshold: '≥ 6.0 mmol/L', urgent: true });
    assert.deepEqual(judged('LDL > 200'), { value: 'LDL > 200 mg/dL', meaning: 'severe hypercholesterolemia', threshold: '≥ 190 mg/dL', urgent: false });
    // Past a bound inside a band: it may lie beyond it, so no band is claimed.
    assert.deepEqual(judged('LDL > 170'), { value: 'LDL > 170 mg/dL', meaning: undefined, threshold: undefined, urgent: false });
    assert.deepEqual(judged('sodium > 140'), { value: 'sodium > 140 mmol/L', meaning: undefined, threshold: undefined, urgent: false }, 'not "normal"');
    assert.deepEqual(judged('potassium < 4.5 mmol/L'), { value: 'potassium < 4.5 mmol/L', meaning: undefined, threshold: undefined, urgent: false });
    assert.equal(judged('ferritin < 10').meaning, 'iron deficiency');
    // Past the diabetes threshold's lower side: below it, whatever the exact value.
    assert.deepEqual(judged('fasting glucose under 7'), { value: 'fasting glucose < 7 mmol/L (< 126 mg/dL)', meaning: 'below the diabetes threshold (100–125 mg/dL would be prediabetes)', threshold: '< 126 mg/dL, 7.0 mmol/L', urgent: false });
    assert.equal(judged('HbA1c below 7%').meaning, 'at the usual treatment goal in diabetes (6.5–6.9 % is still the diabetes range)');
    assert.equal(judged('A1c over 9').meaning, 'diabetes range');
  });

  it('treatments never offer a drug or class the patient is allergic to', () => {
    const treatments = (id: string, text: string) => {
      const profile = CONDITION_PROFILES.find((p) => p.id === id);
      assert.ok(profile, id);
      return treatmentsOf(profile, clinicalFindings(extractPatientFacts(text), {})).join('; ');
    };
    const cases: Array<[profile: string, text: string, offers: RegExp, never: RegExp]> = [
      ['hypertension', 'allergic to Zestoretic (angioedema)', /a calcium-channel blocker such as amlodipine.*an ARB only with caution/, /an ACE inhibitor or ARB|thiazide-like diuretic,/],
      ['hypertension', 'ACE inhibitor allergy', /a thiazide-like diuretic or a calcium-channel blocker/, /an ACE inhibitor or ARB/],
      ['hypertension', 'allergy: Hyzaar', /an ACE inhibitor, or a calcium-channel blocker.*no ARB/, /ACE inhibitor or ARB/],
      ['chronic_kidney_disease', 'allergic to lisinopril', /for albuminuria: an ARB only with caution/, /an ACE inhibitor or ARB/],
      ['heart_failure', 'lisinopril-induced angioedema', /no ACE inhibitor, and no ARNI/, /ACE inhibitor\/ARB\/ARNI/],
      ['hyperlipidemia', 'statin allergy', /no statin \(allergy reported\): .*ezetimibe/, /a statin such as atorvastatin/],
      ['depression', 'allergic to sertraline', /other than an SSRI/, /an SSRI such as sertraline/],
      ['gout', 'allergic to aspirin', /colchicine or a short course of prednisone \(no NSAID/, /an NSAID or/],
      ['type_2_diabetes', 'allergic to metformin', /no metformin \(allergy reported\)/, /metformin is the first-line drug/],
      ['acute_coronary_syndrome', 'allergic to aspirin', /clopidogrel in place of aspirin/, /; aspirin, /],
    ];
    for (const [profile, text, offers, never] of cases) {
      const given = treatments(profile, text);
      assert.match(given, offers, `${profile}, ${text}`);
      assert.doesNotMatch(given, never, `${profile}, ${text}`);
    }
    // No allergy: the usual wording, unchanged.
    assert.match(treatments('hypertension', 'BP 150/95'), /first-line drugs: a thiazide-like diuretic, an ACE inhibitor or ARB, or a calcium-channel blocker such as amlodipine \(stage 2 usually needs two\)$/);
  });

  it('is stable: the same findings always rank the same way', () => {
    const facts = extractPatientFacts('fatigue, weight gain, cold intolerance, low mood, snoring');
    assert.deepEqual(rankConditions(clinicalFindings(facts, {})), rankConditions(clinicalFindings(facts, {})));
  });
});

describe('offline model: dates and decimal commas, read once for every value', () => {
  it('creatinine next to a date is its own value, whatever the date looks like', () => {
    assert.deepEqual(extractSerumCreatinine('creatinine 01/11/2026 2.1 mg/dL'), { value: 2.1, unit: 'mg/dL' });
    assert.deepEqual(extractSerumCreatinine('creatinine (01/11/2026) 2.1 mg/dL'), { value: 2.1, unit: 'mg/dL' });
    assert.deepEqual(extractSerumCreatinine('creatinine on 1 Nov 2026: 186 umol/L'), { value: 186, unit: 'umol/L' });
    assert.deepEqual(extractSerumCreatinine('creatinine 2026-11-01 2.1'), { value: 2.1, unit: 'mg/dL' });
    // The eGFR follows: 2.1 mg/dL at 61 is about 35, not the 87 of "1 mg/dL".
    const facts = extractPatientFacts('A 61-year-old man, creatinine 01/11/2026 2.1 mg/dL.');
    assert.equal(estimateEgfr(facts), 35);
  });

  it('no date feeds any value: age, weight, blood pressure, eGFR, creatinine or a lab', () => {
    const text =
      'Seen 01/11/2026: 72 yo woman. Weight on 2026-11-01 68 kg, BP (3/14) 150/95, eGFR 01/11/2026 32, TSH 1 Nov 2026 8.5, ' +
      'Na (14 March 2026) 131, K on 3/14 6.1, HbA1c Nov 1, 2026 7.9%, creatinine on 1 Nov 2026: 186 umol/L.';
    const facts = extractPatientFacts(text);
    assert.equal(facts.age, 72);
    assert.deepEqual(facts.weight, { value: 68, unit: 'kg' });
    assert.deepEqual(facts.bloodPressure, { systolic: 150, diastolic: 95 });
    assert.equal(facts.egfr, 32, 'not the 1 of 01/11/2026');
    assert.deepEqual(facts.serumCreatinine, { value: 186, unit: 'umol/L' });
    assert.deepEqual(facts.labs, [
      { test: 'tsh', value: 8.5 },
      { test: 'sodium', value: 131 },
      { test: 'potassium', value: 6.1 },
      { test: 'hba1c', value: 7.9, unit: '%' },
    ]);
    // The exported readers prepare their text the same way.
    assert.equal(extractEgfr('eGFR 01/11/2026 32'), 32);
    assert.equal(extractAge('DOB 03/14/1961, 65F'), 65);
    assert.deepEqual(extractLabs('TSH 1 Nov 2026 8.5'), [{ test: 'tsh', value: 8.5 }]);
    // A date with nothing after it is no value at all.
    assert.equal(extractSerumCreatinine('creatinine on 01/11/2026'), undefined);
    assert.equal(extractEgfr('eGFR checked 2026-11-01'), undefined);
  });

  it('one preparation: every date blanked at its own length, words that only start like a month kept', () => {
    for (const date of ['01/11/2026', '1.11.26', '2026-11-01', '1 Nov 2026', 'Nov 1, 2026', 'November 2026', '12/2023']) {
      assert.equal(valueText(`TSH ${date} 8.5`), `TSH ${' '.repeat(date.length)} 8.5`, date);
    }
    assert.equal(valueText('potassium on 3/14: 5.8'), `potassium ${' '.repeat(7)}: 5.8`);
    assert.equal(valueText('on Janumet, in Mayo clinic, metformin 5/10/20 mg'), 'on Janumet, in Mayo clinic, metformin 5/10/20 mg');
    assert.equal(valueText('3/14 alone and 1 Nov alone are not dates'), '3/14 alone and 1 Nov alone are not dates');
  });

  // The rule (value-text.ts): a comma is a decimal point only with one or two digits after it, not
  // inside or before a list ("4,5,6", "4,5 and 6"), never as a thousands separator.
  const commas: Array<[string, LabReading[]]> = [
    ['potassium 6,8 mmol/l', [{ test: 'potassium', value: 6.8, unit: 'mmol/L' }]],
    ['K 6,8, Na 131', [{ test: 'potassium', value: 6.8 }, { test: 'sodium', value: 131 }]],
    ['HbA1c 7,2%', [{ test: 'hba1c', value: 7.2, unit: '%' }]],
    ['ferritin 1,200', [{ test: 'ferritin', value: 1200 }]],
    ['potassium 4,5,6', []],
    ['potassium 4,5 and 6', []],
  ];
  for (const [text, labs] of commas) {
    it(`decimal comma: "${text}"`, () => assert.deepEqual(extractLabs(text), labs));
  }

  it('a decimal comma is read for creatinine too, and never leaves the integer part alone', () => {
    assert.deepEqual(extractSerumCreatinine('creatinine 1,4 mg/dL'), { value: 1.4, unit: 'mg/dL' });
    assert.equal(extractSerumCreatinine('creatinine 1,4,6'), undefined);
  });
});

describe('offline model: values written the short way', () => {
  const found: Array<[string, LabReading[]]> = [
    ['K 6.8', [{ test: 'potassium', value: 6.8 }]],
    ['K+ 6.8', [{ test: 'potassium', value: 6.8 }]],
    ['Na 131', [{ test: 'sodium', value: 131 }]],
    ['potassium (K) 6.1 mmol/L', [{ test: 'potassium', value: 6.1, unit: 'mmol/L' }]],
    ['sodium (Na+) 128', [{ test: 'sodium', value: 128 }]],
    // Timing not given: judged as a random glucose, never as fasting.
    ['glucose 3.1 mmol/L', [{ test: 'glucose', value: 3.1, unit: 'mmol/L' }]],
    ['blood glucose 3.1 mmol/L', [{ test: 'glucose', value: 3.1, unit: 'mmol/L' }]],
    ['glucose (fasting) 7.4 mmol/L', [{ test: 'fasting_glucose', value: 7.4, unit: 'mmol/L' }]],
    ['glucose, fasting 7.4 mmol/L', [{ test: 'fasting_glucose', value: 7.4, unit: 'mmol/L' }]],
    ['fasting plasma glucose 7.4 mmol/L, random glucose 12', [{ test: 'fasting_glucose', value: 7.4, unit: 'mmol/L' }, { test: 'random_glucose', value: 12 }]],
  ];
  for (const [text, labs] of found) {
    it(`labs from "${text}"`, () => assert.deepEqual(extractLabs(text), labs));
  }
  for (const text of ['vitamin K 5', 'low Na diet', 'K-sparing diuretic 25', 'glucose tolerance test 7.8', 'glucose tablets 4', 'urine glucose 3', 'TSH receptor antibodies 5.2']) {
    it(`no lab in "${text}"`, () => assert.deepEqual(extractLabs(text), []));
  }

  it('a low glucose is hypoglycemia, flagged below 3.9 mmol/L (70 mg/dL) and urgent below 3.0 (54)', () => {
    const judged = (text: string) => {
      const facts = extractPatientFacts(text);
      return judgeLab(facts.labs[0]!, facts);
    };
    assert.deepEqual(judged('glucose 3.1 mmol/L'), {
      value: 'glucose 3.1 mmol/L (≈ 55.8 mg/dL)',
      meaning: 'level 1 hypoglycemia',
      threshold: '< 70 mg/dL, 3.9 mmol/L',
      matters: false,
      urgent: false,
      alert: true,
    });
    assert.equal(judged('blood glucose 2.8 mmol/L').urgent, true);
    assert.equal(judged('glucose 14.2 with thirst').meaning, 'diabetes (ADA diagnostic criterion)', 'timing not given: read as random');
  });

  it('drugs the reference does not cover are kept, as written, and a product is never read as its covered part', () => {
    const facts = extractPatientFacts('A 70-year-old man on ramipril, eplerenone, Entresto and Glucovance; metformin 1 g twice daily.');
    assert.deepEqual(facts.medications, ['ramipril', 'eplerenone', 'metformin']);
    assert.deepEqual(facts.uncoveredMedications, [{ name: 'Entresto', generic: 'sacubitril/valsartan' }, { name: 'Glucovance', generic: 'glyburide/metformin' }]);
    assert.deepEqual(facts.dailyDoses, [{ drug: 'metformin', mgPerDay: 2000 }]);
    assert.deepEqual(extractPatientFacts('on glyburide/metformin 5/500').medications, [], 'not metformin alone');
    assert.match(describePatient(facts), /taking ramipril, eplerenone, metformin, Entresto \(sacubitril\/valsartan\) and Glucovance \(glyburide\/metformin\)$/);
  });

  it('ECG changes said to be there, or not', () => {
    assert.equal(extractPatientFacts('K 6.2, ECG shows peaked T waves').ecgChanges, true);
    assert.equal(extractPatientFacts('K 6.2, no ECG changes').ecgChanges, false);
    assert.equal(extractPatientFacts('K 6.2, ECG normal').ecgChanges, false);
    assert.equal(extractPatientFacts('K 6.2').ecgChanges, undefined);
  });
});

describe('offline model: clipping tool text', () => {
  it('cuts at a sentence, a clause or a word, never inside a word', () => {
    const management = 'Used together in heart failure with monitoring: start spironolactone only if potassium is 5.0 or less and eGFR above 30; check potassium and creatinine at 3 days, 1 week, then monthly for 3 months.';
    assert.equal(clip(management, 140), 'Used together in heart failure with monitoring: start spironolactone only if potassium is 5.0 or less and eGFR above 30…');
    assert.equal(clip('Avoid; choose another antibiotic (e.g. nitrofurantoin for cystitis). If needed, check the INR within 3–5 days.', 100), 'Avoid; choose another antibiotic (e.g. nitrofurantoin for cystitis).');
    assert.equal(clip('ideally on an empty stomach alternate-day dosing improves absorption', 50), 'ideally on an empty stomach alternate-day dosing…');
  });

  it('property: a clipped text is a prefix of the whole ending at a word boundary, within the limit', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const separator = fc.constantFrom(' ', ', ', '; ', '. ');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, separator), { minLength: 1, maxLength: 40 }), fc.integer({ min: 20, max: 200 }), (parts, max) => {
        const text = parts.map(([w, sep]) => w + sep).join('').trim();
        const out = clip(text, max);
        assert.ok(out.length <= max, `${out.length} > ${max}`);
        const body = out.endsWith('…') ? out.slice(0, -1) : out;
        assert.ok(text.startsWith(body), 'a prefix');
        if (body.length < text.length) assert.match(text.charAt(body.length), /[\s,;.]/, `cut inside a word: "${out}"`);
      }),
      { numRuns: 300 },
    );
  });
});

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
