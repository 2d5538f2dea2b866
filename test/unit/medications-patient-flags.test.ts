// Patient-specific flags: kidney function at each drug's eGFR thresholds (both sides of every
// boundary), pregnancy, age, allergies and cross-allergies, duplicates and spelling corrections.
import assert from 'node:assert/strict';
import { loadMedicationReference } from '../../services/toolworker/medications/load-reference.js';
import { MedicationChecker, type CheckedMedication } from '../../services/toolworker/medications/medication-checker.js';
import type { MedicationFlag, PatientContext } from '../../services/toolworker/medications/patient-flags.js';

const checker = new MedicationChecker(loadMedicationReference());

function checked(name: string, patient?: PatientContext): CheckedMedication {
  const result = checker.check([name], patient).medications[0];
  assert.ok(result?.found, `${name} is found`);
  return result;
}

function flagsOf(name: string, patient: PatientContext, type?: MedicationFlag['type']): MedicationFlag[] {
  return checked(name, patient).flags.filter((f) => type === undefined || f.type === type);
}

function renalLevel(name: string, egfr: number): string {
  return flagsOf(name, { egfr }, 'renal')[0]?.level ?? 'none';
}

describe('medications: renal flags at eGFR thresholds', () => {
  const boundaries: Array<[drug: string, egfr: number, level: string]> = [
    ['metformin', 25, 'contraindicated'],
    ['metformin', 29.9, 'contraindicated'],
    ['metformin', 30, 'adjust_dose'],
    ['metformin', 44, 'adjust_dose'],
    ['metformin', 45, 'caution'],
    ['metformin', 59, 'caution'],
    ['metformin', 60, 'none'],
    ['nitrofurantoin', 29, 'avoid'],
    ['nitrofurantoin', 30, 'caution'],
    ['nitrofurantoin', 60, 'none'],
    ['sitagliptin', 29, 'adjust_dose'],
    ['sitagliptin', 44, 'adjust_dose'],
    ['sitagliptin', 45, 'none'],
    ['rivaroxaban', 14, 'avoid'],
    ['rivaroxaban', 15, 'adjust_dose'],
    ['rivaroxaban', 49, 'adjust_dose'],
    ['rivaroxaban', 50, 'none'],
    ['apixaban', 24, 'caution'],
    ['apixaban', 25, 'none'],
    ['spironolactone', 29, 'avoid'],
    ['spironolactone', 49, 'adjust_dose'],
    ['gabapentin', 59, 'adjust_dose'],
    ['ibuprofen', 29, 'avoid'],
    ['ibuprofen', 59, 'caution'],
    ['atorvastatin', 10, 'none'],
  ];
  for (const [drug, egfr, level] of boundaries) {
    it(`${drug} at eGFR ${egfr}: ${level}`, () => assert.equal(renalLevel(drug, egfr), level));
  }

  it('says what applies, at which value, and why', () => {
    const [flag] = flagsOf('metformin', { egfr: 25 }, 'renal');
    assert.equal(flag?.message, 'contraindicated at eGFR 25 (below 30): Contraindicated: stop metformin (risk of lactic acidosis).');
    const renal = checked('metformin', { egfr: 25 }).renal;
    assert.deepEqual(renal.atPatientEgfr, { egfr: 25, action: 'contraindicated', advice: 'Contraindicated: stop metformin (risk of lactic acidosis).' });
    assert.deepEqual(checked('metformin', { egfr: 90 }).renal.atPatientEgfr, { egfr: 90, action: 'none', advice: 'No renal dose adjustment at this eGFR.' });
    assert.equal(checked('metformin').renal.atPatientEgfr, undefined, 'no eGFR, no verdict; the thresholds are still listed');
    assert.equal(checked('metformin').renal.thresholds.length, 3);
  });

  it('marks label thresholds in creatinine clearance as estimated from eGFR', () => {
    const [flag] = flagsOf('nitrofurantoin', { egfr: 22 }, 'renal');
    assert.match(flag?.message ?? '', /^avoid at eGFR 22 \(CrCl below 30 in the label; eGFR used as the estimate\): /);
  });
});

describe('medications: pregnancy, age and allergy flags', () => {
  it('pregnancy: a level from the drug\'s risk, only when pregnant is true', () => {
    assert.deepEqual(flagsOf('lisinopril', { pregnant: true }, 'pregnancy').map((f) => f.level), ['contraindicated']);
    assert.deepEqual(flagsOf('warfarin', { pregnant: true }, 'pregnancy').map((f) => f.level), ['contraindicated']);
    assert.deepEqual(flagsOf('ibuprofen', { pregnant: true }, 'pregnancy').map((f) => f.level), ['avoid']);
    assert.deepEqual(flagsOf('sertraline', { pregnant: true }, 'pregnancy').map((f) => f.level), ['caution']);
    assert.deepEqual(flagsOf('acetaminophen', { pregnant: true }, 'pregnancy').map((f) => f.level), ['info']);
    assert.match(flagsOf('atorvastatin', { pregnant: true }, 'pregnancy')[0]?.message ?? '', /^pregnancy: avoid — /);
    assert.deepEqual(flagsOf('lisinopril', { pregnant: false }), []);
    assert.deepEqual(flagsOf('lisinopril', {}), []);
  });

  it('age: drug-specific cautions from their threshold, and adult doses flagged for children', () => {
    assert.deepEqual(flagsOf('citalopram', { age: 60 }, 'age'), []);
    assert.match(flagsOf('citalopram', { age: 61 }, 'age')[0]?.message ?? '', /^age 61: Over age 60: maximum 20 mg\/day/);
    assert.deepEqual(flagsOf('tramadol', { age: 80 }, 'age').map((f) => f.level), ['adjust_dose', 'caution']);
    assert.deepEqual(flagsOf('apixaban', { age: 80 }, 'age').map((f) => f.level), ['adjust_dose']);
    assert.deepEqual(flagsOf('apixaban', { age: 79 }, 'age'), []);
    const child = flagsOf('tramadol', { age: 10 }, 'age');
    assert.ok(child.some((f) => f.level === 'contraindicated' && /under age 12/.test(f.message)));
    assert.ok(child.some((f) => /doses shown are for adults/.test(f.message)));
  });

  it('allergy: the same drug, a drug of the same class, named by drug, brand or class word', () => {
    assert.equal(flagsOf('amoxicillin', { allergies: ['penicillin'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('Augmentin', { allergies: ['PCN (hives)'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('amoxicillin', { allergies: ['amoxicillin'] }, 'allergy')[0]?.message.includes('amoxicillin itself'), true);
    assert.equal(flagsOf('Bactrim', { allergies: ['sulfa drugs'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('naproxen', { allergies: ['ibuprofen'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('enalapril', { allergies: ['lisinopril (angioedema)'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.deepEqual(flagsOf('ciprofloxacin', { allergies: ['penicillin'] }, 'allergy'), []);
  });

  it('allergy: documented cross-sensitivities at their own level', () => {
    const cephalexin = flagsOf('cephalexin', { allergies: ['penicillin'] }, 'allergy');
    assert.equal(cephalexin[0]?.level, 'caution');
    assert.match(cephalexin[0]?.message ?? '', /penicillins.*side chain/);
    assert.equal(flagsOf('hydrochlorothiazide', { allergies: ['sulfa'] }, 'allergy')[0]?.level, 'caution');
    assert.equal(flagsOf('ibuprofen', { allergies: ['aspirin'] }, 'allergy')[0]?.level, 'avoid');
    assert.equal(flagsOf('aspirin', { allergies: ['NSAIDs'] }, 'allergy')[0]?.level, 'avoid');
    assert.equal(flagsOf('losartan', { allergies: ['ACE inhibitors'] }, 'allergy')[0]?.level, 'caution');
  });

  it('allergy to a combination product by brand: each component, and the classes of each', () => {
    const lisinopril = flagsOf('lisinopril', { allergies: ['zestoretic (angioedema)'] }, 'allergy');
    assert.equal(lisinopril[0]?.level, 'contraindicated');
    assert.match(lisinopril[0]?.message ?? '', /lisinopril is in Zestoretic/);
    assert.equal(flagsOf('hydrochlorothiazide', { allergies: ['Zestoretic'] }, 'allergy')[0]?.level, 'contraindicated');
    // Through lisinopril: every ACE inhibitor, and an ARB at the reference's cross-sensitivity level.
    assert.equal(flagsOf('ramipril', { allergies: ['Zestoretic (angioedema)'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('losartan', { allergies: ['Zestoretic (angioedema)'] }, 'allergy')[0]?.level, 'caution');
    assert.equal(flagsOf('valsartan', { allergies: ['allergy: Hyzaar'] }, 'allergy')[0]?.level, 'contraindicated');
    // A brand of two words is the product, not the drug named by its first word.
    assert.equal(flagsOf('hydrochlorothiazide', { allergies: ['Diovan HCT (rash)'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.deepEqual(flagsOf('amlodipine', { allergies: ['Zestoretic'] }, 'allergy'), []);
    assert.deepEqual(checker.check(['amlodipine'], { allergies: ['Zestoretic (angioedema)'] }).notes, []);
  });

  it('allergy to a class named with a reaction or a hyphen', () => {
    assert.equal(flagsOf('enalapril', { allergies: ['ACE-inhibitor (angioedema)'] }, 'allergy')[0]?.level, 'contraindicated');
    assert.equal(flagsOf('Cozaar', { allergies: ['ARBs'] }, 'allergy')[0]?.level, 'contraindicated');
  });

  it('notes an allergy it cannot place instead of ignoring it silently', () => {
    const result = checker.check(['metformin'], { allergies: ['codeine', 'penicillin'] });
    assert.deepEqual(result.notes, ['Allergy "codeine" matched no drug or drug class in the reference: check it against these medications by hand.']);
  });

  it('orders flags most serious first and keeps every kind', () => {
    const flags = flagsOf('lisinopril', { age: 70, egfr: 20, pregnant: true, allergies: ['enalapril'] });
    assert.deepEqual(flags.map((f) => [f.type, f.level]), [
      ['pregnancy', 'contraindicated'],
      ['allergy', 'contraindicated'],
      ['renal', 'adjust_dose'],
    ]);
  });

  it('flags a drug listed twice, under two names', () => {
    const result = checker.check(['Zoloft', 'sertraline 50 mg']);
    const second = result.medications[1];
    assert.ok(second?.found);
    assert.deepEqual(second.flags.map((f) => f.type), ['duplicate']);
    assert.match(second.flags[0]?.message ?? '', /the same drug as "Zoloft" \(sertraline\) is listed twice/);
    assert.deepEqual(result.interactions, [], 'a drug does not interact with itself');
  });

  it('flags a spelling correction so the reader can confirm it', () => {
    const flags = flagsOf('metfromin', {}, 'name');
    assert.deepEqual(flags, [{ type: 'name', level: 'info', message: '"metfromin" was read as metformin (closest spelling); confirm this is the intended drug.' }]);
  });

  it('says when no patient context was given', () => {
    assert.match(checker.check(['metformin']).notes.join(' '), /No patient details were given/);
    assert.deepEqual(checker.check(['metformin'], { age: 40 }).notes, []);
  });
});
