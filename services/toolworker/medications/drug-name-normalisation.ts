// How a drug name as typed becomes a lookup key: case, accents, punctuation and trademark signs do
// not matter ("Toprol-XL®" = "toprol xl"), and a name written with its strength, form or salt
// ("metformin 500 mg ER tablets", "atorvastatin calcium") can be reduced to the bare name.

/** Lower case, no accents or trademark signs, every run of other characters one space. */
export function normaliseDrugName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// Words that describe a product rather than name the drug. Only used for a second lookup after
// the full name failed, so "calcium carbonate" still finds calcium carbonate first.
const PRODUCT_WORDS = new Set([
  // units and amounts
  'mg', 'mcg', 'ug', 'g', 'gm', 'ml', 'l', 'unit', 'units', 'iu', 'meq', 'percent',
  // dose forms and routes
  'tab', 'tabs', 'tablet', 'tablets', 'cap', 'caps', 'capsule', 'capsules', 'oral', 'po', 'iv', 'im', 'sc', 'subcut',
  'injection', 'inj', 'solution', 'suspension', 'syrup', 'liquid', 'pen', 'inhaler', 'hfa', 'patch', 'cream', 'chewable',
  // release
  'er', 'xr', 'sr', 'xl', 'cr', 'la', 'dr', 'ec', 'ir', 'ds', 'extended', 'delayed', 'immediate', 'release',
  // salts
  'hcl', 'hydrochloride', 'sodium', 'potassium', 'calcium', 'magnesium', 'besylate', 'succinate', 'tartrate', 'maleate',
  'mesylate', 'citrate', 'fumarate', 'hyclate', 'monohydrate', 'sulfate', 'sulphate', 'acetate', 'phosphate', 'bromide',
  // frequency
  'daily', 'once', 'twice', 'bid', 'tid', 'qid', 'qd', 'qhs', 'hs', 'prn', 'qam', 'qpm', 'a', 'per', 'day', 'week',
  'weekly', 'every', 'at', 'bedtime', 'morning', 'evening', 'night', 'hours', 'hrs', 'h', 'as', 'needed',
]);

const AMOUNT = /^\d+(?:mg|mcg|ug|g|ml|iu|units?|meq|h|hr|hrs)?$/;

/** The normalised name without strength, form, salt and frequency words; '' when nothing is left. */
export function stripProductWords(normalised: string): string {
  return normalised
    .split(' ')
    .filter((word) => word !== '' && !PRODUCT_WORDS.has(word) && !AMOUNT.test(word))
    .join(' ');
}
