// Lab results in a clinician's free text ("HbA1c 7.2%", "an LDL of 190", "K 5.9", "a low free T4",
// "TSH < 0.01", "HbA1c (March 2026) 7.4%", "potassium (K) 6,1 mmol/l"): the tests the lab reference
// tool knows (serum creatinine is read with the kidney facts in patient-facts.ts), plus a random
// glucose, a glucose of unstated timing and urea, their units, and how to read a value without one.
// Pure functions that never throw. No reference ranges live here: interpreting a value is the
// tool's job, or the reasoning table's (lab-reasoning.ts) when the tool is absent.
import { valueText } from './value-text.js';

export type LabId =
  | 'hba1c'
  | 'fasting_glucose'
  | 'random_glucose'
  | 'glucose'
  | 'potassium'
  | 'sodium'
  | 'bun'
  | 'urea'
  | 'tsh'
  | 'free_t4'
  | 'ldl'
  | 'hdl'
  | 'triglycerides'
  | 'total_cholesterol'
  | 'hemoglobin'
  | 'alt'
  | 'ast'
  | 'ferritin'
  | 'vitamin_d'
  | 'uric_acid';

export type LabLevel = 'low' | 'high';

/** A result past a bound, as laboratories report one outside an assay's range ("TSH < 0.01"). */
export type Comparator = '<' | '≤' | '>' | '≥';

export interface LabReading {
  test: LabId;
  /** As written; absent when only a direction was given ("a low free T4"). With a comparator, the bound. */
  value?: number;
  /** "TSH < 0.01": the result is below `value`, not `value` itself. */
  comparator?: Comparator;
  /** As written, in its usual spelling ("mg/dL"); absent when not given. */
  unit?: string;
  /** A result given in words only. */
  level?: LabLevel;
}

interface LabUnit {
  unit: string;
  /** value × multiply + add is the value in the test's reference unit (the first listed). */
  multiply: number;
  add?: number;
}

interface LabTest {
  id: LabId;
  /** How the answer names it, and the name sent to the lab tool (one of the tool's aliases). */
  label: string;
  names: readonly RegExp[];
  /** Reference unit first; the others with their factor to it. */
  units: readonly LabUnit[];
  /**
   * Where values usually fall, in the reference unit (the lab tool's own "typical" span): a bare
   * number is read in the one unit that lands it here, and a number no unit lands here is not a
   * result of this test (a dose, a date, a typo).
   */
  typical: readonly [number, number];
  /** "high TSH", "a low free T4": a direction in words means something for this test. */
  inWords?: boolean;
  /** Also given as a supplement: "on potassium 20", "takes vitamin D 50" are doses, not results. */
  alsoADrug?: boolean;
  /**
   * The lab tool's test that answers for this one, when not the test itself: urea is looked up as
   * BUN (in mmol/L they are the same number). null when the tool has none that fits: its glucose
   * range is the fasting one, which would misjudge a random glucose.
   */
  toolTest?: LabId | null;
}

const MG_DL = { unit: 'mg/dL', multiply: 1 };
const GLUCOSE_UNITS: readonly LabUnit[] = [MG_DL, { unit: 'mmol/L', multiply: 18.016 }];
const CHOLESTEROL_UNITS: readonly LabUnit[] = [MG_DL, { unit: 'mmol/L', multiply: 38.67 }];
const ELECTROLYTE_UNITS: readonly LabUnit[] = [{ unit: 'mmol/L', multiply: 1 }, { unit: 'mEq/L', multiply: 1 }];

/** ALT and AST: reported alike, in U/L over a wide span. */
function aminotransferase(id: 'alt' | 'ast', label: string, names: readonly RegExp[]): LabTest {
  return { id, label, names, units: [{ unit: 'U/L', multiply: 1 }], typical: [1, 20000], inWords: true };
}

// The conversions are the lab tool's own (data/lab-references/labs.json), so both read a value alike.
export const LAB_TESTS: readonly LabTest[] = [
  {
    id: 'hba1c',
    label: 'HbA1c',
    names: [/\b(?:hb\s?a1c|hgb\s?a1c|ha?emoglobin a1c|a1c|glycated ha?emoglobin|glycosylated ha?emoglobin)\b/i],
    units: [{ unit: '%', multiply: 1 }, { unit: 'mmol/mol', multiply: 0.09148, add: 2.152 }],
    typical: [3.5, 18],
  },
  {
    id: 'fasting_glucose',
    label: 'fasting glucose',
    // Not "non-fasting glucose": that is a random glucose.
    names: [
      /(?<!\bnon[- ]?)\bfasting (?:plasma |blood |serum )?(?:glucose|sugar)\b/i,
      /\b(?:plasma |blood |serum )?(?:glucose|sugar)\s*(?:\(\s*fasting\s*\)|,?\s*fasting\b)/i,
      /\b(?:FPG|FBG|FBS)\b/,
    ],
    units: GLUCOSE_UNITS,
    typical: [20, 800],
  },
  {
    // Any time of day: ADA's diagnostic threshold is ≥ 200 mg/dL with classic symptoms, not the fasting 126.
    id: 'random_glucose',
    label: 'random glucose',
    names: [
      /\b(?:random|non[- ]?fasting|casual)\s+(?:plasma |blood |serum |capillary )?(?:glucose|sugar)\b/i,
      /\b(?:plasma |blood |serum |capillary )?(?:glucose|sugar)\s*\(\s*(?:random|non[- ]?fasting|casual)\s*\)/i,
      /\b(?:RBG|RBS|RPG)\b/,
    ],
    units: GLUCOSE_UNITS,
    typical: [20, 800],
    toolTest: null,
  },
  {
    // A glucose whose timing was not given ("glucose 3.1 mmol/L", "blood glucose 14"): judged as a
    // random one (any time of day), never as fasting, and never sent to the lab tool, whose only
    // glucose range is the fasting one. Not a fasting, random, 2-hour or urine glucose, nor a
    // glucose test, tablet or meter.
    id: 'glucose',
    label: 'glucose',
    names: [
      /(?<!\b(?:fasting|random|non[- ]?fasting|casual|urine|urinary|2[- ]?h(?:ou)?r?|two[- ]hour|post[- ]?prandial)\s+(?:plasma |blood |serum |capillary )?)\b(?:(?:plasma|blood|serum|capillary|venous)\s+)?(?:glucose|sugar)\b(?!\s*(?:\(\s*(?:fasting|random|non[- ]?fasting|casual)\s*\)|,?\s*fasting\b|tolerance|tablets?|gel|meters?|strips?|monitor|in (?:the )?urine))/i,
      /\b(?:CBG|BSL)\b/,
    ],
    units: GLUCOSE_UNITS,
    typical: [20, 800],
    toolTest: null,
  },
  {
    id: 'potassium',
    label: 'potassium',
    // "K 6.8" as much as "K+ 6.8": a bare number after K is read like any other (its typical span
    // and the dose, range and date checks apply), but not vitamin K.
    names: [/\bpotassium\b(?!\s*-?\s*(?:chloride|citrate|bicarbonate|iodide|supplements?|sparing|binders?|foods?|diet|rich|intake|restrict\w*)\b)/i, /\bK\+/i, /(?<!\b[Vv]it(?:amin|\.)?\s*)\bK\b(?!\+)(?!\s*-?\s*(?:sparing|supplements?|binders?|foods?|diet|rich|intake|restrict\w*)\b)/],
    units: ELECTROLYTE_UNITS,
    typical: [1, 12],
    inWords: true,
    alsoADrug: true,
  },
  {
    id: 'sodium',
    label: 'sodium',
    names: [/\bsodium\b(?!\s*-?\s*(?:bicarbonate|chloride|restrict\w*|intake|diet|valproate|docusate)\b)/i, /\bNa\+/i, /\bNa\b(?!\+)(?!\s*-?\s*(?:restrict\w*|intake|diet)\b)/],
    units: ELECTROLYTE_UNITS,
    typical: [100, 200],
    inWords: true,
  },
  {
    id: 'bun',
    label: 'BUN',
    names: [/\bBUN\b/, /\b(?:blood )?urea nitrogen\b/i],
    units: [MG_DL, { unit: 'mmol/L', multiply: 2.801 }],
    typical: [2, 200],
  },
  {
    // UK usage: urea in mmol/L, the same number as BUN in mmol/L. Only that unit: "urea 40 mg/dL" may
    // be urea's own mass or BUN, so it is not read at all.
    id: 'urea',
    label: 'urea',
    names: [/\b(?:serum |plasma |blood )?urea\b(?![- ](?:nitrogen|breath|cream|cycle))/i],
    units: [{ unit: 'mmol/L', multiply: 1 }],
    typical: [0.7, 70],
    toolTest: 'bun',
  },
  {
    id: 'tsh',
    label: 'TSH',
    // Not "TSH receptor antibodies" (TRAb): another test.
    names: [/\bTSH\b(?![- ]receptor)/i, /\bthyrotropin\b(?! receptor)/i, /\bthyroid[- ]stimulating hormone\b(?! receptor)/i],
    units: [{ unit: 'mIU/L', multiply: 1 }, { unit: 'µIU/mL', multiply: 1 }],
    typical: [0, 500],
    inWords: true,
  },
  {
    id: 'free_t4',
    label: 'free T4',
    names: [/\bfree T4\b/i, /\bFT4\b/i, /\bfree thyroxine\b/i],
    units: [{ unit: 'ng/dL', multiply: 1 }, { unit: 'pmol/L', multiply: 0.0777 }],
    typical: [0.2, 8],
    inWords: true,
  },
  {
    id: 'ldl',
    label: 'LDL',
    names: [/\bLDL(?:-C)?\b(?!-P)(?:[- ]cholesterol\b)?/i, /\blow[- ]density lipoprotein(?: cholesterol)?\b/i],
    units: CHOLESTEROL_UNITS,
    typical: [5, 600],
  },
  {
    id: 'hdl',
    label: 'HDL',
    names: [/(?<!non[- ]?)\bHDL(?:-C)?\b(?:[- ]cholesterol\b)?/i, /\bhigh[- ]density lipoprotein(?: cholesterol)?\b/i],
    units: CHOLESTEROL_UNITS,
    typical: [10, 150],
  },
  {
    id: 'triglycerides',
    label: 'triglycerides',
    names: [/\btriglycerides?\b/i, /\btrigs\b/i, /\bTGs?\b/],
    units: [MG_DL, { unit: 'mmol/L', multiply: 88.57 }],
    typical: [20, 5000],
  },
  {
    id: 'total_cholesterol',
    label: 'total cholesterol',
    // Plain "cholesterol" is the total, but not in "LDL cholesterol" or "non-HDL cholesterol".
    names: [/\btotal cholesterol\b/i, /(?<!(?:LDL|HDL)(?:-C)?[- ]?)\bcholesterol\b/i, /\bchol\b/i],
    units: CHOLESTEROL_UNITS,
    typical: [50, 1000],
  },
  {
    id: 'hemoglobin',
    label: 'hemoglobin',
    names: [/\b(?:ha?emoglobin|hgb|hb)\b(?!\s*-?\s*a1c)/i],
    units: [{ unit: 'g/dL', multiply: 1 }, { unit: 'g/L', multiply: 0.1 }],
    typical: [3, 25],
    inWords: true,
  },
  aminotransferase('alt', 'ALT', [/\bALT\b/, /\bSGPT\b/i, /\balanine (?:aminotransferase|transaminase)\b/i]),
  aminotransferase('ast', 'AST', [/\bAST\b/, /\bSGOT\b/i, /\baspartate (?:aminotransferase|transaminase)\b/i]),
  {
    id: 'ferritin',
    label: 'ferritin',
    names: [/\bferritin\b/i],
    units: [{ unit: 'ng/mL', multiply: 1 }, { unit: 'µg/L', multiply: 1 }],
    typical: [1, 100000],
    inWords: true,
  },
  {
    id: 'vitamin_d',
    label: 'vitamin D',
    // "vitamin D3" (the supplement) is not the test: \b fails between "D" and "3".
    names: [/\b(?:25[- ]?hydroxy[- ]?)?vitamin D\b/i, /\bvit\.? D\b/i, /\b25[- ]?\(?OH\)?[- ]?(?:vitamin |vit\.? )?D\b/i],
    units: [{ unit: 'ng/mL', multiply: 1 }, { unit: 'nmol/L', multiply: 0.4006 }, { unit: 'µg/L', multiply: 1 }],
    typical: [3, 200],
    inWords: true,
    alsoADrug: true,
  },
  {
    id: 'uric_acid',
    label: 'uric acid',
    names: [/\buric acid\b/i, /\b(?:serum )?urate\b(?!-)/i],
    units: [MG_DL, { unit: 'µmol/L', multiply: 0.016812 }],
    typical: [1, 20],
  },
];

// Units as clinicians type them, each to its usual spelling. Longer spellings first.
const UNIT_SPELLINGS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:%|percent\b)/i, '%'],
  [/^mmol\s*\/\s*mol\b/i, 'mmol/mol'],
  [/^mmol\s*\/\s*l\b/i, 'mmol/L'],
  [/^meq\s*\/\s*l\b/i, 'mEq/L'],
  [/^mg\s*\/\s*dl\b/i, 'mg/dL'],
  [/^ng\s*\/\s*dl\b/i, 'ng/dL'],
  [/^g\s*\/\s*dl\b/i, 'g/dL'],
  [/^g\s*\/\s*l\b/i, 'g/L'],
  [/^ng\s*\/\s*ml\b/i, 'ng/mL'],
  [/^(?:[µμu]g|mcg)\s*\/\s*l\b/i, 'µg/L'],
  [/^pmol\s*\/\s*l\b/i, 'pmol/L'],
  [/^nmol\s*\/\s*l\b/i, 'nmol/L'],
  [/^(?:[µμu]mol|micromol(?:es)?)\s*\/\s*l\b/i, 'µmol/L'],
  [/^mi?u\s*\/\s*l\b/i, 'mIU/L'],
  [/^(?:[µμu]|mc)i?u\s*\/\s*ml\b/i, 'µIU/mL'],
  [/^i?u\s*\/\s*l\b/i, 'U/L'],
];

// Between a test's name and its value: "HbA1c of 7.2", "TSH is now 8.5", "LDL came back at 190",
// "A1c has risen to 8.1", an abbreviation or a word in brackets ("potassium (K) 6.1", "HbA1c (A1c)
// 7.2"). Not "goal", "target", "to": "LDL goal < 100" is a target, not a result.
const CONNECTOR = String.raw`(?:\s*(?:[:=(~]|\(\s*[A-Za-z][\w+]{0,7}\s*\)|\b(?:levels?|values?|results?|reading|measured|checked|drawn|today|yesterday|recently|now|currently|came back|returned|is|was|were|are|has been|had been|of|at|about|around|approximately|(?:has |had )?(?:risen|rose|increased|gone up|climbed|fallen|fell|dropped|decreased|improved|come down|came down) to)\b))*\s*`;
// "TSH < 0.01", "ferritin >1000", "A1c over 9", "glucose under 7": kept, as the result is past the
// bound, not the bound itself. Words as much as symbols (patient-facts.ts reads blood pressure and
// eGFR with the same words).
export const COMPARATOR_WORDS = String.raw`<=?|>=?|≤|≥|(?:less|lower|greater|higher|more)\s+than|under|below|over|above|at\s+least|at\s+most|no\s+more\s+than`;
const COMPARATOR = String.raw`(?:(${COMPARATOR_WORDS})\s*)?`;
const COMPARATORS: Readonly<Record<string, Comparator>> = { '<': '<', '<=': '≤', '≤': '≤', '>': '>', '>=': '≥', '≥': '≥' };

/** The comparator a symbol or word stands for ("below" is <, "at least" is ≥). */
export function comparatorOf(written: string): Comparator | undefined {
  const word = written.toLowerCase().replace(/\s+/g, ' ');
  if (COMPARATORS[word]) return COMPARATORS[word];
  if (/^(?:less than|lower than|under|below)$/.test(word)) return '<';
  if (/^(?:greater than|higher than|more than|over|above)$/.test(word)) return '>';
  if (word === 'at least') return '≥';
  if (word === 'at most' || word === 'no more than') return '≤';
  return undefined;
}
// A comma after the number that value-text.ts did not read as a decimal point ("4,5,6") leaves the
// number unread: never its integer part alone.
const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+(?![\d.,])|\d+(?:\.\d+)?)(?![\d.]*\d)(?!,\d)`;

// After the number, what makes it something other than a result: a range, a ratio or date, a multiple ("3x ULN").
const RANGE_OR_RATIO = /^\s*(?:[-–\/]|to\b)\s*\d|^\s*(?:[x×](?![a-z])|times\b)/i;
const DURATION_OR_AGE = /^\s*-?\s*(?:years?|yrs?|yo\b|y\/o|weeks?|wks?|days?|months?|hours?|hrs?)\b/i;
const DOSE_UNIT = /^\s*(?:mg|mcg|µg|ug|g|grams?|iu|units?|meq|tabs?|tablets?|capsules?)\b(?!\s*\/)/i;

// Before the name, what makes the mention a goal, a drug or an absence rather than a result.
const GOAL_BEFORE = /\b(?:goals?|targets?|aim(?:ing)?)\b[^.;:\n]{0,20}$/i;
const DRUG_BEFORE = /\b(?:on|takes?|taking|start(?:ed|ing)?|prescribed?|supplement(?:ed|ing)?|replace(?:d|ment)?)\s+(?:oral\s+)?$/i;
const ABSENT_BEFORE = /\b(?:no|not|never|without|denies)\s+(?:(?:a|an|any|recent|prior|previous|repeat)\s+)*$/i;
// A bound is a goal more often than a result ("keep LDL < 70", "HbA1c < 7% is the target"): with a
// comparator, these words around the mention make it one.
const GOAL_VERB_BEFORE = /\b(?:keep(?:ing)?|get(?:ting)?|bring(?:ing)?|lower(?:ing)?|reduc(?:e|ing)|maintain(?:ing)?|achiev(?:e|ing)|treat(?:ing)? to|titrat(?:e|ing) to|should|ideally)\b[^.;:\n]{0,20}$/i;
const GOAL_AFTER = /^[^.;\n]{0,30}\b(?:goals?|targets?|aim(?:ed|ing)?|ideal(?:ly)?|recommended|for most)\b/i;
// "stop metformin if eGFR < 30", "add insulin when A1c is over 10": a bound in a condition is a rule, not a result.
const CONDITION_BEFORE = /\b(?:if|when|whenever|unless|once|until)\b[^.;:\n]{0,25}$/i;

// Either case for the first letter, as the pattern of a name may be case-sensitive ("Elevated ALT").
const HIGH_WORDS = anyInitialCase(['high', 'elevated', 'raised', 'increased']);
const LOW_WORDS = anyInitialCase(['low', 'decreased', 'reduced', 'suppressed', 'undetectable']);

interface Found {
  index: number;
  reading: LabReading;
}

/** Every test's result in the text, in order of mention; the last of several values of one test wins. */
export function extractLabs(text: string): LabReading[] {
  return labsInValueText(valueText(text));
}

/** extractLabs for a text already prepared by valueText (dates blanked, decimal commas read). */
export function labsInValueText(text: string): LabReading[] {
  const found: Found[] = [];
  for (const test of LAB_TESTS) {
    // One scan for any of the test's names (case aside) before a scan a name for values and words.
    if (!mentionOf(test).test(text)) continue;
    const latest = latestFound([...valuesOf(text, test)]) ?? (test.inWords ? latestFound([...wordsOf(text, test)]) : undefined);
    if (latest) found.push(latest);
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.reading);
}

/** A later turn's result replaces an earlier one of the same test; a result in words never replaces a value. */
export function mergeLabs(earlier: readonly LabReading[], later: readonly LabReading[]): LabReading[] {
  const replaces = (l: LabReading, e: LabReading) => l.test === e.test && (l.value !== undefined || e.value === undefined);
  const kept = earlier.filter((e) => !later.some((l) => replaces(l, e)));
  const added = later.filter((l) => !kept.some((e) => e.test === l.test));
  return [...kept, ...added];
}

function labTest(id: LabId): LabTest {
  return LAB_TESTS.find((t) => t.id === id) ?? (LAB_TESTS[0] as LabTest);
}

export function labLabel(id: LabId): string {
  return labTest(id).label;
}

/** Which of our tests a name stands for ("Hemoglobin A1c (HbA1c)" → hba1c), as the lab tool echoes it. */
export function labIdOf(name: string): LabId | undefined {
  return labsNamedIn(name)[0];
}

/** Every test a text names: "TSH (free T4 if abnormal)" → tsh, free_t4. */
export function labsNamedIn(text: string): LabId[] {
  return LAB_TESTS.filter((t) => t.names.some((pattern) => pattern.test(text))).map((t) => t.id);
}

/**
 * The test the lab tool answers for this one (urea → BUN), undefined when the tool has none that
 * fits (a random glucose).
 */
export function toolTestOf(id: LabId): LabId | undefined {
  const tool = labTest(id).toolTest;
  return tool === null ? undefined : (tool ?? id);
}

/** The unit a reading is in: the one written, else the only one its number is typical in. */
export function unitOf(reading: LabReading): string | undefined {
  if (reading.unit !== undefined || reading.value === undefined) return reading.unit;
  return inferredUnit(labTest(reading.test), reading.value)?.unit;
}

/** The value in the test's reference unit (mg/dL, %, …), when the unit is known. */
export function inReferenceUnit(reading: LabReading): { value: number; unit: string } | undefined {
  if (reading.value === undefined) return undefined;
  const test = labTest(reading.test);
  const unit = test.units.find((u) => u.unit === unitOf(reading));
  const reference = test.units[0];
  if (!unit || !reference) return undefined;
  return { value: reading.value * unit.multiply + (unit.add ?? 0), unit: reference.unit };
}

// Patterns built from the test names once, not on every request: the model reads every user text of
// the conversation on every call. (matchAll works on a copy, so sharing a global RegExp is safe.)
const patternCache = new Map<string, RegExp>();
function compiled(key: string, build: () => RegExp): RegExp {
  let pattern = patternCache.get(key);
  if (!pattern) {
    pattern = build();
    patternCache.set(key, pattern);
  }
  return pattern;
}

/** Any of the test's names in either case: a text that has none holds no result of the test. */
function mentionOf(test: LabTest): RegExp {
  return compiled(`mention:${test.id}`, () => new RegExp(test.names.map((name) => `(?:${name.source})`).join('|'), 'i'));
}

function* valuesOf(text: string, test: LabTest): Generator<Found> {
  for (const name of test.names) {
    const pattern = compiled(`value:${name.flags}:${name.source}`, () => new RegExp(`(?:${name.source})${CONNECTOR}${COMPARATOR}${NUMBER}`, withGlobal(name.flags)));
    for (const m of text.matchAll(pattern)) {
      const index = m.index ?? 0;
      const comparator = m[1] === undefined ? undefined : comparatorOf(m[1]);
      const value = Number((m[2] ?? '').replace(/,/g, ''));
      const after = text.slice(index + m[0].length);
      if (!Number.isFinite(value) || notAResult(text, index, test) || RANGE_OR_RATIO.test(after) || DURATION_OR_AGE.test(after) || DOSE_UNIT.test(after)) continue;
      if (comparator && isBoundNotResult(text, index, after)) continue;
      const reading = resultOf(test, value, spelledUnit(after));
      if (reading) yield { index, reading: comparator ? { ...reading, comparator } : reading };
    }
  }
}

/** A value with its unit, or undefined when the unit is not one this test is reported in or the number is atypical. */
function resultOf(test: LabTest, value: number, unit: string | undefined): LabReading | undefined {
  if (unit !== undefined) return test.units.some((u) => u.unit === unit) ? { test: test.id, value, unit } : undefined;
  // Typical in no unit: not a result. Typical in several: a result whose unit the tool must be told.
  return typicalUnits(test, value).length > 0 ? { test: test.id, value } : undefined;
}

function* wordsOf(text: string, test: LabTest): Generator<Found> {
  for (const name of test.names) {
    const before = compiled(`before:${name.flags}:${name.source}`, () =>
      new RegExp(String.raw`\b(?:(${HIGH_WORDS})|(${LOW_WORDS}))\s+(?:serum\s+)?(?:${name.source})`, withGlobal(name.flags)),
    );
    const after = compiled(`after:${name.flags}:${name.source}`, () =>
      new RegExp(
        String.raw`(?:${name.source})\s+(?:(?:is|was|are|were|came back|remains?|levels?|still)\s+)*(?:very\s+|markedly\s+|slightly\s+|mildly\s+)?(?:(${HIGH_WORDS})|(${LOW_WORDS}))\b(?![- ]normal)`,
        withGlobal(name.flags),
      ),
    );
    for (const pattern of [before, after]) {
      for (const m of text.matchAll(pattern)) {
        const index = m.index ?? 0;
        if (notAResult(text, index, test)) continue;
        yield { index, reading: { test: test.id, level: m[1] ? 'high' : 'low' } };
      }
    }
  }
}

/** The mention is a goal ("target LDL 70"), a dose ("on potassium 20") or an absence ("no recent A1c"). */
function notAResult(text: string, index: number, test: LabTest): boolean {
  const clause = clauseBefore(text, index);
  return GOAL_BEFORE.test(clause) || ABSENT_BEFORE.test(clause) || (test.alsoADrug === true && DRUG_BEFORE.test(clause));
}

/**
 * A value with a comparator that is a target or a rule, not the patient's: "keep LDL < 70", "HbA1c
 * < 7% is the target", "if eGFR < 30". `index`: where the mention starts; `after`: the text after it.
 */
export function isBoundNotResult(text: string, index: number, after: string): boolean {
  const clause = clauseBefore(text, index);
  return GOAL_VERB_BEFORE.test(clause) || CONDITION_BEFORE.test(clause) || GOAL_AFTER.test(after);
}

/** "target BP 130/80", "goal LDL < 70": a value named as a goal is never the patient's. */
export function isNamedGoal(text: string, index: number): boolean {
  return GOAL_BEFORE.test(clauseBefore(text, index));
}

/** Up to 40 characters before the mention, from the start of its clause. */
function clauseBefore(text: string, index: number): string {
  const before = text.slice(Math.max(0, index - 40), index);
  return before.slice(Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf('\n'), before.lastIndexOf(',')) + 1);
}

function spelledUnit(after: string): string | undefined {
  const rest = after.trimStart();
  return UNIT_SPELLINGS.find(([pattern]) => pattern.test(rest))?.[1];
}

/** The units (one per distinct conversion) in which a bare number is typical for the test. */
function typicalUnits(test: LabTest, value: number): LabUnit[] {
  const [low, high] = test.typical;
  const fits: LabUnit[] = [];
  for (const unit of test.units) {
    const converted = value * unit.multiply + (unit.add ?? 0);
    const sameAsFound = fits.some((f) => f.multiply === unit.multiply && (f.add ?? 0) === (unit.add ?? 0));
    if (converted >= low && converted <= high && !sameAsFound) fits.push(unit);
  }
  return fits;
}

function inferredUnit(test: LabTest, value: number): LabUnit | undefined {
  const fits = typicalUnits(test, value);
  return fits.length === 1 ? fits[0] : undefined;
}

function latestFound(found: readonly Found[]): Found | undefined {
  let best: Found | undefined;
  for (const f of found) if (!best || f.index >= best.index) best = f;
  return best;
}

function anyInitialCase(words: readonly string[]): string {
  return words.map((w) => `[${w.charAt(0)}${w.charAt(0).toUpperCase()}]${w.slice(1)}`).join('|');
}

function withGlobal(flags: string): string {
  return flags.includes('g') ? flags : `${flags}g`;
}
