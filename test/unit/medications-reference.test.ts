// The medication reference data file: the shipped file is valid and covers what the issue asks for,
// and a broken file is refused with a message that names every problem and where it is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMBINATION_PRODUCTS, MEDICATION_NAMES, UNCOVERED_DRUGS } from '../../lib/llm/offline/patient-facts.js';
import { ALLERGY_CLASSES } from '../../lib/llm/offline/allergy-classes.js';
import { DrugNameIndex } from '../../services/toolworker/medications/drug-name-index.js';
import { normaliseDrugName } from '../../services/toolworker/medications/drug-name-normalisation.js';
import { loadMedicationReference } from '../../services/toolworker/medications/load-reference.js';
import { MedicationDataError, parseMedicationReference, type MedicationReference } from '../../services/toolworker/medications/reference-schema.js';

const reference = loadMedicationReference();

/** A deep copy of the shipped data to break in one place. */
function copy(): MedicationReference {
  return structuredClone(reference);
}

function problemsOf(raw: unknown): string[] {
  try {
    parseMedicationReference(raw, 'test.json');
  } catch (error) {
    assert.ok(error instanceof MedicationDataError, `expected MedicationDataError, got ${String(error)}`);
    assert.match(error.message, /^medication reference test\.json is invalid \(\d+ problems?\):/);
    return [...error.problems];
  }
  return assert.fail('the data was accepted');
}

describe('medication reference data', () => {
  it('is versioned and dated', () => {
    assert.match(reference.version, /^\d+\.\d+\.\d+$/);
    assert.match(reference.updated, /^\d{4}-\d{2}-\d{2}$/);
  });

  it('has at least 40 drugs across every required area, each with a source', () => {
    assert.ok(reference.drugs.length >= 40, `${reference.drugs.length} drugs`);
    const byCategory = new Map<string, number>();
    for (const drug of reference.drugs) byCategory.set(drug.category, (byCategory.get(drug.category) ?? 0) + 1);
    for (const category of ['diabetes', 'hypertension', 'lipids', 'anticoagulation', 'thyroid', 'pain', 'psychiatry', 'antibiotics']) {
      assert.ok((byCategory.get(category) ?? 0) >= 2, `category ${category} has ${byCategory.get(category) ?? 0} drugs`);
    }
    for (const drug of reference.drugs) assert.ok(drug.source.length > 10, `${drug.name} has a source`);
  });

  it('names the drugs the issue lists, with their common brands', () => {
    const names = new Set(reference.drugs.map((d) => d.name));
    for (const name of [
      'metformin', 'glipizide', 'sitagliptin', 'empagliflozin', 'semaglutide', 'insulin glargine',
      'lisinopril', 'losartan', 'amlodipine', 'hydrochlorothiazide', 'metoprolol', 'spironolactone',
      'atorvastatin', 'simvastatin', 'rosuvastatin', 'warfarin', 'apixaban', 'rivaroxaban', 'clopidogrel', 'aspirin',
      'levothyroxine', 'methimazole', 'ibuprofen', 'naproxen', 'acetaminophen', 'tramadol',
      'sertraline', 'fluoxetine', 'citalopram', 'bupropion', 'trazodone', 'lithium',
      'amoxicillin', 'ciprofloxacin', 'clarithromycin', 'trimethoprim-sulfamethoxazole', 'nitrofurantoin', 'doxycycline',
    ]) {
      assert.ok(names.has(name), `${name} is in the reference`);
    }
    const brands = new Set(reference.drugs.flatMap((d) => d.brand_names));
    for (const brand of ['Glucophage', 'Zestril', 'Lipitor', 'Coumadin', 'Eliquis', 'Synthroid', 'Zoloft', 'Cipro', 'Bactrim']) {
      assert.ok(brands.has(brand), `${brand} is a brand name`);
    }
  });

  it('gives every drug a dose, contraindications, monitoring, renal guidance and a pregnancy note', () => {
    for (const drug of reference.drugs) {
      assert.ok(drug.dose.text.length > 0, drug.name);
      assert.ok(drug.contraindications.length > 0 && drug.monitoring.length > 0, drug.name);
      assert.ok(drug.renal.note.length > 0 && drug.pregnancy.note.length > 0, drug.name);
      if (drug.dose.min !== undefined && drug.dose.max !== undefined) assert.ok(drug.dose.min <= drug.dose.max, drug.name);
    }
    const metformin = reference.drugs.find((d) => d.name === 'metformin');
    assert.deepEqual(metformin?.renal.thresholds.map((t) => [t.below, t.action]), [[30, 'contraindicated'], [45, 'adjust_dose'], [60, 'caution']]);
    const nitrofurantoin = reference.drugs.find((d) => d.name === 'nitrofurantoin');
    assert.ok(nitrofurantoin?.renal.thresholds.some((t) => t.below === 30 && t.action === 'avoid'));
  });

  it('has at least 60 interaction entries, each with severity, mechanism, effect, management and a source', () => {
    assert.ok(reference.interactions.length >= 60, `${reference.interactions.length} interactions`);
    for (const x of reference.interactions) {
      assert.ok(['contraindicated', 'major', 'moderate', 'minor'].includes(x.severity));
      for (const field of [x.mechanism, x.effect, x.management, x.source]) assert.ok(field.length > 5, x.drugs.join(' + '));
    }
    const severities = new Set(reference.interactions.map((x) => x.severity));
    assert.deepEqual([...severities].sort(), ['contraindicated', 'major', 'minor', 'moderate']);
    assert.ok(reference.interactions.some((x) => x.drugs.some((d) => d.startsWith('class:'))), 'has class-level entries');
  });

  it('lists combination products by brand, each of covered drugs with a source, and the offline model knows the same ones', () => {
    const drugs = new Set(reference.drugs.map((d) => d.name));
    const brands = new Map(reference.combinations.flatMap((c) => c.brand_names.map((b) => [normaliseDrugName(b), c.components] as const)));
    for (const brand of ['Zestoretic', 'Hyzaar', 'Janumet']) assert.ok(brands.has(normaliseDrugName(brand)), brand);
    for (const combination of reference.combinations) {
      assert.ok(combination.components.every((c) => drugs.has(c)), combination.brand_names[0]);
      assert.match(combination.source, /DailyMed/);
    }
    // The model's list and the reference's: the same brands, the same components in the same order.
    const index = new DrugNameIndex(reference);
    const model = COMBINATION_PRODUCTS.flatMap((p) => p.brands.map((brand) => [brand, [...p.components]] as const));
    for (const [brand, components] of model) assert.deepEqual(index.combinationProduct(brand)?.components.map((d) => d.name), components, brand);
    for (const key of brands.keys()) assert.ok(model.some(([brand]) => brand === key), `the model knows ${key}`);
  });

  it('covers ramipril and eplerenone, each with a label source, and their interactions with drugs that raise potassium', () => {
    const ramipril = reference.drugs.find((d) => d.name === 'ramipril');
    const eplerenone = reference.drugs.find((d) => d.name === 'eplerenone');
    assert.ok(ramipril && eplerenone);
    assert.match(ramipril.source, /DailyMed.*Altace/);
    assert.match(eplerenone.source, /DailyMed.*Inspra/);
    assert.deepEqual(ramipril.class_tags, ['ace_inhibitor', 'raas_blocker'], 'the ACE-inhibitor rules apply to it');
    assert.deepEqual(ramipril.renal.thresholds.map((t) => [t.below, t.action]), [[40, 'adjust_dose']]);
    assert.deepEqual(eplerenone.renal.thresholds.map((t) => [t.below, t.action]), [[30, 'contraindicated'], [50, 'avoid']]);
    const pairs = reference.interactions.filter((x) => x.drugs.includes('eplerenone')).map((x) => [[...x.drugs].sort().join(' + '), x.concern, x.severity]);
    for (const expected of [
      ['class:ace_inhibitor + eplerenone', 'hyperkalemia', 'major'],
      ['class:arb + eplerenone', 'hyperkalemia', 'major'],
      ['eplerenone + spironolactone', 'hyperkalemia', 'contraindicated'],
      ['eplerenone + trimethoprim-sulfamethoxazole', 'hyperkalemia', 'major'],
      ['class:nsaid + eplerenone', 'hyperkalemia', 'moderate'],
      ['clarithromycin + eplerenone', 'raised_drug_level', 'contraindicated'],
    ]) {
      assert.ok(pairs.some((p) => p.join() === expected.join()), expected.join(' / '));
    }
    for (const name of ['ramipril', 'eplerenone']) assert.ok(!reference.other_drug_names.includes(name), `${name} is covered now`);
    // The offline model knows them by generic and brand.
    assert.ok(MEDICATION_NAMES.some(([generic, ...brands]) => generic === 'ramipril' && brands.includes('altace')));
    assert.ok(MEDICATION_NAMES.some(([generic, ...brands]) => generic === 'eplerenone' && brands.includes('inspra')));
  });

  it("the offline model's allergy classes are the reference's: the same terms, and the drugs tagged with each", () => {
    const modelGenerics = new Set(MEDICATION_NAMES.map(([generic]) => generic));
    const uncovered = new Set(UNCOVERED_DRUGS.map((d) => d.generic));
    const allergyClasses = reference.classes.filter((c) => c.allergy_terms);
    assert.deepEqual(ALLERGY_CLASSES.map((c) => c.id).sort(), allergyClasses.map((c) => c.id).sort());
    for (const referenceClass of allergyClasses) {
      const model = ALLERGY_CLASSES.find((c) => c.id === referenceClass.id);
      assert.ok(model, referenceClass.id);
      assert.deepEqual(model.terms, referenceClass.allergy_terms, `${model.id}: the same terms`);
      const tagged = reference.drugs.filter((d) => d.class_tags.includes(model.id) && modelGenerics.has(d.name)).map((d) => d.name);
      assert.deepEqual(model.members.filter((m) => !uncovered.has(m)), tagged, `${model.id}: the drugs the reference tags, in its order`);
    }
  });

  it("the offline model's drugs outside the reference are real drugs it lists as not covered, never a covered drug's name", () => {
    const index = new DrugNameIndex(reference);
    const others = new Set(reference.other_drug_names.map(normaliseDrugName));
    for (const drug of UNCOVERED_DRUGS) {
      assert.ok(others.has(normaliseDrugName(drug.generic)), `${drug.generic} is in other_drug_names`);
      const lookup = index.lookup(drug.generic);
      assert.ok(!lookup.found && lookup.notCovered !== undefined, `the tool reports ${drug.generic} as not covered`);
      for (const name of [drug.generic, ...drug.names]) {
        assert.equal(index.exactLookup(name), undefined, `${name} is not a covered drug`);
        assert.equal(index.combinationProduct(name), undefined, `${name} is not a covered combination`);
      }
    }
  });

  it('rejects a combination whose component is not covered or whose brand names something else', () => {
    const data = copy();
    data.combinations.push({ brand_names: ['Lotrel'], components: ['amlodipine', 'benazepril'], source: 'label' });
    data.combinations.push({ brand_names: ['Zestril'], components: ['lisinopril', 'lisinopril'], source: 'label' });
    data.combinations.push({ brand_names: ['Hyzaar', 'Quinapril'], components: ['losartan', 'hydrochlorothiazide'], source: 'label' });
    const problems = problemsOf(data);
    const expected = [
      /combination "Lotrel": component "benazepril" is not a drug in this file/,
      /combination "Zestril": brand name "Zestril" is already a name of drug "lisinopril"/,
      /combination "Zestril": a component is listed twice/,
      /combination "Hyzaar": brand name "Hyzaar" is already a name of combination "Hyzaar"/,
      /combination "Hyzaar": brand name "Quinapril" is in other_drug_names/,
    ];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in:\n${problems.join('\n')}`);
  });

  it('rejects structural problems, naming the path and the drug', () => {
    const data = copy() as unknown as { drugs: Array<Record<string, unknown>> };
    const metformin = data.drugs.find((d) => d.name === 'metformin')!;
    (metformin.pregnancy as Record<string, unknown>).risk = 'probably fine';
    metformin.brand_name = 'Glucophage';
    const problems = problemsOf(data);
    assert.ok(problems.some((p) => /^drugs\[\d+\] \(metformin\)\.pregnancy\.risk: /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^drugs\[\d+\] \(metformin\): .*brand_name/.test(p)), problems.join('\n'));
  });

  it('rejects broken cross-references, listing every problem at once', () => {
    const data = copy();
    data.drugs[0]!.class_tags.push('no_such_class');
    data.drugs[1]!.brand_names.push(data.drugs[0]!.brand_names[0]!);
    data.drugs[2]!.dose = { text: 'x', min: 10, max: 5 };
    data.interactions.push({ ...data.interactions[0]!, drugs: ['warfarin', 'unobtainium'] });
    data.interactions.push({ ...data.interactions[0]! });
    data.other_drug_names.push('Zoloft');
    const problems = problemsOf(data);
    const expected = [
      /class tag "no_such_class" is not declared/,
      /name "Glucophage" of drug "glipizide" is already a name of drug "metformin"/,
      /dose\.min 10 is above dose\.max 5/,
      /dose\.unit is required/,
      /"unobtainium" is not a drug in this file/,
      /the same pair and concern \(bleeding\) is listed twice/,
      /other_drug_names "Zoloft" is a name of covered drug "sertraline"/,
    ];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in:\n${problems.join('\n')}`);
  });

  it('rejects a class with no drugs, a cross-sensitivity no allergy can reach and repeated renal thresholds', () => {
    const data = copy();
    data.classes.push({ id: 'orphan', label: 'orphans' });
    const metformin = data.drugs.find((d) => d.name === 'metformin')!;
    metformin.cross_sensitivity = [{ class: 'antidiabetic', level: 'caution', note: 'not an allergy class' }];
    metformin.renal.thresholds.push({ below: 30, action: 'avoid', advice: 'again' });
    const problems = problemsOf(data);
    assert.ok(problems.some((p) => /class "orphan" has no drugs/.test(p)));
    assert.ok(problems.some((p) => /cross_sensitivity class "antidiabetic" has no allergy_terms/.test(p)));
    assert.ok(problems.some((p) => /renal thresholds repeat a "below" value/.test(p)));
  });

  it('fails fast when the file is missing or is not JSON, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracemesh-meds-'));
    try {
      const missing = join(dir, 'missing.json');
      assert.throws(() => loadMedicationReference(missing), (e: unknown) => e instanceof MedicationDataError && e.message.includes(missing) && /cannot be read/.test(e.message));
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"version": "1.0.0",');
      assert.throws(() => loadMedicationReference(broken), (e: unknown) => e instanceof MedicationDataError && /is not valid JSON/.test(e.message));
      const wrong = join(dir, 'wrong.json');
      writeFileSync(wrong, JSON.stringify({ version: 'one', drugs: [] }));
      assert.throws(() => loadMedicationReference(wrong), (e: unknown) => e instanceof MedicationDataError && /version: must be a semantic version/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
