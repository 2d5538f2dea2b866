// Pairwise interactions: every entry of the reference is found (in both orders) for some pair of
// drugs it covers, class-level entries apply to every member, a specific entry replaces a class
// entry with the same concern, and results never depend on the order drugs are listed in.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InteractionFinder, type FoundInteraction } from '../../services/toolworker/medications/interaction-finder.js';
import { loadMedicationReference } from '../../services/toolworker/medications/load-reference.js';
import { MedicationChecker } from '../../services/toolworker/medications/medication-checker.js';
import { CLASS_PREFIX, type DrugRecord, type InteractionRecord } from '../../services/toolworker/medications/reference-schema.js';

const reference = loadMedicationReference();
const finder = new InteractionFinder(reference.interactions, reference.classes);
const checker = new MedicationChecker(reference);
const drug = (name: string): DrugRecord => reference.drugs.find((d) => d.name === name) ?? assert.fail(`no drug ${name}`);
const labels = new Map(reference.classes.map((c) => [c.id, c.label]));

function membersOf(side: string): DrugRecord[] {
  return side.startsWith(CLASS_PREFIX) ? reference.drugs.filter((d) => d.class_tags.includes(side.slice(CLASS_PREFIX.length))) : [drug(side)];
}

function ruleLabel(entry: InteractionRecord): string {
  return entry.drugs.map((side) => (side.startsWith(CLASS_PREFIX) ? labels.get(side.slice(CLASS_PREFIX.length)) : side)).join(' + ');
}

/** Order-free identity of a found interaction. */
function key(x: FoundInteraction): string {
  return `${[...x.drugs].sort().join(' + ')} | ${x.concern} | ${x.severity} | ${x.rule}`;
}

function between(names: string[]): FoundInteraction[] {
  return checker.check(names, {}).interactions;
}

describe('medications: interactions', () => {
  it('every reference entry is reported, in both orders, for a pair of drugs it covers', () => {
    for (const entry of reference.interactions) {
      let witnessed = false;
      for (const a of membersOf(entry.drugs[0])) {
        for (const b of membersOf(entry.drugs[1])) {
          if (a.name === b.name) continue;
          const forward = finder.find([a, b]).find((x) => x.rule === ruleLabel(entry) && x.concern === entry.concern);
          const backward = finder.find([b, a]).find((x) => x.rule === ruleLabel(entry) && x.concern === entry.concern);
          assert.equal(Boolean(forward), Boolean(backward), `${a.name} + ${b.name} is symmetric for ${ruleLabel(entry)}`);
          if (!forward || !backward) continue;
          witnessed = true;
          assert.equal(forward.severity, entry.severity);
          assert.deepEqual(forward.drugs, [a.name, b.name], 'drugs in listed order');
          assert.deepEqual(backward.drugs, [b.name, a.name]);
          assert.equal(forward.mechanism, entry.mechanism);
          assert.equal(forward.management, entry.management);
          assert.equal(forward.source, entry.source);
        }
      }
      assert.ok(witnessed, `${ruleLabel(entry)} (${entry.concern}) is never reported: a more specific entry always replaces it`);
    }
  });

  const named: Array<[a: string, b: string, severity: string, concern: string]> = [
    ['warfarin', 'ibuprofen', 'major', 'bleeding'],
    ['Coumadin', 'Aleve', 'major', 'bleeding'],
    ['warfarin', 'ciprofloxacin', 'major', 'inr_increase'],
    ['warfarin', 'Bactrim', 'major', 'inr_increase'],
    ['simvastatin', 'clarithromycin', 'contraindicated', 'myopathy'],
    ['lisinopril', 'spironolactone', 'major', 'hyperkalemia'],
    ['losartan', 'spironolactone', 'major', 'hyperkalemia'],
    ['sertraline', 'tramadol', 'major', 'serotonin_syndrome'],
    ['Lexapro', 'Ultram', 'major', 'serotonin_syndrome'],
    ['lithium', 'naproxen', 'major', 'lithium_toxicity'],
    ['lithium', 'enalapril', 'major', 'lithium_toxicity'],
    ['lithium', 'hydrochlorothiazide', 'major', 'lithium_toxicity'],
    ['lithium', 'chlorthalidone', 'major', 'lithium_toxicity'],
    ['levothyroxine', 'calcium carbonate', 'moderate', 'reduced_absorption'],
    ['Synthroid', 'ferrous sulfate', 'moderate', 'reduced_absorption'],
    ['clopidogrel', 'omeprazole', 'major', 'reduced_antiplatelet_effect'],
    ['metformin', 'IV contrast', 'major', 'lactic_acidosis'],
    ['ciprofloxacin', 'tizanidine', 'contraindicated', 'tizanidine_toxicity'],
    ['apixaban', 'aspirin', 'major', 'bleeding'],
  ];
  for (const [a, b, severity, concern] of named) {
    it(`${a} + ${b}: ${severity} (${concern}), whichever is listed first`, () => {
      for (const order of [[a, b], [b, a]]) {
        const found = between(order).filter((x) => x.concern === concern);
        assert.equal(found.length, 1, `one ${concern} entry for ${order.join(' + ')}`);
        assert.equal(found[0]?.severity, severity);
      }
    });
  }

  it('a class entry applies to every member of the class', () => {
    for (const nsaid of membersOf('class:nsaid')) {
      assert.ok(between(['lithium', nsaid.name]).some((x) => x.rule === 'lithium + NSAIDs'), nsaid.name);
      assert.ok(between(['warfarin', nsaid.name]).some((x) => x.rule === 'warfarin + NSAIDs'), nsaid.name);
    }
    for (const ssri of membersOf('class:ssri')) assert.ok(between([ssri.name, 'tramadol']).some((x) => x.rule === 'SSRIs + tramadol'), ssri.name);
  });

  it('a specific entry replaces a class entry about the same concern, but other concerns still show', () => {
    const warfarinAspirin = between(['warfarin', 'aspirin']);
    assert.deepEqual(warfarinAspirin.map((x) => [x.rule, x.concern]), [['warfarin + aspirin', 'bleeding']]);
    const aspirinIbuprofen = between(['aspirin', 'ibuprofen']).map((x) => x.concern).sort();
    assert.deepEqual(aspirinIbuprofen, ['bleeding', 'reduced_antiplatelet_effect']);
    const citalopramTrazodone = between(['citalopram', 'trazodone']).map((x) => x.concern).sort();
    assert.deepEqual(citalopramTrazodone, ['qt_prolongation', 'serotonin_syndrome']);
  });

  it('class against the same class: two different members interact, one drug does not with itself', () => {
    assert.deepEqual(between(['sertraline', 'fluoxetine']).map((x) => x.concern), ['duplicate_therapy']);
    assert.deepEqual(between(['ibuprofen', 'naproxen']).map((x) => [x.severity, x.concern]), [['major', 'duplicate_therapy']]);
    assert.deepEqual(between(['sertraline', 'Zoloft']), []);
  });

  it('lists every pair, worst first', () => {
    const found = between(['warfarin', 'ibuprofen', 'sertraline', 'levothyroxine', 'calcium carbonate']);
    const severities = found.map((x) => x.severity);
    assert.deepEqual(severities, [...severities].sort((a, b) => ['contraindicated', 'major', 'moderate', 'minor'].indexOf(a) - ['contraindicated', 'major', 'moderate', 'minor'].indexOf(b)));
    assert.deepEqual(found.map((x) => x.drugs.join(' + ')), [
      'warfarin + ibuprofen',
      'warfarin + sertraline',
      'warfarin + levothyroxine',
      'ibuprofen + sertraline',
      'levothyroxine + calcium carbonate',
    ]);
  });

  it('drugs with no entry between them give no interaction; unknown names are skipped', () => {
    assert.deepEqual(between(['metformin', 'levothyroxine', 'semaglutide']), []);
    const result = checker.check(['warfarin', 'unobtainium', 'ibuprofen']);
    assert.equal(result.interactions.length, 1);
    assert.match(result.notes.join(' '), /unrecognised name were not checked/);
  });

  it('property: any list of known names yields the same interactions in any order, each between two listed drugs', () => {
    const names = reference.drugs.flatMap((d) => [d.name, ...d.brand_names.slice(0, 1)]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 8 }), fc.infiniteStream(fc.nat()), (list, randomness) => {
        const shuffled = [...list].map((name) => ({ name, rank: randomness.next().value })).sort((a, b) => a.rank - b.rank).map((x) => x.name);
        const forward = between(list);
        const reversed = between([...list].reverse());
        const mixed = between(shuffled);
        const keys = forward.map(key).sort();
        assert.deepEqual(reversed.map(key).sort(), keys);
        assert.deepEqual(mixed.map(key).sort(), keys);
        const generics = new Set(checker.check(list, {}).medications.flatMap((m) => (m.found ? [m.drug.name] : [])));
        for (const x of forward) {
          assert.notEqual(x.drugs[0], x.drugs[1]);
          assert.ok(generics.has(x.drugs[0]) && generics.has(x.drugs[1]));
          // Every pair's result is the same as checking that pair alone.
          assert.ok(between([x.drugs[0], x.drugs[1]]).map(key).includes(key(x)));
        }
        assert.equal(new Set(keys).size, keys.length, 'no interaction is reported twice');
      }),
      { numRuns: 200 },
    );
  });

  it('ramipril and eplerenone: an ACE inhibitor and a mineralocorticoid antagonist together raise potassium; two antagonists never go together', () => {
    const found = between(['ramipril', 'eplerenone', 'spironolactone']).map((x) => [[...x.drugs].sort().join(' + '), x.concern, x.severity]);
    assert.deepEqual(
      found.sort(),
      [
        ['eplerenone + ramipril', 'hyperkalemia', 'major'],
        ['eplerenone + spironolactone', 'hyperkalemia', 'contraindicated'],
        ['ramipril + spironolactone', 'hyperkalemia', 'major'],
      ].sort(),
    );
    assert.deepEqual(between(['ramipril', 'losartan']).map((x) => x.concern), ['dual_raas_blockade'], 'the class rules reach ramipril');
  });
});
