// Patient facts pulled out of a clinician's free text: the offline model's only "understanding" of a
// conversation. Pure functions: the same text always yields the same facts, and no input can make
// them throw (a fast-check property holds them to that).
import type { Comparator, LabReading } from './lab-values.js';
import { COMPARATOR_WORDS, comparatorOf, isBoundNotResult, isNamedGoal, labsInValueText, mergeLabs } from './lab-values.js';
import { ALLERGY_CLASSES, allergyClassesOfDrug } from './allergy-classes.js';
import { valueText } from './value-text.js';

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
  /** "BP below 130/80": the reading is past this bound, not the bound itself. */
  comparator?: Comparator;
}

/**
 * A drug named that the drug reference does not cover (data/medications/drug-reference.json), so
 * neither the medication tool nor the model can check it: the answer says so.
 */
export interface UncoveredMedication {
  /** As the clinician wrote it ("Entresto"). */
  name: string;
  /** The generic name, as sent to the medication tool ("sacubitril/valsartan"). */
  generic: string;
}

/** "metformin 1 g twice daily": 2000 mg a day. Only where both the dose and how often were written. */
export interface DailyDose {
  drug: string;
  mgPerDay: number;
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
  | 'frequent_infections'
  | 'visual_change'
  | 'confusion'
  | 'focal_weakness';

/**
 * A dangerously high blood pressure said in words rather than as a reading: "hypertensive
 * emergency", "hypertensive crisis", "hypertensive urgency", or "very high" ("BP very high",
 * "severely elevated blood pressure"). With no reading it still leads the answer (lab-actions.ts).
 */
export type SevereBloodPressureWords = 'emergency' | 'crisis' | 'urgency' | 'very_high';

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
  /** A dangerously high blood pressure said in words; the reading, when given, is `bloodPressure`. */
  severeBloodPressureWords?: SevereBloodPressureWords;
  serumCreatinine?: Measurement<CreatinineUnit>;
  /** With `egfrComparator`, the bound ("eGFR below 30": 30). */
  egfr?: number;
  egfrComparator?: Comparator;
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
  /** Drugs recognised but not in the drug reference, in order of first mention. */
  uncoveredMedications: UncoveredMedication[];
  /** Daily doses of `medications`, where written with how often they are taken. */
  dailyDoses: DailyDose[];
  conditions: ConditionId[];
  /** ECG changes of hyperkalemia or other acute changes said to be present (true) or absent (false). */
  ecgChanges?: boolean;
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
  // Signs of possible target-organ damage with a very high blood pressure (clinical-reasoning.ts).
  { id: 'visual_change', label: 'visual change', patterns: [/\bvisual (?:changes?|disturbances?|loss)\b/i, /\bvision (?:changes?|loss)\b/i, /\bloss of vision\b/i, /\bdouble vision\b/i] },
  { id: 'confusion', label: 'confusion', patterns: [/\bconfus(?:ed|ion)\b/i, /\bdisorient(?:ed|ation)\b/i, /\baltered mental status\b/i] },
  { id: 'focal_weakness', label: 'focal weakness', patterns: [/\b(?:focal|one-sided|unilateral|left-sided|right-sided|arm|leg|facial) weakness\b/i, /\bweakness (?:of|in) (?:the |her |his )?(?:left|right|one) (?:arm|leg|side)\b/i, /\bhemipar(?:esis|etic)\b/i, /\bslurred speech\b/i] },
];

// "Very" and its stronger neighbours: "very high", "severely elevated" (not a bare "high", which is any hypertension).
const SEVERELY = 'very|extremely|dangerously|severely|markedly|critically';
const BP_WORDS = String.raw`(?:blood pressures?|BPs?|SBP|systolic(?: pressure)?)`;

// A severe blood pressure in words, strongest first: the first found is the one kept.
const SEVERE_BLOOD_PRESSURE_WORDS: ReadonlyArray<{ id: SevereBloodPressureWords; patterns: RegExp[] }> = [
  { id: 'emergency', patterns: [/\bhypertensive emergenc(?:y|ies)\b/i] },
  { id: 'crisis', patterns: [/\bhypertensive cris(?:is|es)\b/i] },
  { id: 'urgency', patterns: [/\bhypertensive urgenc(?:y|ies)\b/i] },
  {
    id: 'very_high',
    patterns: [
      // "very high blood pressure", "severely elevated BP", "sky-high BP"
      new RegExp(String.raw`\b(?:(?:${SEVERELY})\s+(?:high|elevated|raised)|sky[- ]high)\s+${BP_WORDS}\b`, 'i'),
      // "BP is very high", "blood pressure readings have been extremely high", "BP through the roof"
      new RegExp(String.raw`\b${BP_WORDS}(?:'s|’s)?\s+(?:(?:readings?|reading's|today|now|still|is|was|are|were|remains?|has been|have been|running|seems?|looks?)\s+)*(?:(?:${SEVERELY})\s+(?:high|elevated|raised)\b|through the roof|sky[- ]high)`, 'i'),
      /\bsevere(?:ly)? hypertensi(?:on|ve)\b/i,
    ],
  },
];

export const CONDITIONS: ReadonlyArray<Vocabulary<ConditionId>> = [
  { id: 'type_2_diabetes', label: 'type 2 diabetes', patterns: [/\btype (?:2|ii|two) diabet(?:es|ic)\b/i, /\bT2DM?\b/i, /\bDM ?(?:2|II)\b/, /\bNIDDM\b/, /(?<!pre-?)(?<!type (?:1|i|one) )\bdiabet(?:es|ic)\b(?! (?:type )?(?:1|i|one)\b)(?! insipidus)/i] },
  { id: 'type_1_diabetes', label: 'type 1 diabetes', patterns: [/\btype (?:1|i|one) diabet(?:es|ic)\b/i, /\bT1DM?\b/i, /\bdiabetes (?:type )?(?:1|i|one)\b/i] },
  { id: 'prediabetes', label: 'prediabetes', patterns: [/\bpre-?diabet(?:es|ic)\b/i, /\bimpaired (?:fasting )?glucose\b/i] },
  // A crisis named, or "very high blood pressure", is a severe pressure now (SEVERE_BLOOD_PRESSURE_WORDS), not hypertension in the history.
  {
    id: 'hypertension',
    label: 'hypertension',
    patterns: [
      /(?<!\bsevere(?:ly)?\s+)\bhypertensi(?:on|ve)\b(?!\s+(?:crisis|crises|emergenc(?:y|ies)|urgenc(?:y|ies))\b)/i,
      /\bHTN\b/i,
      new RegExp(String.raw`(?<!\b(?:(?:${SEVERELY})\s+|sky[- ]))\bhigh blood pressure\b`, 'i'),
    ],
  },
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
  ['ramipril', 'altace'],
  ['losartan', 'cozaar'],
  ['valsartan', 'diovan'],
  ['amlodipine', 'norvasc'],
  ['hydrochlorothiazide', 'hctz', 'microzide'],
  ['chlorthalidone'],
  ['furosemide', 'lasix'],
  ['spironolactone', 'aldactone'],
  ['eplerenone', 'inspra'],
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

/**
 * What a drug does that the model's own rules act on (lab-actions.ts): 'raas' an ACE inhibitor, ARB,
 * ARNI or mineralocorticoid antagonist (raises potassium; held in acute kidney injury); 'k_sparing'
 * another potassium-sparing diuretic; 'k_supplement' potassium itself; 'nsaid'; 'diuretic' a thiazide
 * or loop diuretic; 'metformin' contains metformin; 'hypoglycemic' insulin or a sulfonylurea
 * (hypoglycemia, likelier as kidney function falls); 'renal_dose' cleared by the kidney, dosed to eGFR.
 */
export type DrugRole = 'raas' | 'k_sparing' | 'k_supplement' | 'nsaid' | 'diuretic' | 'metformin' | 'hypoglycemic' | 'renal_dose';

/**
 * Real drugs the drug reference does not cover (each generic is in its `other_drug_names`, so the
 * tool too reports it as not covered; a unit test holds the two together), and combination brands
 * with a component it does not cover (so not in `combinations`). The model names them in the answer
 * as not checked rather than dropping them, and its own potassium and kidney rules still see their
 * roles. A product is never read as its covered component: Entresto's valsartan is not Diovan's dose.
 */
export interface UncoveredDrug {
  generic: string;
  names: readonly string[];
  roles: readonly DrugRole[];
  /** A combination never to be made, said with "not checked" since the tool cannot (from the product's label). */
  neverWith?: { drugs: readonly string[]; why: string };
}

const ACE_INHIBITORS = ['lisinopril', 'enalapril', 'ramipril', 'benazepril', 'quinapril', 'captopril', 'perindopril'];

export const UNCOVERED_DRUGS: readonly UncoveredDrug[] = [
  {
    generic: 'sacubitril/valsartan',
    names: ['entresto', 'sacubitril-valsartan', 'sacubitril valsartan'],
    roles: ['raas'],
    // FDA prescribing information (DailyMed): Entresto, contraindications.
    neverWith: { drugs: ACE_INHIBITORS, why: 'angioedema; allow 36 hours between an ACE inhibitor and it, as its label requires' },
  },
  { generic: 'glyburide/metformin', names: ['glucovance', 'glyburide-metformin', 'glibenclamide/metformin'], roles: ['metformin', 'hypoglycemic', 'renal_dose'] },
  { generic: 'glyburide', names: ['glibenclamide', 'diabeta', 'glynase', 'micronase'], roles: ['hypoglycemic', 'renal_dose'] },
  { generic: 'glimepiride', names: ['amaryl'], roles: ['hypoglycemic', 'renal_dose'] },
  { generic: 'benazepril', names: ['lotensin'], roles: ['raas'] },
  { generic: 'quinapril', names: ['accupril'], roles: ['raas'] },
  { generic: 'captopril', names: ['capoten'], roles: ['raas'] },
  { generic: 'perindopril', names: ['coversyl', 'aceon'], roles: ['raas'] },
  { generic: 'candesartan', names: ['atacand'], roles: ['raas'] },
  { generic: 'irbesartan', names: ['avapro'], roles: ['raas'] },
  { generic: 'olmesartan', names: ['benicar'], roles: ['raas'] },
  { generic: 'telmisartan', names: ['micardis'], roles: ['raas'] },
  { generic: 'finerenone', names: ['kerendia'], roles: ['raas'] },
  { generic: 'amiloride', names: ['midamor'], roles: ['k_sparing'] },
  { generic: 'triamterene', names: ['dyrenium'], roles: ['k_sparing'] },
  { generic: 'potassium chloride', names: ['k-dur', 'klor-con', 'slow-k'], roles: ['k_supplement'] },
  { generic: 'torsemide', names: ['demadex'], roles: ['diuretic'] },
  { generic: 'bumetanide', names: ['bumex'], roles: ['diuretic'] },
  { generic: 'meloxicam', names: ['mobic'], roles: ['nsaid'] },
  { generic: 'celecoxib', names: ['celebrex'], roles: ['nsaid'] },
  { generic: 'diclofenac', names: ['voltaren'], roles: ['nsaid'] },
  { generic: 'indomethacin', names: ['indocin'], roles: ['nsaid'] },
  { generic: 'ketorolac', names: ['toradol'], roles: ['nsaid'] },
];

const UNCOVERED_BY_NAME = new Map(UNCOVERED_DRUGS.flatMap((d) => [d.generic, ...d.names].map((name) => [name, d] as const)));
// Every name in one pattern, longest first, so "glyburide/metformin" is read as itself and not as the glyburide inside it.
const UNCOVERED_PATTERN = namesPattern(UNCOVERED_BY_NAME.keys());

/** The roles of a drug the reference does not cover, by its generic name. */
export function uncoveredRoles(generic: string): readonly DrugRole[] {
  return UNCOVERED_BY_NAME.get(generic.toLowerCase())?.roles ?? [];
}

/** A drug the reference does not cover, by its generic name. */
export function uncoveredDrug(generic: string): UncoveredDrug | undefined {
  return UNCOVERED_BY_NAME.get(generic.toLowerCase());
}

/** "Entresto (sacubitril/valsartan)", or the generic alone when written as such. */
export function uncoveredLabel(drug: UncoveredMedication): string {
  return drug.name.toLowerCase() === drug.generic ? drug.generic : `${drug.name} (${drug.generic})`;
}

const GENERIC_BY_NAME = new Map(MEDICATION_NAMES.flatMap(([generic, ...aliases]) => [generic, ...aliases].map((name) => [name, generic] as const)));
// Every generic and brand in one pattern, longest first ("insulin glargine" before "insulin"): one scan a text.
const MEDICATION_PATTERN = namesPattern(GENERIC_BY_NAME.keys());

const COMBINATION_BY_BRAND = new Map(COMBINATION_PRODUCTS.flatMap(({ brands, components }) => brands.map((brand) => [brand, components] as const)));
// Every brand in one pattern, longest first, so "Exforge HCT" is read as itself and not as the "Exforge" inside it.
const COMBINATION_BRAND_PATTERN = namesPattern(COMBINATION_BY_BRAND.keys());

// Reactions that are allergies whatever word comes with them ("lisinopril-induced angioedema").
const ALLERGIC_REACTION = String.raw`angioedema|anaphylaxis|hypersensitivity|allergic reaction`;
// Allergy class terms ("ACE inhibitor", also written "ACE-inhibitor"), and any drug, brand or class as an allergen.
const CLASS_BY_TERM = new Map(ALLERGY_CLASSES.flatMap((c) => c.terms.map((term) => [term, c.id] as const)));
const ALLERGY_TERM_PATTERN = namesPattern(CLASS_BY_TERM.keys(), true);
// A hyphen may follow an allergen ("PCN-allergic", "lisinopril-induced").
const ALLERGEN = String.raw`(?<![a-z0-9-])(?:${namesAlternatives([...GENERIC_BY_NAME.keys(), ...COMBINATION_BY_BRAND.keys(), ...UNCOVERED_BY_NAME.keys(), ...CLASS_BY_TERM.keys()], true)})(?![a-z0-9])`;
// "ACE inhibitor allergy", "penicillin-allergic", "lisinopril (cough) allergy", "lisinopril-induced angioedema".
const ALLERGEN_THEN_REACTION = new RegExp(
  String.raw`(${ALLERGEN})(?:\s*\([^)]{0,30}\))?[\s-]*(?:(?:induced|related|associated)\s+)?(${ALLERGIC_REACTION}|allerg(?:y|ies|ic))\b`,
  'gi',
);
// "angioedema on lisinopril", "anaphylaxis to penicillin", "hypersensitivity reaction to Bactrim".
const REACTION_THEN_ALLERGEN = new RegExp(
  String.raw`\b(${ALLERGIC_REACTION})(?:\s+reactions?)?\s+(?:on|with|to|from|after|due to|caused by)\s+(${ALLERGEN})`,
  'gi',
);

export function symptomLabel(id: SymptomId): string {
  return SYMPTOMS.find((s) => s.id === id)?.label ?? id;
}

export function conditionLabel(id: ConditionId): string {
  return CONDITIONS.find((c) => c.id === id)?.label ?? id;
}

export function emptyFacts(): PatientFacts {
  return { labs: [], symptoms: [], deniedSymptoms: [], medications: [], proposedMedications: [], combinationProducts: [], uncoveredMedications: [], dailyDoses: [], conditions: [] };
}

/**
 * Facts stated in one piece of text. The text is prepared once (value-text.ts: dates blanked,
 * decimal commas read) and every reader works on that, so no date feeds a value.
 */
export function extractPatientFacts(written: string): PatientFacts {
  const text = valueText(written);
  const facts = emptyFacts();
  const age = ageIn(text);
  if (age !== undefined) facts.age = age;
  const sex = extractSex(text);
  if (sex) {
    facts.sex = sex.sex;
    facts.sexBasis = sex.basis;
  }
  const height = heightIn(text);
  if (height) facts.height = height;
  const weight = weightIn(text);
  if (weight) facts.weight = weight;
  const bloodPressure = bloodPressureIn(text);
  if (bloodPressure) facts.bloodPressure = bloodPressure;
  const severeWords = SEVERE_BLOOD_PRESSURE_WORDS.find((w) => findMention(text, w.patterns, { pastIsHistory: true }) === 'present');
  if (severeWords) facts.severeBloodPressureWords = severeWords.id;
  // "A history of hypertensive crisis" is no crisis now, but it is hypertension in the history.
  const severeInThePast = SEVERE_BLOOD_PRESSURE_WORDS.some((w) => findMention(text, w.patterns) === 'present' && findMention(text, w.patterns, { pastIsHistory: true }) !== 'present');
  const creatinine = creatinineIn(text);
  if (creatinine) facts.serumCreatinine = creatinine;
  const egfr = egfrReadingIn(text);
  if (egfr) {
    facts.egfr = egfr.value;
    if (egfr.comparator) facts.egfrComparator = egfr.comparator;
  }
  facts.labs = labsInValueText(text);
  const ecg = findMention(text, ECG_CHANGES);
  if (ecg !== 'absent') facts.ecgChanges = ecg === 'present';
  else if (NORMAL_ECG.test(text)) facts.ecgChanges = false;
  const pregnant = extractPregnancy(text);
  if (pregnant !== undefined) facts.pregnant = pregnant;
  const allergies = allergiesIn(text);
  if (allergies) facts.allergies = allergies.items;
  const allergenSpans = allergies?.spans ?? [];

  for (const symptom of SYMPTOMS) {
    const mention = findMention(text, symptom.patterns);
    if (mention === 'present') facts.symptoms.push(symptom.id);
    else if (mention === 'denied') facts.deniedSymptoms.push(symptom.id);
  }
  for (const condition of CONDITIONS) {
    if (findMention(text, condition.patterns) === 'present' || (condition.id === 'hypertension' && severeInThePast)) facts.conditions.push(condition.id);
  }
  // A drug named as an allergen is not a drug taken.
  const products = findCombinationProducts(text, allergenSpans);
  const uncovered = findUncovered(text, allergenSpans);
  const medications = findMedications(text, products, uncovered, allergenSpans);
  facts.medications = medications.map((m) => m.generic);
  facts.proposedMedications = medications.filter((m) => m.proposed).map((m) => m.generic);
  facts.combinationProducts = uniqueProducts(products);
  facts.uncoveredMedications = uniqueUncovered(uncovered);
  facts.dailyDoses = medications.flatMap((m) => (m.mgPerDay === undefined ? [] : [{ drug: m.generic, mgPerDay: m.mgPerDay }]));
  return facts;
}

// ECG changes (of hyperkalemia, or any acute change) said to be there, or a normal ECG: one pattern,
// so a text without them costs one scan.
const ECG_CHANGES: readonly RegExp[] = [
  new RegExp(
    [
      String.raw`\b(?:ECG|EKG)\s+(?:changes|abnormalit(?:y|ies))\b`,
      String.raw`\b(?:ECG|EKG)\s*(?::|shows?|showing|with|has)\s*(?:peaked|tall|tented|wide|broad|absent|flat(?:tened)?|loss|sine|brady|arrhythmi|heart block)`,
      String.raw`\b(?:peaked|tented|tall) T[- ]?waves?\b`,
      String.raw`\bwid(?:e|ened|ening) QRS\b`,
      String.raw`\bsine[- ]wave\b`,
      String.raw`\b(?:loss of|absent|flattened) P[- ]?waves?\b`,
    ].join('|'),
    'gi',
  ),
];
const NORMAL_ECG = /\b(?:normal|unremarkable) (?:ECG|EKG)\b|\b(?:ECG|EKG)\s*(?::|is|was)?\s*(?:normal|unremarkable|sinus rhythm|NSR)\b/i;

/** Later facts override earlier ones; lists accumulate, and a later denial takes a symptom back. */
export function mergePatientFacts(earlier: PatientFacts, later: PatientFacts): PatientFacts {
  const merged: PatientFacts = { ...earlier, ...definedOnly(later) };
  if (later.sexBasis === 'pronoun' && earlier.sexBasis === 'stated') {
    merged.sex = earlier.sex;
    merged.sexBasis = earlier.sexBasis;
  }
  if (earlier.allergies && later.allergies) merged.allergies = union(earlier.allergies, later.allergies);
  // A later eGFR replaces the earlier one whole: "eGFR below 30" then "eGFR 42" is 42, not "< 42".
  if (later.egfr !== undefined) {
    if (later.egfrComparator) merged.egfrComparator = later.egfrComparator;
    else delete merged.egfrComparator;
  }
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
  merged.uncoveredMedications = uniqueUncovered([...earlier.uncoveredMedications, ...later.uncoveredMedications]);
  merged.dailyDoses = [...earlier.dailyDoses.filter((d) => !later.dailyDoses.some((l) => l.drug === d.drug)), ...later.dailyDoses];
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

/** How far past its bound an eGFR given as one is taken to be: "below 30" is judged as under 30, never 30. */
const EGFR_PAST_BOUND = 0.1;

/** The eGFR thresholds judge: the value given, or just past the bound given ("eGFR below 30": 29.9). */
export function egfrForThresholds(facts: Pick<PatientFacts, 'egfr' | 'egfrComparator'>): number | undefined {
  if (facts.egfr === undefined) return undefined;
  if (facts.egfrComparator === '<') return round(facts.egfr - EGFR_PAST_BOUND, 1);
  if (facts.egfrComparator === '>') return round(facts.egfr + EGFR_PAST_BOUND, 1);
  return facts.egfr;
}

/** The eGFR as the clinician gave it: "42", "< 30". */
export function statedEgfr(facts: Pick<PatientFacts, 'egfr' | 'egfrComparator'>): string | undefined {
  if (facts.egfr === undefined) return undefined;
  return facts.egfrComparator ? `${facts.egfrComparator} ${facts.egfr}` : `${facts.egfr}`;
}

/** True when there is anything clinical to reason about. */
export function hasClinicalContent(facts: PatientFacts): boolean {
  return (
    facts.symptoms.length > 0 ||
    facts.conditions.length > 0 ||
    facts.medications.length > 0 ||
    facts.uncoveredMedications.length > 0 ||
    (facts.height !== undefined && facts.weight !== undefined) ||
    facts.bloodPressure !== undefined ||
    facts.severeBloodPressureWords !== undefined ||
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

// After an age given bare ("Male 61, on enalapril", "F/45 with…"): the end of a clause, or a word
// that starts the history. Not a measurement ("male 180 lbs", "woman 5'4").
const AGE_ENDS = String.raw`(?:\s*(?:y|yo|y\/o|yrs?|years?)(?:\s*old)?)?(?=\s*(?:[,.;:)]|$)|\s+(?:with|on|who|has|had|is|was|presents?|presenting|and|taking|admitted|seen|known|hx|history|pmh|c\/o|complains?)\b)`;
const AGE_PATTERNS: readonly RegExp[] = [
  /(?<![\d.])(\d{1,3})\s*-?\s*(?:years?|yrs?)\s*-?\s*(?:old|of age)\b/gi,
  /(?<![\d.])(\d{1,3})\s*-?\s*(?:yo|y\/o|y\.o\.?)(?![a-z])/gi,
  /\bage(?:d|\s+of|:)?\s*(\d{1,3})\b(?!\s*(?:years? ago|%))/gi,
  /(?<![\d.'"°])(\d{1,3})\s?[FM]\b/g,
  // "61yrs M", "61 y female"
  /(?<![\d.])(\d{1,3})\s*(?:y|yrs?)\.?\s*[FM]\b/g,
  /(?<![\d.])(\d{1,3})\s*-?\s*(?:y|yrs?)\.?\s*(?:male|female|man|woman)\b/gi,
  // "61/M", "M/61", "F, 45"
  /(?<![\d.\/])(\d{1,3})\s*\/\s*[FM]\b/g,
  new RegExp(String.raw`\b[FM]\s*[\/,]\s*(\d{1,3})${AGE_ENDS}`, 'g'),
  // "Male 61,", "woman, aged 45 with…"
  new RegExp(String.raw`\b(?:male|female|man|woman|gentleman|lady)\s*[,:]?\s*(?:aged?\s+)?(\d{1,3})${AGE_ENDS}`, 'gi'),
  /\b(?:she|he|patient|pt|who)\s+(?:is|was|turned)\s+(\d{1,3})(?=\s*(?:[,.;]|$|and\b|years))/gi,
];

export function extractAge(text: string): number | undefined {
  return ageIn(valueText(text));
}

function ageIn(text: string): number | undefined {
  return firstByPosition(text, AGE_PATTERNS, (m) => {
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
  return heightIn(valueText(text));
}

function heightIn(text: string): Measurement<HeightUnit> | undefined {
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
  return weightIn(valueText(text));
}

function weightIn(text: string): Measurement<WeightUnit> | undefined {
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
  return bloodPressureIn(valueText(text));
}

function bloodPressureIn(text: string): BloodPressure | undefined {
  const valid = (m: RegExpExecArray): BloodPressure | undefined => {
    const systolic = Number(m[1]);
    const diastolic = Number(m[2]);
    if (!(systolic >= 60 && systolic <= 300 && diastolic >= 30 && diastolic <= 200 && systolic > diastolic)) return undefined;
    // "BP below 130/80" is past a bound; "target BP < 130/80", "if BP over 180/120" are no reading at all.
    const comparator = comparatorBefore(text, m.index);
    if (isNamedGoal(text, m.index) || (comparator && isBoundNotResult(text, m.index, text.slice(m.index + m[0].length)))) return undefined;
    return comparator ? { systolic, diastolic, comparator } : { systolic, diastolic };
  };
  const candidates = [
    ...matchesOf(text, /(?<![\d\/.])(\d{2,3})\s*\/\s*(\d{2,3})(?!\d|\.\d|\s*\/)/g, valid),
    ...matchesOf(text, /(?<![\d.])(\d{2,3})\s+over\s+(\d{2,3})(?!\d|\.\d)/gi, valid),
  ];
  return latest(candidates);
}

const COMPARATOR_BEFORE = new RegExp(String.raw`(?:^|[^a-z])(${COMPARATOR_WORDS})\s*$`, 'i');

/** The comparator written just before a number ("below 130/80", "< 30"), if any. */
function comparatorBefore(text: string, index: number): Comparator | undefined {
  const written = COMPARATOR_BEFORE.exec(text.slice(Math.max(0, index - 20), index))?.[1];
  return written === undefined ? undefined : comparatorOf(written);
}

const CREATININE_UNIT = String.raw`(mg\s*\/\s*dl|[µμu]mol\s*\/\s*l|micromol(?:es)?\s*\/\s*l)`;
// "creatinine 1.4", "serum creatinine of 97 µmol/L", "creatinine (serum) 2.1 mg/dL" (a date between
// name and value is blanked before this reads it), and "186 umol/L creatinine".
const CREATININE_PATTERNS: readonly RegExp[] = [
  new RegExp(
    String.raw`\b(?:serum\s+)?(?:creatinine|creat|s?cr)\b\s*(?:\(\s*[A-Za-z][\w+]{0,7}\s*\)\s*)?(?:level\s*)?(?:is|of|was|=|:)?\s*(?:of\s*)?(\d+(?:\.\d+)?)(?![\d.]*\d)(?!,\d)\s*${CREATININE_UNIT}?`,
    'gi',
  ),
  new RegExp(String.raw`(?<![\d.])(\d+(?:\.\d+)?)\s*${CREATININE_UNIT}\s*(?:serum\s+)?creatinine\b`, 'gi'),
];

export function extractSerumCreatinine(text: string): Measurement<CreatinineUnit> | undefined {
  return creatinineIn(valueText(text));
}

function creatinineIn(text: string): Measurement<CreatinineUnit> | undefined {
  const reading = (raw: string | undefined, unitText: string | undefined): Measurement<CreatinineUnit> | undefined => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) return undefined;
    const unit: CreatinineUnit = unitText ? (/mg/i.test(unitText) ? 'mg/dL' : 'umol/L') : value <= 20 ? 'mg/dL' : 'umol/L';
    if (unit === 'mg/dL' && (value < 0.1 || value > 20)) return undefined;
    if (unit === 'umol/L' && (value < 10 || value > 1800)) return undefined;
    return { value, unit };
  };
  return latest(CREATININE_PATTERNS.flatMap((pattern) => matchesOf(text, pattern, (m) => reading(m[1], m[2]))));
}

export function extractEgfr(text: string): number | undefined {
  return egfrReadingIn(valueText(text))?.value;
}

const EGFR = new RegExp(String.raw`\be?GFR\b\s*(?:is|of|was|=|:)?\s*(?:of\s*)?(?:(${COMPARATOR_WORDS})\s*)?(\d{1,3}(?:\.\d+)?)(?!\d|\.\d)(?!\s*%)`, 'gi');

/** "eGFR 42", "eGFR below 30" (the bound, with its comparator); not "stop metformin if eGFR < 30". */
function egfrReadingIn(text: string): { value: number; comparator?: Comparator } | undefined {
  return latest(
    matchesOf(text, EGFR, (m) => {
      const value = Number(m[2]);
      if (!(value >= 1 && value <= 200)) return undefined;
      const comparator = m[1] === undefined ? undefined : comparatorOf(m[1]);
      if (!comparator) return { value };
      return isBoundNotResult(text, m.index, text.slice(m.index + m[0].length)) ? undefined : { value, comparator };
    }),
  );
}

export function extractPregnancy(text: string): boolean | undefined {
  const mention = findMention(text, [/\bpregnan(?:t|cy)\b/i]);
  if (mention === 'present') return true;
  if (mention === 'denied') return false;
  return undefined;
}

// The list ends where the sentence moves on: "allergic to sulfa and has a UTI", "… but tolerates
// cephalexin", "allergic to penicillin, on metformin" (the drugs taken are no allergens).
const ALLERGY_LIST_END =
  /\b(?:but|who|which|with|whose|has|have|had|is|was|are|she|he|they|tolerates?|tolerated|reports?|complains?|presents?|presenting|now|today|currently|since|on|takes?|taking|uses?|using|started|starting|prescribed)\b/i;
const ALLERGY_LIST = /\ballerg(?:ic|y|ies)\s*(?:to\s*:?|:)\s*([^.;\n]+)/gi;
// "not allergic to", "no allergy to", "denies drug allergies": no allergy named.
const ALLERGY_NEGATED = /\b(?:not|no|denies|denied|without)\s+(?:known\s+)?(?:drug\s+)?$/i;

/** An allergy as recorded ("zestoretic (angioedema)"), and where its drug or class was named. */
interface AllergyMention {
  item: string;
  start: number;
  end: number;
}

export function extractAllergies(text: string): string[] | undefined {
  return allergiesIn(text)?.items;
}

/**
 * Allergies as listed ("allergic to penicillin and sulfa", "Allergies: none"), and drugs or classes
 * named with an allergy or an allergic reaction ("ACE inhibitor allergy", "angioedema on
 * lisinopril"). `spans`: where allergens were named, so none of them is read as a drug taken.
 */
function allergiesIn(text: string): { items: string[]; spans: Array<{ start: number; end: number }> } | undefined {
  if (/\bNKDA\b/i.test(text) || /\bno known (?:drug )?allergies\b/i.test(text)) return { items: [], spans: [] };
  const mentions: AllergyMention[] = [];
  let listed = false;
  for (const m of text.matchAll(ALLERGY_LIST)) {
    const index = m.index ?? 0;
    if (ALLERGY_NEGATED.test(text.slice(Math.max(0, index - 30), index)) || m[1] === undefined) continue;
    listed = true;
    const list = m[1].split(ALLERGY_LIST_END)[0] ?? '';
    const start = index + m[0].length - m[1].length;
    const items = list
      .split(/,|\band\b|\bor\b|\//i)
      .map((item) => item.trim().toLowerCase().split(/\s+/).slice(0, 3).join(' '))
      .filter((item) => item.length > 1 && !/^(?:none|nothing|nil)\b/.test(item));
    for (const item of items) mentions.push({ item, start, end: start + list.length });
  }
  for (const m of text.matchAll(ALLERGEN_THEN_REACTION)) {
    const index = m.index ?? 0;
    if (ALLERGY_NEGATED.test(text.slice(Math.max(0, index - 30), index))) continue;
    mentions.push(allergenMention(m[1] ?? '', index, m[2]));
  }
  for (const m of text.matchAll(REACTION_THEN_ALLERGEN)) {
    const index = m.index ?? 0;
    const allergen = m[2] ?? '';
    if (ALLERGY_NEGATED.test(text.slice(Math.max(0, index - 30), index))) continue;
    mentions.push(allergenMention(allergen, index + m[0].length - allergen.length, m[1]));
  }
  // "Allergies: none" is an answer too: known, and empty.
  if (mentions.length === 0 && !listed) return undefined;
  return { items: union([], mentions.map((m) => m.item)), spans: mentions.map(({ start, end }) => ({ start, end })) };
}

/** "lisinopril (angioedema)": the reaction kept where it changes what else is safe. */
function allergenMention(allergen: string, start: number, reaction: string | undefined): AllergyMention {
  const name = allergen.toLowerCase().replace(/-/g, ' ');
  const serious = reaction !== undefined && /^(?:angioedema|anaphylaxis)$/i.test(reaction);
  return { item: serious ? `${name} (${reaction.toLowerCase()})` : name, start, end: start + allergen.length };
}

/** Drugs and drug classes the patient is allergic to, as the model acts on them. */
export interface Allergens {
  /** Generic names named as allergens: a drug, or each component of a combination product. */
  drugs: ReadonlySet<string>;
  /** Allergy classes (allergy-classes.ts): named outright, or through a drug named. */
  classes: ReadonlySet<string>;
}

/** What the recorded allergies rule out: "zestoretic (angioedema)" is lisinopril, hydrochlorothiazide and every ACE inhibitor. */
export function allergensOf(allergies: readonly string[] | undefined): Allergens {
  const drugs = new Set<string>();
  const classes = new Set<string>();
  for (const allergy of allergies ?? []) {
    for (const m of allergy.matchAll(COMBINATION_BRAND_PATTERN)) for (const c of COMBINATION_BY_BRAND.get(m[0].toLowerCase()) ?? []) drugs.add(c);
    for (const m of allergy.matchAll(MEDICATION_PATTERN)) drugs.add(GENERIC_BY_NAME.get(m[0].toLowerCase()) ?? m[0].toLowerCase());
    for (const m of allergy.matchAll(UNCOVERED_PATTERN)) drugs.add(UNCOVERED_BY_NAME.get(m[0].toLowerCase())?.generic ?? m[0].toLowerCase());
    for (const m of allergy.matchAll(ALLERGY_TERM_PATTERN)) {
      const id = CLASS_BY_TERM.get(m[0].toLowerCase().replace(/-/g, ' '));
      if (id) classes.add(id);
    }
  }
  for (const drug of drugs) for (const c of allergyClassesOfDrug(drug)) classes.add(c.id);
  return { drugs, classes };
}

/** The drug itself, or one of a class, is an allergen. */
export function isAllergen(allergens: Allergens, generic: string): boolean {
  return allergens.drugs.has(generic) || allergyClassesOfDrug(generic).some((c) => allergens.classes.has(c.id));
}

export function extractMedications(text: string): string[] {
  const spans = allergiesIn(text)?.spans ?? [];
  return findMedications(text, findCombinationProducts(text, spans), findUncovered(text, spans), spans).map((m) => m.generic);
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

interface UncoveredMention extends UncoveredMedication {
  index: number;
  end: number;
}

interface MedicationMention {
  generic: string;
  proposed: boolean;
  mgPerDay?: number;
}

/**
 * Every drug named and not negated, in order of first mention; proposed when no mention says it is
 * taken. A combination product's brand names each of its components; a drug inside the name of one
 * the reference does not cover ("glyburide/metformin") is not named by it.
 */
function findMedications(text: string, products: readonly ProductMention[], uncovered: readonly UncoveredMention[], allergens: readonly Span[]): MedicationMention[] {
  const found = new Map<string, { index: number; proposed: boolean; mgPerDay?: number }>();
  const mention = (generic: string, index: number, proposed: boolean, mgPerDay?: number) => {
    const seen = found.get(generic);
    const entry: { index: number; proposed: boolean; mgPerDay?: number } = { index: Math.min(index, seen?.index ?? index), proposed: proposed && (seen?.proposed ?? true) };
    const dose = mgPerDay ?? seen?.mgPerDay;
    if (dose !== undefined) entry.mgPerDay = dose;
    found.set(generic, entry);
  };
  for (const m of text.matchAll(MEDICATION_PATTERN)) {
    const index = m.index ?? 0;
    const generic = GENERIC_BY_NAME.get(m[0].toLowerCase());
    if (!generic || isNegated(text, index) || uncovered.some((u) => index >= u.index && index < u.end) || inSpan(allergens, index)) continue;
    mention(generic, index, isProposed(text, index), dailyDoseAfter(text, index + m[0].length));
  }
  for (const product of products) for (const generic of product.components) mention(generic, product.index, product.proposed);
  // A stable sort: a product's components, found at one place, keep the product's order.
  return [...found.entries()]
    .sort(([, x], [, y]) => x.index - y.index)
    .map(([generic, { proposed, mgPerDay }]) => (mgPerDay === undefined ? { generic, proposed } : { generic, proposed, mgPerDay }));
}

// "metformin 1 g twice daily", "metformin XR 500 mg bid": the daily dose, only when how often is written too.
const FREQUENCY = String.raw`(once (?:a )?(?:daily|day)|one time (?:a )?day|daily|od|qd|q\.?d\.?|every (?:morning|evening|night)|at night|nightly|qhs|twice (?:a )?(?:daily|day)|bid|bd|b\.i\.d\.?|q12h|every 12 hours|three times (?:a )?(?:daily|day)|tid|tds|t\.i\.d\.?|q8h|every 8 hours)`;
const DOSE_AFTER = new RegExp(
  String.raw`^\s*(?:(?:XR|ER|SR|XL|IR)\b\s*)?(\d+(?:\.\d+)?)\s*(mg|g|grams?)\b\.?\s*(?:(?:tablets?|tabs?|PO|orally|by mouth)\s*)*${FREQUENCY}(?![a-z])`,
  'i',
);
const TWICE = /^(?:twice|bid|bd|b\.i\.d|q12h|every 12)/i;
const THRICE = /^(?:three|tid|tds|t\.i\.d|q8h|every 8)/i;

function dailyDoseAfter(text: string, end: number): number | undefined {
  const m = DOSE_AFTER.exec(text.slice(end, end + 60));
  if (!m) return undefined;
  const amount = Number(m[1]) * (/^g/i.test(m[2] ?? '') ? 1000 : 1);
  const frequency = m[3] ?? '';
  const mgPerDay = amount * (TWICE.test(frequency) ? 2 : THRICE.test(frequency) ? 3 : 1);
  return Number.isFinite(mgPerDay) && mgPerDay > 0 ? mgPerDay : undefined;
}

/** Each mention of a drug the reference does not cover, not negated, in order. */
function findUncovered(text: string, allergens: readonly Span[]): UncoveredMention[] {
  const found: UncoveredMention[] = [];
  for (const m of text.matchAll(UNCOVERED_PATTERN)) {
    const index = m.index ?? 0;
    const drug = UNCOVERED_BY_NAME.get(m[0].toLowerCase());
    if (drug && !isNegated(text, index) && !inSpan(allergens, index)) found.push({ name: m[0], generic: drug.generic, index, end: index + m[0].length });
  }
  return found;
}

/** One entry a drug, as first written. */
function uniqueUncovered(mentions: readonly UncoveredMedication[]): UncoveredMedication[] {
  const drugs: UncoveredMedication[] = [];
  for (const { name, generic } of mentions) if (!drugs.some((d) => d.generic === generic)) drugs.push({ name, generic });
  return drugs;
}

/** Each mention of a combination product by brand, not negated, in order. */
function findCombinationProducts(text: string, allergens: readonly Span[]): ProductMention[] {
  const found: ProductMention[] = [];
  for (const m of text.matchAll(COMBINATION_BRAND_PATTERN)) {
    const index = m.index ?? 0;
    const components = COMBINATION_BY_BRAND.get(m[0].toLowerCase());
    if (components && !isNegated(text, index) && !inSpan(allergens, index)) found.push({ name: m[0], components: [...components], index, proposed: isProposed(text, index) });
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

/** "History of", "previous", "had a … last year": what the clause before a mention says is over. */
const PAST_CUE = /\b(?:history of|hx of|h\/o|previous(?:ly)?|prior|past|earlier|former|had (?:a|an|one|two|several)|(?:last|a) (?:year|month|week)s? ago|in (?:19|20)\d\d)\b/gi;

function isPast(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 60), index);
  const clauseStart = Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf('!'), before.lastIndexOf('?'), before.lastIndexOf('\n'));
  return lastMatch(before.slice(clauseStart + 1), PAST_CUE) !== undefined;
}

/** With `pastIsHistory`, a mention in the past ("a history of …") does not count as present now. */
function findMention(text: string, patterns: readonly RegExp[], options: { pastIsHistory?: boolean } = {}): 'present' | 'denied' | 'absent' {
  let denied = false;
  for (const pattern of patterns) {
    const global = globalPattern(pattern);
    for (const m of text.matchAll(global)) {
      if (m.index === undefined) continue;
      if (options.pastIsHistory && isPast(text, m.index)) continue;
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
const globalPatterns = new WeakMap<RegExp, RegExp>();
function globalPattern(pattern: RegExp): RegExp {
  let global = globalPatterns.get(pattern);
  if (!global) {
    global = pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    globalPatterns.set(pattern, global);
  }
  return global;
}

/**
 * Any of the names as a whole word, longest first so a longer name is read before one inside it.
 * `spacedAsHyphens`: a space in a name may also be written as a hyphen ("ACE-inhibitor").
 */
function namesPattern(names: Iterable<string>, spacedAsHyphens = false): RegExp {
  return new RegExp(String.raw`(?<![a-z0-9-])(?:${namesAlternatives(names, spacedAsHyphens)})(?![a-z0-9-])`, 'gi');
}

function namesAlternatives(names: Iterable<string>, spacedAsHyphens: boolean): string {
  return [...names]
    .sort((a, b) => b.length - a.length)
    .map((name) => (spacedAsHyphens ? escapeRegExp(name).replace(/ /g, '[\\s-]') : escapeRegExp(name)))
    .join('|');
}

interface Span {
  start: number;
  end: number;
}

function inSpan(spans: readonly Span[], index: number): boolean {
  return spans.some((s) => index >= s.start && index < s.end);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
