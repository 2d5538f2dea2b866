// Medication names a primary-care answer is likely to use: common generics (and a few brands) and
// drug classes. Deliberately independent of the tools' reference data and of the offline model, so
// the scorers grade answers rather than echo the system under test.

const GENERICS = [
  'metformin', 'glipizide', 'glimepiride', 'glyburide', 'pioglitazone', 'sitagliptin', 'linagliptin', 'empagliflozin',
  'dapagliflozin', 'canagliflozin', 'semaglutide', 'liraglutide', 'dulaglutide', 'tirzepatide', 'insulin', 'insulin glargine',
  'lisinopril', 'enalapril', 'ramipril', 'losartan', 'valsartan', 'irbesartan', 'olmesartan', 'amlodipine', 'nifedipine',
  'diltiazem', 'verapamil', 'hydrochlorothiazide', 'chlorthalidone', 'indapamide', 'furosemide', 'spironolactone',
  'metoprolol', 'atenolol', 'carvedilol', 'bisoprolol', 'propranolol', 'atorvastatin', 'rosuvastatin', 'simvastatin',
  'pravastatin', 'ezetimibe', 'aspirin', 'clopidogrel', 'warfarin', 'apixaban', 'rivaroxaban', 'dabigatran', 'heparin',
  'levothyroxine', 'liothyronine', 'methimazole', 'ibuprofen', 'naproxen', 'acetaminophen', 'paracetamol', 'celecoxib',
  'tramadol', 'oxycodone', 'sertraline', 'fluoxetine', 'citalopram', 'escitalopram', 'paroxetine', 'venlafaxine',
  'duloxetine', 'bupropion', 'mirtazapine', 'trazodone', 'amoxicillin', 'azithromycin', 'doxycycline', 'cephalexin',
  'ciprofloxacin', 'nitrofurantoin', 'trimethoprim', 'sulfamethoxazole', 'omeprazole', 'pantoprazole', 'prednisone',
  'allopurinol', 'gabapentin', 'pregabalin', 'albuterol', 'montelukast', 'iron', 'ferrous sulfate', 'vitamin b12',
  'cyanocobalamin', 'folic acid', 'vitamin d', 'orlistat', 'phentermine',
];

const BRANDS = ['ozempic', 'wegovy', 'mounjaro', 'zepbound', 'jardiance', 'farxiga', 'januvia', 'lipitor', 'crestor', 'synthroid', 'eliquis', 'xarelto', 'coumadin', 'glucophage'];

const CLASSES = [
  'statin', 'ace inhibitor', 'arb', 'angiotensin receptor blocker', 'beta-blocker', 'beta blocker', 'thiazide',
  'calcium channel blocker', 'diuretic', 'glp-1 receptor agonist', 'glp-1 agonist', 'sglt2 inhibitor', 'dpp-4 inhibitor',
  'sulfonylurea', 'ssri', 'snri', 'nsaid', 'anticoagulant', 'antiplatelet', 'antibiotic', 'proton pump inhibitor',
  'anti-obesity medication', 'antihypertensive',
];

function wordPattern(term: string): RegExp {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[- ]/g, '[- ]?');
  return new RegExp(`(?<![\\w-])${escaped}s?(?![\\w-])`, 'i');
}

const TERMS = [...GENERICS, ...BRANDS, ...CLASSES].map((term) => ({ term, pattern: wordPattern(term) }));

/** The distinct medication names and drug classes the text mentions, lower-cased. */
export function medicationsIn(text: string): string[] {
  const found = TERMS.filter(({ pattern }) => pattern.test(text)).map(({ term }) => term);
  // "insulin glargine" also matches "insulin": keep the more specific name only.
  return found.filter((term) => !found.some((other) => other !== term && other.includes(term)));
}
