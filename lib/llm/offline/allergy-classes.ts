// Drug classes an allergy can be named by ("ACE inhibitor allergy", "allergic to sulfa") and the
// drugs of the model's formulary in each: the allergy classes of the drug reference
// (data/medications/drug-reference.json, `classes` with `allergy_terms`), with the same terms and the
// drugs it tags with the class, plus drugs it does not cover (patient-facts.ts, UNCOVERED_DRUGS). A
// unit test holds the two together. A drug named as an allergen stands for its allergy classes too
// (lisinopril: every ACE inhibitor), as the medication tool reads it.

export interface AllergyClass {
  id: string;
  /** As the answer names the class: "ACE inhibitors". */
  label: string;
  /** Lower case, as the reference lists them. */
  terms: readonly string[];
  /** Generic names, as patient-facts.ts reads them. */
  members: readonly string[];
}

export const ALLERGY_CLASSES: readonly AllergyClass[] = [
  { id: 'ace_inhibitor', label: 'ACE inhibitors', terms: ['ace inhibitor', 'ace inhibitors', 'acei', 'ace i'], members: ['lisinopril', 'enalapril', 'ramipril', 'benazepril', 'quinapril', 'captopril', 'perindopril'] },
  {
    id: 'arb',
    label: 'angiotensin receptor blockers',
    terms: ['arb', 'arbs', 'angiotensin receptor blocker', 'angiotensin receptor blockers'],
    // Entresto contains valsartan.
    members: ['losartan', 'valsartan', 'candesartan', 'irbesartan', 'olmesartan', 'telmisartan', 'sacubitril/valsartan'],
  },
  { id: 'statin', label: 'statins', terms: ['statin', 'statins'], members: ['atorvastatin', 'simvastatin', 'rosuvastatin'] },
  {
    id: 'nsaid',
    label: 'NSAIDs',
    terms: ['nsaid', 'nsaids', 'non steroidal anti inflammatory', 'non steroidal anti inflammatories', 'nonsteroidal anti inflammatory'],
    members: ['ibuprofen', 'naproxen', 'meloxicam', 'celecoxib', 'diclofenac', 'indomethacin', 'ketorolac'],
  },
  { id: 'salicylate', label: 'salicylates', terms: ['salicylate', 'salicylates'], members: ['aspirin'] },
  { id: 'ssri', label: 'SSRIs', terms: ['ssri', 'ssris'], members: ['sertraline', 'fluoxetine', 'citalopram', 'escitalopram'] },
  { id: 'opioid', label: 'opioids', terms: ['opioid', 'opioids', 'opiate', 'opiates'], members: ['tramadol'] },
  { id: 'penicillin', label: 'penicillins', terms: ['penicillin', 'penicillins', 'pcn'], members: [] },
  { id: 'cephalosporin', label: 'cephalosporins', terms: ['cephalosporin', 'cephalosporins'], members: [] },
  { id: 'macrolide', label: 'macrolides', terms: ['macrolide', 'macrolides'], members: ['clarithromycin'] },
  { id: 'fluoroquinolone', label: 'fluoroquinolones', terms: ['fluoroquinolone', 'fluoroquinolones', 'quinolone', 'quinolones'], members: ['ciprofloxacin'] },
  {
    id: 'sulfonamide_antibiotic',
    label: 'sulfonamide antibiotics',
    terms: ['sulfa', 'sulpha', 'sulfonamide', 'sulfonamides', 'sulphonamide', 'sulphonamides'],
    members: ['trimethoprim-sulfamethoxazole'],
  },
  { id: 'tetracycline', label: 'tetracyclines', terms: ['tetracycline', 'tetracyclines'], members: [] },
  { id: 'azole_antifungal', label: 'azole antifungals', terms: ['azole', 'azoles', 'azole antifungal'], members: ['fluconazole'] },
  { id: 'iodinated_contrast', label: 'iodinated contrast media', terms: ['contrast', 'contrast dye', 'iodinated contrast', 'radiocontrast'], members: [] },
];

/** The allergy classes a drug belongs to, by generic name. */
export function allergyClassesOfDrug(generic: string): AllergyClass[] {
  return ALLERGY_CLASSES.filter((c) => c.members.includes(generic));
}

export function allergyClass(id: string): AllergyClass | undefined {
  return ALLERGY_CLASSES.find((c) => c.id === id);
}
