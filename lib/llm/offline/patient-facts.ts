// Patient facts pulled out of a clinician's free text: the offline model's only "understanding" of a
// conversation. Pure functions: the same text always yields the same facts, and no input can make
// them throw (a fast-check property holds them to that).
import type { LabReading } from './lab-values.js';
import { extractLabs, mergeLabs } from './lab-values.js';

export type Sex = 'female' | 'male';
export type HeightUnit = 'in' | 'cm';
export type WeightUnit = 'lb' | 'kg';
export type CreatinineUnit = 'mg/dL' | 'umol/L';

export interface Measurement<Unit extends string> {
  value: number;
  unit: Unit;
}

export interface BloodPressure {
  systolic: number;
  diastolic: number;
}

/** A combination product named by brand: "Zestoretic" stands for lisinopril and hydrochlorothiazide. */
export interface CombinationProduct {
  /** As the clinician wrote it ("Zestoretic", "janumet"). */
  name: string;
  /** Generic names, each also in `medications`. */
  components: string[];
}

export type SymptomId =
  | 'fatigue'
  | 'polydipsia'
  | 'polyuria'
  | 'weight_gain'
  | 'weight_loss'
  | 'cold_intolerance'
  | 'heat_intolerance'
  | 'shortness_of_breath'
  | 'orthopnea'
  | 'snoring'
  | 'daytime_sleepiness'
  | 'edema'
  | 'chest_pain'
  | 'palpitations'
  | 'headache'
  | 'dizziness'
  | 'low_mood'
  | 'anxiety'
  | 'insomnia'
  | 'blurred_vision'
  | 'constipation'
  | 'dry_skin'
  | 'hair_loss'
  | 'pallor'
  | 'numbness'
  | 'nausea'
  | 'cough'
  | 'fever'
  | 'joint_pain'
  | 'tremor'
  | 'frequent_infections';

export type ConditionId =
  | 'type_2_diabetes'
  | 'type_1_diabetes'
  | 'prediabetes'
  | 'hypertension'
  | 'hypothyroidism'
  | 'hyperthyroidism'
  | 'chronic_kidney_disease'
  | 'heart_failure'
  | 'atrial_fibrillation'
  | 'coronary_artery_disease'
  | 'hyperlipidemia'
  | 'obesity'
  | 'sleep_apnea'
  | 'anemia'
  | 'depression'
  | 'asthma'
  | 'copd'
  | 'gerd'
  | 'osteoarthritis'
  | 'gout'
  | 'pcos';

export interface PatientFacts {
  age?: number;
  sex?: Sex;
  /** 'pronoun' when only she/he gave it away: weaker evidence that never overrides a stated sex. */
  sexBasis?: 'stated' | 'pronoun';
  height?: Measurement<HeightUnit>;
  weight?: Measurement<WeightUnit>;
  bloodPressure?: BloodPressure;
  serumCreatinine?: Measurement<CreatinineUnit>;
  egfr?: number;
  /** Other lab results (creatinine is serumCreatinine), in order of mention. */
  labs: LabReading[];
  pregnant?: boolean;
  /** Undefined: not discussed. Empty: "no known drug allergies". */
  allergies?: string[];
  symptoms: SymptomId[];
  /** Symptoms explicitly denied ("denies chest pain"): a later turn can take back an earlier one. */
  deniedSymptoms: SymptomId[];
  /** Generic names, lower case, in order of first mention. */
  medications: string[];
  /** Those of `medications` only asked about, not taken ("should she start atorvastatin?"). */
  proposedMedications: string[];
  /** Combination products named by brand, whose components are in `medications`. */
  combinationProducts: CombinationProduct[];
  conditions: ConditionId[];
}

interface Vocabulary<Id extends string> {
  id: Id;
  label: string;
  patterns: RegExp[];
}

// Our own symptom vocabulary: the phrasings clinicians actually type, mapped to one id each.
export const SYMPTOMS: ReadonlyArray<Vocabulary<SymptomId>> = [
  { id: 'fatigue', label: 'fatigue', patterns: [/\bfatigue[ds]?\b/i, /\btired(?:ness)?\b/i, /\bexhaust(?:ed|ion)\b/i, /\blethar(?:gy|gic)\b/i, /\blow energy\b/i, /\bweakness\b/i] },
  { id: 'polydipsia', label: 'increased thirst', patterns: [/\bthirst(?:y)?\b/i, /\bpolydipsia\b/i, /\bdrinking (?:a lot|more)(?: of)?(?: water)?\b/i] },
  { id: 'polyuria', label: 'frequent urination', patterns: [/\bpolyuria\b/i, /\bfrequent urination\b/i, /\burinat(?:e|es|ing|ion)\s+(?:more|frequently|often|a lot)\b/i, /\b(?:increased|excessive) urination\b/i, /\bpee(?:ing|s)? (?:a lot|more|frequently)\b/i, /\bnocturia\b/i] },
  { id: 'weight_gain', label: 'weight gain', patterns: [/\bweight gain\b/i, /\bgain(?:ed|ing) (?:some |a lot of )?weight\b/i, /\bgained \d+(?:\.\d+)?\s*(?:lbs?|pounds?|kg|kilos?)\b/i] },
  { id: 'weight_loss', label: 'unintentional weight loss', patterns: [/\bweight loss\b/i, /\blos(?:t|ing) (?:some |a lot of )?weight\b/i, /\blost \d+(?:\.\d+)?\s*(?:lbs?|pounds?|kg|kilos?)\b/i] },
  { id: 'cold_intolerance', label: 'cold intolerance', patterns: [/\bcold intolerance\b/i, /\bintoleran(?:t|ce) (?:to|of) (?:the )?cold\b/i, /\b(?:always|feels?|feeling) cold\b/i] },
  { id: 'heat_intolerance', label: 'heat intolerance', patterns: [/\bheat intolerance\b/i, /\bintoleran(?:t|ce) (?:to|of) (?:the )?heat\b/i] },
  { id: 'shortness_of_breath', label: 'shortness of breath', patterns: [/\bshort(?:ness)? of breath\b/i, /\bSOB\b/, /\bdyspn(?:o)?ea\b/i, /\bbreathless(?:ness)?\b/i, /\btrouble breathing\b/i] },
  { id: 'orthopnea', label: 'orthopnea', patterns: [/\borthopn(?:o)?ea\b/i, /\bcan(?:no|')t (?:breathe|sleep) lying (?:down|flat)\b/i] },
  { id: 'snoring', label: 'snoring', patterns: [/\bsnor(?:e|es|ing)\b/i] },
  { id: 'daytime_sleepiness', label: 'daytime sleepiness', patterns: [/\bdaytime (?:sleepiness|somnolence)\b/i, /\bsleepy (?:during|in) the day\b/i, /\bfalls? asleep\b/i] },
  { id: 'edema', label: 'edema', patterns: [/\b(?:o)?edema(?:tous)?\b/i, /\bswollen (?:ankles|legs|feet)\b/i, /\bswelling (?:of|in) (?:the |her |his )?(?:ankles|legs|feet)\b/i, /\b(?:ankle|leg) swelling\b/i] },
  { id: 'chest_pain', label: 'chest pain', patterns: [/\bchest (?:pain|tightness|pressure|discomfort)\b/i, /\bangina\b/i] },
  { id: 'palpitations', label: 'palpitations', patterns: [/\bpalpitations?\b/i, /\bracing heart\b/i, /\bheart (?:is )?racing\b/i] },
  { id: 'headache', label: 'headache', patterns: [/\bheadaches?\b/i, /\bmigraines?\b/i] },
  { id: 'dizziness', label: 'dizziness', patterns: [/\bdizz(?:y|iness)\b/i, /\blight-?headed(?:ness)?\b/i, /\bvertigo\b/i] },
  { id: 'low_mood', label: 'low mood', patterns: [/\blow mood\b/i, /\bdepressed mood\b/i, /\bfeeling (?:down|depressed|sad|hopeless)\b/i, /\banhedonia\b/i] },
  { id: 'anxiety', label: 'anxiety', patterns: [/\banxi(?:ety|ous)\b/i, /\bnervous(?:ness)?\b/i] },
  { id: 'insomnia', label: 'insomnia', patterns: [/\binsomnia\b/i, /\btrouble sleeping\b/i, /\bcan(?:no|')t sleep\b/i, /\bpoor sleep\b/i] },
  { id: 'blurred_vision', label: 'blurred vision', patterns: [/\bblurr(?:ed|y) vision\b/i, /\bvision (?:is )?blurr(?:ed|y)\b/i] },
  { id: 'constipation', label: 'constipation', patterns: [/\bconstipat(?:ed|ion)\b/i] },
  { id: 'dry_skin', label: 'dry skin', patterns: [/\bdry skin\b/i] },
  { id: 'hair_loss', label: 'hair loss', patterns: [/\bhair (?:loss|thinning)\b/i, /\bthinning hair\b/i, /\blosing (?:her |his )?hair\b/i] },
  { id: 'pallor', label: 'pallor', patterns: [/\bpallor\b/i, /\bpale(?: skin)?\b/i] },
  { id: 'numbness', label: 'numbness or tingling', patterns: [/\bnumb(?:ness)?\b/i, /\btingl(?:e|es|ing)\b/i, /\bneuropath(?:y|ic)\b/i] },
  { id: 'nausea', label: 'nausea', patterns: [/\bnause(?:a|ous|ated)\b/i, /\bvomit(?:s|ing|ed)?\b/i] },
  { id: 'cough', label: 'cough', patterns: [/\bcough(?:s|ing)?\b/i] },
  { id: 'fever', label: 'fever', patterns: [/\bfever(?:s|ish)?\b/i, /\bfebrile\b/i] },
  { id: 'joint_pain', label: 'joint pain', patterns: [/\bjoint (?:pain|stiffness)\b/i, /\barthralgia\b/i] },
  { id: 'tremor', label: 'tremor', patterns: [/\btremors?\b/i, /\bshak(?:y|iness)\b/i] },
  { id: 'frequent_infections', label: 'frequent infections or slow-healing wounds', patterns: [/\b(?:frequent|recurrent) infections\b/i, /\bslow[- ]healing\b/i, /\bwounds? (?:that )?(?:won't|don't|do not|does not) heal\b/i] },
];

export const CONDITIONS: ReadonlyArray<Vocabulary<ConditionId>> = [
  { id: 'type_2_diabetes', label: 'type 2 diabetes', patterns: [/\btype (?:2|ii|two) diabet(?:es|ic)\b/i, /\bT2DM?\b/i, /\bDM ?(?:2|II)\b/, /\bNIDDM\b/, /(?<!pre-?)(?<!type (?:1|i|one) )\bdiabet(?:es|ic)\b(?! (?:type )?(?:1|i|one)\b)(?! insipidus)/i] },
  { id: 'type_1_diabetes', label: 'type 1 diabetes', patterns: [/\btype (?:1|i|one) diabet(?:es|ic)\b/i, /\bT1DM?\b/i, /\bdiabetes (?:type )?(?:1|i|one)\b/i] },
  { id: 'prediabetes', label: 'prediabetes', patterns: [/\bpre-?diabet(?:es|ic)\b/i, /\bimpaired (?:fasting )?glucose\b/i] },
  { id: 'hypertension', label: 'hypertension', patterns: [/\bhypertensi(?:on|ve)\b/i, /\bHTN\b/i, /\bhigh blood pressure\b/i] },
  { id: 'hypothyroidism', label: 'hypothyroidism', patterns: [/\bhypothyroid(?:ism)?\b/i, /\bunderactive thyroid\b/i, /\bhashimoto'?s?\b/i] },
  { id: 'hyperthyroidism', label: 'hyperthyroidism', patterns: [/\bhyperthyroid(?:ism)?\b/i, /\boveractive thyroid\b/i, /\bgraves'? disease\b/i] },
  { id: 'chronic_kidney_disease', label: 'chronic kidney disease', patterns: [/\bchronic kidney disease\b/i, /\bCKD\b/i, /\brenal (?:insufficiency|impairment|failure)\b/i, /\bkidney disease\b/i] },
  { id: 'heart_failure', label: 'heart failure', patterns: [/\bheart failure\b/i, /\bCHF\b/i, /\bHF[rp]EF\b/i] },
  { id: 'atrial_fibrillation', label: 'atrial fibrillation', patterns: [/\batrial fibrillation\b/i, /\ba-?fib\b/i, /\bAF\b/] },
  { id: 'coronary_artery_disease', label: 'coronary artery disease', patterns: [/\bcoronary (?:artery|heart) disease\b/i, /\bCAD\b/, /\bmyocardial infarction\b/i, /\bheart attack\b/i] },
  { id: 'hyperlipidemia', label: 'hyperlipidemia', patterns: [/\bhyperlipid(?:a)?emia\b/i, /\bdyslipid(?:a)?emia\b/i, /\bhypercholesterol(?:a)?emia\b/i, /\bhigh cholesterol\b/i] },
  { id: 'obesity', label: 'obesity', patterns: [/\bobes(?:e|ity)\b/i] },
  { id: 'sleep_apnea', label: 'obstructive sleep apnea', patterns: [/\bsleep apn(?:o)?ea\b/i, /\bOSA\b/] },
  { id: 'anemia', label: 'anemia', patterns: [/\ban(?:a)?emi(?:a|c)\b/i] },
  { id: 'depression', label: 'depression', patterns: [/\bdepression\b/i, /\bdepressive disorder\b/i, /\bMDD\b/] },
  { id: 'asthma', label: 'asthma', patterns: [/\basthma(?:tic)?\b/i] },
  { id: 'copd', label: 'COPD', patterns: [/\bCOPD\b/i, /\bemphysema\b/i, /\bchronic bronchitis\b/i] },
  { id: 'gerd', label: 'GERD', patterns: [/\bGERD\b/i, /\bacid reflux\b/i, /\bgastro-?(?:o)?esophageal reflux\b/i] },
  { id: 'osteoarthritis', label: 'osteoarthritis', patterns: [/\bosteoarthritis\b/i] },
  { id: 'gout', label: 'gout', patterns: [/\bgout\b/i] },
  { id: 'pcos', label: 'polycystic ovary syndrome', patterns: [/\bPCOS\b/i, /\bpolycystic ovar(?:y|ian) syndrome\b/i] },
];

// A modest formulary: generic name first, then brand names and common abbreviations.
export const MEDICATION_NAMES: ReadonlyArray<readonly [generic: string, ...aliases: string[]]> = [
  ['metformin', 'glucophage'],
  ['glipizide', 'glucotrol'],
  ['insulin', 'insulin glargine', 'lantus', 'humalog', 'novolog'],
  ['empagliflozin', 'jardiance'],
  ['dapagliflozin', 'farxiga'],
  ['semaglutide', 'ozempic', 'wegovy', 'rybelsus'],
  ['liraglutide', 'victoza', 'saxenda'],
  ['sitagliptin', 'januvia'],
  ['lisinopril', 'zestril', 'prinivil'],
  ['enalapril', 'vasotec'],
  ['losartan', 'cozaar'],
  ['valsartan', 'diovan'],
  ['amlodipine', 'norvasc'],
  ['hydrochlorothiazide', 'hctz', 'microzide'],
  ['chlorthalidone'],
  ['furosemide', 'lasix'],
  ['spironolactone', 'aldactone'],
  ['metoprolol', 'lopressor', 'toprol'],
  ['carvedilol', 'coreg'],
  ['atorvastatin', 'lipitor'],
  ['simvastatin', 'zocor'],
  ['rosuvastatin', 'crestor'],
  ['warfarin', 'coumadin', 'jantoven'],
  ['apixaban', 'eliquis'],
  ['rivaroxaban', 'xarelto'],
  ['clopidogrel', 'plavix'],
  ['aspirin', 'asa'],
  ['digoxin', 'lanoxin'],
  ['amiodarone', 'cordarone', 'pacerone'],
  ['levothyroxine', 'synthroid', 'levoxyl', 'euthyrox'],
  ['methimazole', 'tapazole'],
  ['ibuprofen', 'advil', 'motrin'],
  ['naproxen', 'aleve', 'naprosyn'],
  ['acetaminophen', 'paracetamol', 'tylenol'],
  ['tramadol', 'ultram'],
  ['gabapentin', 'neurontin'],
  ['prednisone'],
  ['sertraline', 'zoloft'],
  ['fluoxetine', 'prozac'],
  ['citalopram', 'celexa'],
  ['escitalopram', 'lexapro'],
  ['bupropion', 'wellbutrin'],
  ['lithium'],
  ['omeprazole', 'prilosec'],
  ['pantoprazole', 'protonix'],
  ['allopurinol', 'zyloprim'],
  ['albuterol', 'ventolin', 'proair'],
  ['clarithromycin', 'biaxin'],
  ['ciprofloxacin', 'cipro'],
  ['fluconazole', 'diflucan'],
  ['trimethoprim-sulfamethoxazole', 'bactrim', 'tmp-smx'],
];

// Combination products by brand, and the generics above each stands for: the products of the drug
// reference (data/medications/drug-reference.json, `combinations`, with their labels as sources).
export const COMBINATION_PRODUCTS: ReadonlyArray<{ brands: readonly string[]; components: readonly string[] }> = [
  { brands: ['zestoretic'], components: ['lisinopril', 'hydrochlorothiazide'] },
  { brands: ['vaseretic'], components: ['enalapril', 'hydrochlorothiazide'] },
  { brands: ['hyzaar'], components: ['losartan', 'hydrochlorothiazide'] },
  { brands: ['diovan hct'], components: ['valsartan', 'hydrochlorothiazide'] },
  { brands: ['exforge'], components: ['amlodipine', 'valsartan'] },
  { brands: ['exforge hct'], components: ['amlodipine', 'valsartan', 'hydrochlorothiazide'] },
  { brands: ['aldactazide'], components: ['spironolactone', 'hydrochlorothiazide'] },
  { brands: ['caduet'], components: ['amlodipine', 'atorvastatin'] },
  { brands: ['janumet', 'janumet xr'], components: ['sitagliptin', 'metformin'] },
  { brands: ['synjardy', 'synjardy xr'], components: ['empagliflozin', 'metformin'] },
  { brands: ['xigduo xr', 'xigduo'], components: ['dapagliflozin', 'metformin'] },
];

const COMBINATION_BY_BRAND = new Map(COMBINATION_PRODUCTS.flatMap(({ brands, components }) => brands.map((brand) => [brand, components] as const)));
// Every brand in one pattern, longest first, so "Exforge HCT" is read as itself and not as the "Exforge" inside it.
const COMBINATION_BRAND_PATTERN = new RegExp(
  String.raw`(?<![a-z0-9-])(?:${[...COMBINATION_BY_BRAND.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})(?![a-z0-9-])`,
  'gi',
);

export function symptomLabel(id: SymptomId): string {
  return SYMPTOMS.find((s) => s.id === id)?.label ?? id;
}

export function conditionLabel(id: ConditionId): string {
  return CONDITIONS.find((c) => c.id === id)?.label ?? id;
}

export function emptyFacts(): PatientFacts {
  return { labs: [], symptoms: [], deniedSymptoms: [], medications: [], proposedMedications: [], combinationProducts: [], conditions: [] };
}

/** Facts stated in one piece of text. */
export function extractPatientFacts(text: string): PatientFacts {
  const facts = emptyFacts();
  const age = extractAge(text);
  if (age !== undefined) facts.age = age;
  const sex = extractSex(text);
  if (sex) {
    facts.sex = sex.sex;
    facts.sexBasis = sex.basis;
  }
  const height = extractHeight(text);
  if (height) facts.height = height;
  const weight = extractWeight(text);
  if (weight) facts.weight = weight;
  const bloodPressure = extractBloodPressure(text);
  if (bloodPressure) facts.bloodPressure = bloodPressure;
  const creatinine = extractSerumCreatinine(text);
  if (creatinine) facts.serumCreatinine = creatinine;
  const egfr = extractEgfr(text);
  if (egfr !== undefined) facts.egfr = egfr;
  facts.labs = extractLabs(text);
  const pregnant = extractPregnancy(text);
  if (pregnant !== undefined) facts.pregnant = pregnant;
  const allergies = extractAllergies(text);
  if (allergies) facts.allergies = allergies;

  for (const symptom of SYMPTOMS) {
    const mention = findMention(text, symptom.patterns);
    if (mention === 'present') facts.symptoms.push(symptom.id);
    else if (mention === 'denied') facts.deniedSymptoms.push(symptom.id);
  }
  for (const condition of CONDITIONS) {
    if (findMention(text, condition.patterns) === 'present') facts.conditions.push(condition.id);
  }
  const products = findCombinationProducts(text);
  const medications = findMedications(text, products);
  facts.medications = medications.map((m) => m.generic);
  facts.proposedMedications = medications.filter((m) => m.proposed).map((m) => m.generic);
  facts.combinationProducts = uniqueProducts(products);
  return facts;
}

/** Later facts override earlier ones; lists accumulate, and a later denial takes a symptom back. */
export function mergePatientFacts(earlier: PatientFacts, later: PatientFacts): PatientFacts {
  const merged: PatientFacts = { ...earlier, ...definedOnly(later) };
  if (later.sexBasis === 'pronoun' && earlier.sexBasis === 'stated') {
    merged.sex = earlier.sex;
    merged.sexBasis = earlier.sexBasis;
  }
  if (earlier.allergies && later.allergies) merged.allergies = union(earlier.allergies, later.allergies);
  merged.labs = mergeLabs(earlier.labs, later.labs);
  merged.symptoms = union(earlier.symptoms, later.symptoms).filter((s) => !later.deniedSymptoms.includes(s));
  merged.deniedSymptoms = union(
    earlier.deniedSymptoms.filter((s) => !later.symptoms.includes(s)),
    later.deniedSymptoms,
  );
  merged.medications = union(earlier.medications, later.medications);
  // A drug asked about earlier and now named as taken ("she started it last week") is taken.
  merged.proposedMedications = union(
    earlier.proposedMedications.filter((m) => !later.medications.includes(m) || later.proposedMedications.includes(m)),
    later.proposedMedications,
  );
  merged.conditions = union(earlier.conditions, later.conditions);
  merged.combinationProducts = uniqueProducts([...earlier.combinationProducts, ...later.combinationProducts]);
  return merged;
}

/**
 * Facts already read, by text, for one model call: it reads the conversation's facts, the newest
 * message's and the earlier ones', so each text would be read twice. Frozen, since merges share them.
 * Kept for one call only, so repeating a question costs what asking it does.
 */
export class FactsByText {
  private readonly byText = new Map<string, PatientFacts>();

  of(text: string): PatientFacts {
    let facts = this.byText.get(text);
    if (!facts) {
      facts = deepFreeze(extractPatientFacts(text));
      this.byText.set(text, facts);
    }
    return facts;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Facts of a whole conversation: every user text, oldest first. */
export function factsFromTexts(texts: readonly string[], read: FactsByText = new FactsByText()): PatientFacts {
  return texts.reduce((facts, text) => mergePatientFacts(facts, read.of(text)), emptyFacts());
}

/** True when there is anything clinical to reason about. */
export function hasClinicalContent(facts: PatientFacts): boolean {
  return (
    facts.symptoms.length > 0 ||
    facts.conditions.length > 0 ||
    facts.medications.length > 0 ||
    (facts.height !== undefined && facts.weight !== undefined) ||
    facts.bloodPressure !== undefined ||
    facts.serumCreatinine !== undefined ||
    facts.egfr !== undefined ||
    facts.labs.length > 0
  );
}

export function heightInCm(height: Measurement<HeightUnit>): number {
  return height.unit === 'cm' ? height.value : height.value * 2.54;
}

export function weightInKg(weight: Measurement<WeightUnit>): number {
  return weight.unit === 'kg' ? weight.value : weight.value * 0.45359237;
}

// ---------------------------------------------------------------------------------------------
// Individual extractors. Each returns the most plausible reading or undefined; none throws.

const MAX_AGE = 120;

export function extractAge(text: string): number | undefined {
  const patterns: RegExp[] = [
    /(?<![\d.])(\d{1,3})\s*-?\s*(?:years?|yrs?)\s*-?\s*(?:old|of age)\b/gi,
    /(?<![\d.])(\d{1,3})\s*-?\s*(?:yo|y\/o|y\.o\.?)(?![a-z])/gi,
    /\bage(?:d|\s+of|:)?\s*(\d{1,3})\b(?!\s*(?:years? ago|%))/gi,
    /(?<![\d.'"°])(\d{1,3})\s?[FM]\b/g,
    /\b(?:she|he|patient|pt|who)\s+(?:is|was|turned)\s+(\d{1,3})(?=\s*(?:[,.;]|$|and\b|years))/gi,
  ];
  return firstByPosition(text, patterns, (m) => {
    const age = Number(m[1]);
    if (/^\d{1,3}\s?[FM]$/.test(m[0]) && looksLikeTemperature(text, m.index)) return undefined;
    return Number.isInteger(age) && age > 0 && age <= MAX_AGE ? age : undefined;
  });
}

export function extractSex(text: string): { sex: Sex; basis: 'stated' | 'pronoun' } | undefined {
  const stated = firstByPosition<Sex>(
    text,
    [
      /\b(woman|women|female|girl|lady|gal)\b/gi,
      /\b(man|men|male|boy|gentleman|guy)\b/gi,
      /(?<![°])(?:\d\s?|\bold\s|\byo\s|\by\/o\s)([FM])\b/g,
      /\b(?:sex|gender)\s*(?::|is|=)?\s*(f|m|female|male)\b/gi,
      /\b(pregnan)(?:t|cy)\b/gi,
    ],
    (m) => {
      if (/^[FM]$/.test(m[1] ?? '') && /^\d/.test(m[0]) && looksLikeTemperature(text, m.index)) return undefined;
      return /^(?:woman|women|female|girl|lady|gal|f|pregnan)$/i.test(m[1] ?? '') ? 'female' : 'male';
    },
  );
  if (stated) return { sex: stated, basis: 'stated' };
  const pronoun = firstByPosition<Sex>(text, [/\b(she|her|hers|herself)\b/gi, /\b(he|him|his|himself)\b/gi], (m) =>
    /^(?:she|her|hers|herself)$/i.test(m[1] ?? '') ? 'female' : 'male',
  );
  return pronoun ? { sex: pronoun, basis: 'pronoun' } : undefined;
}

export function extractHeight(text: string): Measurement<HeightUnit> | undefined {
  const inches = (value: number): Measurement<HeightUnit> | undefined =>
    value >= 24 && value <= 100 ? { value: round(value, 1), unit: 'in' } : undefined;
  const cm = (value: number): Measurement<HeightUnit> | undefined =>
    value >= 50 && value <= 250 ? { value: round(value, 1), unit: 'cm' } : undefined;
  const candidates: Array<Candidate<Measurement<HeightUnit>>> = [
    ...matchesOf(text, /(?<![\d.])(\d)\s*(?:'|’|′|ft\.?|feet|foot)\s*(?:and\s*)?(\d{1,2}(?:\.\d+)?)\s*(?:"|”|″|''|’’|in(?:ch(?:es)?)?\b\.?)?/gi, (m) => {
      const feet = Number(m[1]);
      const extra = Number(m[2]);
      return extra < 12 ? inches(feet * 12 + extra) : undefined;
    }),
    ...matchesOf(text, /(?<![\d.])(\d)\s*(?:ft\.?|feet|foot)(?![a-z])(?!\s*(?:and\s*)?\d)/gi, (m) => inches(Number(m[1]) * 12)),
    ...matchesOf(text, /(?<![\d.])(\d{2}(?:\.\d+)?)\s*(?:inch(?:es)?\b|in\.?(?=\s*(?:tall\b|$|[,;)]))|"(?=\s*tall\b))/gi, (m) => inches(Number(m[1]))),
    ...matchesOf(text, /(?<![\d.])(\d{2,3}(?:\.\d+)?)\s*(?:cm|centimet(?:er|re)s?)\b/gi, (m) => cm(Number(m[1]))),
    ...matchesOf(text, /(?<![\d.])(\d\.\d{1,2})\s*(?:m|meters?|metres?)\b(?![²2\/])/gi, (m) => cm(Number(m[1]) * 100)),
    ...matchesOf(text, /\bheight\s*(?:is|of|:|=)?\s*(\d{2,3}(?:\.\d+)?)(?!\d|\.\d)(?!\s*(?:cm|centi|in\b|inch|m\b|met|'|’|ft|feet|foot|"))/gi, (m) => {
      const value = Number(m[1]);
      return value >= 100 ? cm(value) : inches(value);
    }),
  ];
  return earliest(candidates);
}

// Words that make a number a change in weight ("gained 20 lbs"), not the weight itself.
const WEIGHT_CHANGE =
  /\b(?:gain(?:ed|ing|s)?|lost|los(?:e|es|ing)|loss|down|up|increase[ds]?|decrease[ds]?|drop(?:ped|s)?|put on|by)\s+(?:(?:of|by|about|around|approximately|nearly|almost|over|roughly)\s+|~\s*)*$/i;

export function extractWeight(text: string): Measurement<WeightUnit> | undefined {
  const notAChange = (m: RegExpExecArray): boolean => !WEIGHT_CHANGE.test(text.slice(Math.max(0, m.index - 30), m.index));
  const candidates: Array<Candidate<Measurement<WeightUnit>>> = [
    ...matchesOf(text, /(?<![\d.])(\d{2,3}(?:\.\d+)?)\s*(?:lbs?\b\.?|pounds?\b|#)/gi, (m) => {
      const value = Number(m[1]);
      return value >= 40 && value <= 800 && notAChange(m) ? { value: round(value, 1), unit: 'lb' as const } : undefined;
    }),
    ...matchesOf(text, /(?<![\d.])(\d{2,3}(?:\.\d+)?)\s*(?:kgs?|kilo(?:gram)?s?)\b/gi, (m) => {
      const value = Number(m[1]);
      return value >= 20 && value <= 350 && notAChange(m) ? { value: round(value, 1), unit: 'kg' as const } : undefined;
    }),
  ];
  return earliest(candidates);
}

/** The most recent reading when several are given ("150/95, repeat 145/92" → 145/92). */
export function extractBloodPressure(text: string): BloodPressure | undefined {
  const valid = (systolic: number, diastolic: number): BloodPressure | undefined =>
    systolic >= 60 && systolic <= 300 && diastolic >= 30 && diastolic <= 200 && systolic > diastolic
      ? { systolic, diastolic }
      : undefined;
  const candidates = [
    ...matchesOf(text, /(?<![\d\/.])(\d{2,3})\s*\/\s*(\d{2,3})(?!\d|\.\d|\s*\/)/g, (m) => valid(Number(m[1]), Number(m[2]))),
    ...matchesOf(text, /(?<![\d.])(\d{2,3})\s+over\s+(\d{2,3})(?!\d|\.\d)/gi, (m) => valid(Number(m[1]), Number(m[2]))),
  ];
  return latest(candidates);
}

export function extractSerumCreatinine(text: string): Measurement<CreatinineUnit> | undefined {
  const reading = (raw: string | undefined, unitText: string | undefined): Measurement<CreatinineUnit> | undefined => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) return undefined;
    const unit: CreatinineUnit = unitText ? (/mg/i.test(unitText) ? 'mg/dL' : 'umol/L') : value <= 20 ? 'mg/dL' : 'umol/L';
    if (unit === 'mg/dL' && (value < 0.1 || value > 20)) return undefined;
    if (unit === 'umol/L' && (value < 10 || value > 1800)) return undefined;
    return { value, unit };
  };
  const unit = String.raw`(mg\s*\/\s*dl|[µμu]mol\s*\/\s*l|micromol(?:es)?\s*\/\s*l)`;
  const candidates = [
    ...matchesOf(
      text,
      new RegExp(String.raw`\b(?:serum\s+)?(?:creatinine|creat|s?cr)\b\s*(?:level\s*)?(?:is|of|was|=|:)?\s*(?:of\s*)?(\d+(?:\.\d+)?)\s*${unit}?`, 'gi'),
      (m) => reading(m[1], m[2]),
    ),
    ...matchesOf(text, new RegExp(String.raw`(?<![\d.])(\d+(?:\.\d+)?)\s*${unit}\s*(?:serum\s+)?creatinine\b`, 'gi'), (m) => reading(m[1], m[2])),
  ];
  return latest(candidates);
}

export function extractEgfr(text: string): number | undefined {
  return latest(
    matchesOf(text, /\be?GFR\b\s*(?:is|of|was|=|:)?\s*(?:of\s*)?(\d{1,3}(?:\.\d+)?)(?!\d|\.\d)(?!\s*%)/gi, (m) => {
      const value = Number(m[1]);
      return value >= 1 && value <= 200 ? value : undefined;
    }),
  );
}

export function extractPregnancy(text: string): boolean | undefined {
  const mention = findMention(text, [/\bpregnan(?:t|cy)\b/i]);
  if (mention === 'present') return true;
  if (mention === 'denied') return false;
  return undefined;
}

const ALLERGY_LIST_END =
  /\b(?:but|who|which|with|whose|has|have|had|is|was|are|she|he|they|tolerates?|tolerated|reports?|complains?|presents?|presenting|now|today|currently|since)\b/i;

export function extractAllergies(text: string): string[] | undefined {
  if (/\bNKDA\b/i.test(text) || /\bno known (?:drug )?allergies\b/i.test(text)) return [];
  const match = /\ballerg(?:ic|y|ies)\s*(?:to\s*:?|:)\s*([^.;\n]+)/i.exec(text);
  if (!match?.[1]) return undefined;
  // The list ends where the sentence moves on: "allergic to sulfa and has a UTI", "… but tolerates cephalexin".
  const list = match[1].split(ALLERGY_LIST_END)[0] ?? '';
  const items = list
    .split(/,|\band\b|\bor\b|\//i)
    .map((item) => item.trim().toLowerCase().split(/\s+/).slice(0, 3).join(' '))
    .filter((item) => item.length > 1);
  // "Allergies: none" is an answer too: known, and empty.
  return union([], items.filter((item) => !/^(?:none|nothing|nil)\b/.test(item)));
}

export function extractMedications(text: string): string[] {
  return findMedications(text, findCombinationProducts(text)).map((m) => m.generic);
}

/** Words before a drug's name that make it a question about starting it, not a drug taken. */
const PROPOSAL_CUE =
  /\b(?:start|starting|begin|beginning|prescribe|prescribing|add|adding|initiate|initiating|consider|considering|try|trying|recommend|recommending|switch(?:ing)?(?:\s+(?:her|him|them))?\s+to|(?:should|could|can|may)\s+(?:she|he|they|i|we|the patient)\s+(?:take|use|have|get|go on|be on|be given))\b(?:\s+(?:her|him|them|the patient|on|with|a|an|low-dose|high-dose|moderate-intensity|high-intensity))*\s*$/i;

function isProposed(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 80), index);
  const clauseStart = Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf('!'), before.lastIndexOf('?'), before.lastIndexOf('\n'));
  return PROPOSAL_CUE.test(before.slice(clauseStart + 1));
}

interface ProductMention extends CombinationProduct {
  index: number;
  proposed: boolean;
}

/**
 * Every drug named and not negated, in order of first mention; proposed when no mention says it is
 * taken. A combination product's brand names each of its components.
 */
function findMedications(text: string, products: readonly ProductMention[]): Array<{ generic: string; proposed: boolean }> {
  const found = new Map<string, { index: number; proposed: boolean }>();
  const mention = (generic: string, index: number, proposed: boolean) => {
    const seen = found.get(generic);
    found.set(generic, { index: Math.min(index, seen?.index ?? index), proposed: proposed && (seen?.proposed ?? true) });
  };
  for (const [generic, ...aliases] of MEDICATION_NAMES) {
    for (const name of [generic, ...aliases]) {
      for (const m of text.matchAll(medicationPattern(name))) {
        if (m.index !== undefined && !isNegated(text, m.index)) mention(generic, m.index, isProposed(text, m.index));
      }
    }
  }
  for (const product of products) for (const generic of product.components) mention(generic, product.index, product.proposed);
  // A stable sort: a product's components, found at one place, keep the product's order.
  return [...found.entries()].sort(([, x], [, y]) => x.index - y.index).map(([generic, { proposed }]) => ({ generic, proposed }));
}

/** Each mention of a combination product by brand, not negated, in order. */
function findCombinationProducts(text: string): ProductMention[] {
  const found: ProductMention[] = [];
  for (const m of text.matchAll(COMBINATION_BRAND_PATTERN)) {
    const index = m.index ?? 0;
    const components = COMBINATION_BY_BRAND.get(m[0].toLowerCase());
    if (components && !isNegated(text, index)) found.push({ name: m[0], components: [...components], index, proposed: isProposed(text, index) });
  }
  return found;
}

/** One entry a product, as first written ("Janumet" then "Janumet XR" is one product). */
function uniqueProducts(mentions: readonly CombinationProduct[]): CombinationProduct[] {
  const products: CombinationProduct[] = [];
  for (const { name, components } of mentions) {
    if (!products.some((p) => p.components.join() === components.join())) products.push({ name, components });
  }
  return products;
}

// ---------------------------------------------------------------------------------------------
// Negation: "denies chest pain", "no fever, reports fatigue" (the later "reports" wins).

const NEGATION_CUE =
  /\b(?:no longer(?:\s+(?:has|have|had|reports?|complains? of|experiences?|takes?|on))?|no|not|denies|denied|denying|without|negative for|free of|absence of|never|none)\b/gi;
const AFFIRMATION_CUE = /\b(?:with|has|have|had|reports?|reporting|complains? of|complaining of|presents?|presenting|endorses?|notes?|but|however|although|now)\b/gi;

function isNegated(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 80), index);
  const clauseStart = Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf('!'), before.lastIndexOf('?'), before.lastIndexOf('\n'));
  const clause = before.slice(clauseStart + 1);
  const negation = lastMatch(clause, NEGATION_CUE);
  if (!negation) return false;
  // An affirmation after the negation ("no fever, but reports cough") ends its reach.
  const affirmation = lastMatch(clause, AFFIRMATION_CUE);
  return !affirmation || affirmation.start < negation.end;
}

function findMention(text: string, patterns: readonly RegExp[]): 'present' | 'denied' | 'absent' {
  let denied = false;
  for (const pattern of patterns) {
    const global = globalPattern(pattern);
    for (const m of text.matchAll(global)) {
      if (m.index === undefined) continue;
      if (isNegated(text, m.index)) denied = true;
      else return 'present';
    }
  }
  return denied ? 'denied' : 'absent';
}

function lastMatch(text: string, pattern: RegExp): { start: number; end: number } | undefined {
  let last: { start: number; end: number } | undefined;
  for (const m of text.matchAll(pattern)) {
    const start = m.index ?? 0;
    last = { start, end: start + m[0].length };
  }
  return last;
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** "101 F" after "temperature" is Fahrenheit, not a 101-year-old woman. */
function looksLikeTemperature(text: string, index: number): boolean {
  return /\b(?:temp(?:erature)?|febrile|fever|degrees?)\b[^.;]{0,15}$/i.test(text.slice(Math.max(0, index - 30), index));
}

interface Candidate<T> {
  index: number;
  value: T;
}

function matchesOf<T>(text: string, pattern: RegExp, read: (m: RegExpExecArray) => T | undefined): Array<Candidate<T>> {
  const out: Array<Candidate<T>> = [];
  for (const m of text.matchAll(pattern)) {
    const value = read(m as RegExpExecArray);
    if (value !== undefined) out.push({ index: m.index ?? 0, value });
  }
  return out;
}

function firstByPosition<T>(text: string, patterns: readonly RegExp[], read: (m: RegExpExecArray) => T | undefined): T | undefined {
  return earliest(patterns.flatMap((pattern) => matchesOf(text, pattern, read)));
}

function earliest<T>(candidates: ReadonlyArray<Candidate<T>>): T | undefined {
  let best: Candidate<T> | undefined;
  for (const c of candidates) if (!best || c.index < best.index) best = c;
  return best?.value;
}

function latest<T>(candidates: ReadonlyArray<Candidate<T>>): T | undefined {
  let best: Candidate<T> | undefined;
  for (const c of candidates) if (!best || c.index >= best.index) best = c;
  return best?.value;
}

function definedOnly(facts: PatientFacts): Partial<PatientFacts> {
  const out: Partial<PatientFacts> = {};
  for (const [key, value] of Object.entries(facts) as Array<[keyof PatientFacts, PatientFacts[keyof PatientFacts]]>) {
    if (value !== undefined) Object.assign(out, { [key]: value });
  }
  return out;
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}

// Patterns built once, not on every request: the model reads every user text of the conversation
// on every call. (matchAll works on a copy, so sharing a global RegExp is safe.)
const medicationPatterns = new Map<string, RegExp>();
function medicationPattern(name: string): RegExp {
  let pattern = medicationPatterns.get(name);
  if (!pattern) {
    pattern = new RegExp(String.raw`(?<![a-z0-9-])${escapeRegExp(name)}(?![a-z0-9-])`, 'gi');
    medicationPatterns.set(name, pattern);
  }
  return pattern;
}

const globalPatterns = new WeakMap<RegExp, RegExp>();
function globalPattern(pattern: RegExp): RegExp {
  let global = globalPatterns.get(pattern);
  if (!global) {
    global = pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    globalPatterns.set(pattern, global);
  }
  return global;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
