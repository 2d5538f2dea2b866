// Drug-name lookup: generic, brand and alias names in any case, names with strengths and salts,
// safe spelling correction, and suggestions (never a guess) for names it cannot place.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DrugNameIndex, allowedSlips, type NameLookup } from '../../services/toolworker/medications/drug-name-index.js';
import { normaliseDrugName, stripProductWords } from '../../services/toolworker/medications/drug-name-normalisation.js';
import { editDistance } from '../../services/toolworker/medications/edit-distance.js';
import { loadMedicationReference } from '../../services/toolworker/medications/load-reference.js';

const reference = loadMedicationReference();
const index = new DrugNameIndex(reference);

function found(lookup: NameLookup): { name: string; by: string; as: string } {
  assert.ok(lookup.found, `expected a match, got ${JSON.stringify(lookup)}`);
  return { name: lookup.drug.name, by: lookup.matchedBy, as: lookup.matchedName };
}

function unknown(lookup: NameLookup): { suggestions: string[]; notCovered?: string } {
  assert.ok(!lookup.found, `expected no match, got ${lookup.found ? lookup.drug.name : ''}`);
  return lookup.notCovered ? { suggestions: lookup.suggestions, notCovered: lookup.notCovered } : { suggestions: lookup.suggestions };
}

describe('medications: edit distance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    assert.equal(editDistance('metformin', 'metformin'), 0);
    assert.equal(editDistance('metfromin', 'metformin'), 1, 'transposition is one edit');
    assert.equal(editDistance('lisinipril', 'lisinopril'), 1);
    assert.equal(editDistance('amoxicilin', 'amoxicillin'), 1);
    assert.equal(editDistance('simvastin', 'simvastatin'), 2);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('stops early beyond the limit', () => {
    assert.equal(editDistance('atorvastatin', 'ciprofloxacin', 2), 3);
    assert.equal(editDistance('a', 'abcdef', 2), 3);
  });

  it('property: symmetric, zero only for equal strings, and the limit never changes a distance within it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 6 }), (a, b, limit) => {
        const d = editDistance(a, b);
        assert.equal(editDistance(b, a), d);
        assert.equal(d === 0, a === b);
        assert.ok(d <= Math.max(a.length, b.length));
        const limited = editDistance(a, b, limit);
        assert.equal(limited, d <= limit ? d : limit + 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('medications: name normalisation', () => {
  it('ignores case, accents, punctuation and trademark signs', () => {
    assert.equal(normaliseDrugName('  Toprol-XL® '), 'toprol xl');
    assert.equal(normaliseDrugName('TMP/SMX'), 'tmp smx');
    assert.equal(normaliseDrugName('Acétaminophène'), 'acetaminophene');
  });

  it('strips strengths, forms, salts and frequencies', () => {
    assert.equal(stripProductWords(normaliseDrugName('Metformin 500 mg ER tablets twice daily')), 'metformin');
    assert.equal(stripProductWords(normaliseDrugName('atorvastatin calcium 40mg')), 'atorvastatin');
    assert.equal(stripProductWords(normaliseDrugName('Levothyroxine sodium 0.05 mg')), 'levothyroxine');
    assert.equal(stripProductWords(normaliseDrugName('500 mg')), '');
  });
});

describe('medications: name lookup', () => {
  it('finds generic names in any case', () => {
    assert.deepEqual(found(index.lookup('metformin')), { name: 'metformin', by: 'name', as: 'metformin' });
    assert.equal(found(index.lookup('METFORMIN')).name, 'metformin');
    assert.equal(found(index.lookup('  Lisinopril ')).name, 'lisinopril');
    assert.equal(found(index.lookup('Insulin Glargine')).name, 'insulin glargine');
  });

  const brands: Array<[string, string]> = [
    ['Glucophage', 'metformin'], ['zestril', 'lisinopril'], ['LIPITOR', 'atorvastatin'], ['Coumadin', 'warfarin'],
    ['Eliquis', 'apixaban'], ['Synthroid', 'levothyroxine'], ['Zoloft', 'sertraline'], ['Cipro', 'ciprofloxacin'],
    ['Bactrim', 'trimethoprim-sulfamethoxazole'], ['Bactrim DS', 'trimethoprim-sulfamethoxazole'], ['Toprol-XL', 'metoprolol'],
    ['Advil', 'ibuprofen'], ['Tylenol', 'acetaminophen'], ['Ozempic', 'semaglutide'], ['Lantus', 'insulin glargine'],
    ['Macrobid', 'nitrofurantoin'], ['Omnipaque', 'iodinated contrast'],
  ];
  for (const [brand, generic] of brands) {
    it(`brand ${brand} → ${generic}`, () => {
      const hit = found(index.lookup(brand));
      assert.equal(hit.name, generic);
      assert.equal(hit.by, 'brand');
    });
  }

  it('finds aliases and other spellings', () => {
    for (const [alias, generic] of [
      ['paracetamol', 'acetaminophen'], ['HCTZ', 'hydrochlorothiazide'], ['TMP-SMX', 'trimethoprim-sulfamethoxazole'],
      ['co-trimoxazole', 'trimethoprim-sulfamethoxazole'], ['ASA', 'aspirin'], ['salbutamol', 'albuterol'], ['IV contrast', 'iodinated contrast'],
    ] as const) {
      const hit = found(index.lookup(alias));
      assert.equal(hit.name, generic, alias);
      assert.equal(hit.by, 'alias');
    }
  });

  it('finds the drug inside a name written with its strength, form and salt', () => {
    assert.equal(found(index.lookup('metformin 500 mg ER')).name, 'metformin');
    assert.equal(found(index.lookup('Lipitor 20mg daily')).name, 'atorvastatin');
    assert.equal(found(index.lookup('losartan potassium 50 mg')).name, 'losartan');
    assert.equal(found(index.lookup('doxycycline hyclate 100 mg BID')).name, 'doxycycline');
    assert.equal(found(index.lookup('calcium carbonate')).name, 'calcium carbonate', 'a salt word that is the name itself still matches');
  });

  const slips: Array<[string, string]> = [
    ['metfromin', 'metformin'], ['lisinipril', 'lisinopril'], ['amoxicilin', 'amoxicillin'], ['sertaline', 'sertraline'],
    ['ibuprofin', 'ibuprofen'], ['atorvastatine', 'atorvastatin'], ['levothyroxin', 'levothyroxine'], ['warfrin', 'warfarin'],
    ['hydrochlorthiazide', 'hydrochlorothiazide'], ['Glucophag', 'metformin'], ['Zolft', 'sertraline'], ['simvastin', 'simvastatin'],
  ];
  for (const [typed, generic] of slips) {
    it(`corrects the slip "${typed}" → ${generic}, and says so`, () => {
      const hit = found(index.lookup(typed));
      assert.equal(hit.name, generic);
      assert.equal(hit.by, 'spelling');
    });
  }

  it('does not "correct" a real drug it does not cover into a look-alike it does', () => {
    for (const [other, lookAlike] of [
      ['duloxetine', 'fluoxetine'], ['esomeprazole', 'omeprazole'], ['prednisolone', 'prednisone'], ['saxagliptin', 'sitagliptin'],
      ['ampicillin', 'amoxicillin'], ['felodipine', 'amlodipine'], ['canagliflozin', 'dapagliflozin'],
    ] as const) {
      const miss = unknown(index.lookup(other));
      assert.equal(miss.notCovered, other);
      assert.ok(!index.lookup(other).found, `${other} is not read as ${lookAlike}`);
    }
    const slip = unknown(index.lookup('esomeprazol'));
    assert.equal(slip.notCovered, 'esomeprazole', 'a slip on an uncovered drug is recognised as that drug');
    assert.ok(slip.suggestions.includes('omeprazole'));
  });

  it('never corrects a short name, or across a first letter', () => {
    assert.equal(allowedSlips(4), 0);
    assert.ok(!index.lookup('asb').found);
    assert.ok(!index.lookup('Cipo').found, 'four letters: no correction');
    assert.ok(unknown(index.lookup('Cipo')).suggestions.includes('ciprofloxacin'));
    assert.ok(!index.lookup('netformin').found, 'different first letter');
  });

  it('finds a combination product by brand, as its components, apart from single drugs', () => {
    const components = (query: string) => index.combinationProduct(query)?.components.map((d) => d.name);
    assert.deepEqual(components('Zestoretic'), ['lisinopril', 'hydrochlorothiazide']);
    assert.deepEqual(components('HYZAAR 50/12.5 mg tablets'), ['losartan', 'hydrochlorothiazide']);
    assert.deepEqual(components('Diovan HCT'), ['valsartan', 'hydrochlorothiazide']);
    assert.deepEqual(components('Xigduo'), ['dapagliflozin', 'metformin'], 'sold as "Xigduo XR", typed without it');
    assert.equal(index.combinationProduct('Janumet XR')?.brand, 'Janumet XR');
    assert.equal(index.combinationProduct('Diovan'), undefined, 'a single drug\'s brand is that drug');
    assert.equal(found(index.lookup('Diovan')).name, 'valsartan');
    assert.ok(!index.lookup('Zestoretic').found, 'never read as one drug');
  });

  it('reports an unknown name with close covered names as suggestions', () => {
    assert.deepEqual(unknown(index.lookup('insulin')).suggestions, ['insulin glargine', 'insulin lispro']);
    assert.deepEqual(found(index.lookup('metformn XR 750 mg')), { name: 'metformin', by: 'spelling', as: 'metformin' }, 'a slip inside a product name');
    assert.deepEqual(unknown(index.lookup('xyzzy')), { suggestions: [] });
    assert.ok(unknown(index.lookup('metoprol')).suggestions.includes('metoprolol'));
  });

  it('property: every generic, brand and alias name is found exactly, whatever its case', () => {
    const names = reference.drugs.flatMap((d) => [d.name, ...d.brand_names, ...d.aliases].map((n) => [n, d.name] as const));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.boolean(), ([name, generic], upper) => {
        const hit = found(index.lookup(upper ? name.toUpperCase() : name.toLowerCase()));
        assert.equal(hit.name, generic);
        assert.notEqual(hit.by, 'spelling');
      }),
      { numRuns: 300 },
    );
  });

  it('property: any lookup of any text returns a match or suggestions, never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const result = index.lookup(text);
        if (!result.found) assert.ok(Array.isArray(result.suggestions) && result.suggestions.length <= 3);
      }),
      { numRuns: 300 },
    );
  });
});
