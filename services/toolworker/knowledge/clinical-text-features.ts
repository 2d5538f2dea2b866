// Turns clinical text into the weighted features the local embedding hashes:
// - concept: clinical concepts from the lexicon (synonyms, abbreviations, drug names), plus the
//   condition a cardinal finding points to and what a quoted lab value means ("A1c 6.1%");
// - intent: what the text is about or asks for (diagnosis, treatment, screening, follow-up);
// - word: word stems and adjacent stem pairs;
// - char: character 4-grams of each word, so "diabetic" still meets "diabetes".
// Pure and deterministic: the same text always gives the same features.
import type { ClinicalValueRule, ClinicalVocabulary } from './clinical-lexicon.js';

export type FeatureGroup = 'concept' | 'intent' | 'word' | 'char';
export const FEATURE_GROUPS: readonly FeatureGroup[] = ['concept', 'intent', 'word', 'char'];

/** Feature → weighted count, per group. */
export type TextFeatures = Record<FeatureGroup, Map<string, number>>;

const INTENT_PREFIX = 'intent-';
/** An implied concept counts for half a mention: a hint, not a statement. */
const IMPLIED_CONCEPT_WEIGHT = 0.5;

const STOPWORDS = new Set([
  'a', 'about', 'above', 'after', 'again', 'all', 'also', 'am', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'because',
  'been', 'before', 'being', 'between', 'both', 'but', 'by', 'can', 'cannot', 'could', 'did', 'do', 'does', 'doing',
  'done', 'during', 'each', 'either', 'else', 'etc', 'for', 'from', 'further', 'get', 'gets', 'got', 'had', 'has', 'have',
  'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how', 'i', 'if', 'in', 'into', 'is', 'it',
  'its', 'itself', 'just', 'let', 'like', 'may', 'me', 'might', 'more', 'most', 'much', 'must', 'my', 'no', 'nor', 'not',
  'now', 'of', 'off', 'ok', 'okay', 'on', 'once', 'one', 'only', 'or', 'other', 'our', 'ours', 'out', 'over', 'own',
  'per', 'please', 'same', 'she', 'should', 'so', 'some', 'such', 'than', 'that', 'the', 'their', 'theirs', 'them',
  'then', 'there', 'these', 'they', 'this', 'those', 'through', 'to', 'too', 'under', 'until', 'up', 'us', 'very', 'via',
  'vs', 'versus', 'was', 'we', 'were', 'what', 'whats', 'when', 'where', 'whether', 'which', 'while', 'who', 'whom',
  'why', 'will', 'with', 'within', 'without', 'would', 'you', 'your', 'yours', 'ive', 'im', 'dont', 'doesnt', 'isnt',
  // Clinical-question filler: ages and "the patient" say nothing about which document answers.
  'patient', 'patients', 'year', 'years', 'old', 'yo', 'man', 'woman', 'male', 'female', 'mr', 'mrs', 'ms',
]);

const MIN_STEM_LENGTH = 3;
const CHAR_NGRAM_SIZE = 4;
const MAX_PHRASE_TOKENS = 6;
/** How far a value may follow the measurement's name: "A1c came back 6.1%". */
const MAX_VALUE_GAP_CHARS = 24;

function lowerAscii(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/µ/g, 'u').replace(/[−–]/g, '-');
}

/** Lowercase ASCII words and numbers: accents stripped, apostrophes dropped ("can't" → "cant"). */
export function tokenize(text: string): string[] {
  return lowerAscii(text).replace(/['’`]/g, '').match(/[a-z0-9]+/g) ?? [];
}

function isNumber(token: string): boolean {
  return /^[0-9]+$/.test(token);
}

function endsWithDoubleConsonant(word: string): boolean {
  const last = word.at(-1);
  return word.length >= 2 && last === word.at(-2) && last !== undefined && !'aeiouylsz'.includes(last);
}

/**
 * A light English stemmer (plural, -ing/-ed/-ly and silent-e endings): enough for matching here, with
 * character n-grams catching the rest. Tokens with digits ("a1c", "b12") are left alone.
 */
export function stem(token: string): string {
  if (token.length <= MIN_STEM_LENGTH || /[0-9]/.test(token)) return token;
  let word = token;
  if (word.endsWith('ies') && word.length > 4) word = `${word.slice(0, -3)}y`;
  else if (word.endsWith('sses')) word = word.slice(0, -2);
  else if (/(ches|shes|xes|zes)$/.test(word)) word = word.slice(0, -2);
  else if (word.endsWith('s') && !/(ss|us|is|ys)$/.test(word)) word = word.slice(0, -1);

  for (const suffix of ['ing', 'ed']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) {
      word = word.slice(0, -suffix.length);
      if (endsWithDoubleConsonant(word)) word = word.slice(0, -1);
      break;
    }
  }
  if (word.endsWith('ly') && word.length > 5) word = word.slice(0, -2);
  // A final silent e goes too, so "headache" meets "headaches" and "urinate" meets "urinating".
  if (word.endsWith('e') && !word.endsWith('ee') && word.length > 4) word = word.slice(0, -1);
  return word;
}

/** The content words of a text, stemmed (stopwords and bare numbers removed). */
export function contentStems(text: string): string[] {
  return tokenize(text).filter((t) => !STOPWORDS.has(t) && !isNumber(t)).map(stem);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface CompiledValueRule {
  pattern: RegExp;
  ranges: ClinicalValueRule['ranges'];
}

function compileValueRule(rule: ClinicalValueRule): CompiledValueRule {
  const names = rule.names.map((name) => lowerAscii(name).split(/[\s-]+/).map(escapeRegExp).join('[\\s-]*'));
  return {
    pattern: new RegExp(`(?<![a-z0-9])(?:${names.join('|')})(?![a-z0-9])[^0-9\\n]{0,${MAX_VALUE_GAP_CHARS}}?(-?\\d+(?:\\.\\d+)?)`, 'g'),
    ranges: rule.ranges,
  };
}

/** Finds the concepts a text mentions: lexicon phrases (longest first), implications, lab values. */
export class ConceptExtractor {
  private readonly phrases = new Map<string, Set<string>>();
  private readonly longest: number;
  private readonly valueRules: CompiledValueRule[];

  constructor(private readonly vocabulary: ClinicalVocabulary) {
    let longest = 1;
    for (const [concept, forms] of Object.entries(vocabulary.lexicon)) {
      for (const form of forms) {
        const stems = tokenize(form).map(stem);
        if (stems.length === 0) throw new Error(`clinical lexicon: concept ${concept} has an empty form "${form}"`);
        const key = stems.join(' ');
        const concepts = this.phrases.get(key) ?? new Set<string>();
        concepts.add(concept);
        this.phrases.set(key, concepts);
        longest = Math.max(longest, stems.length);
      }
    }
    for (const [finding, implied] of Object.entries(vocabulary.implications)) {
      for (const concept of [finding, ...implied]) {
        if (!(concept in vocabulary.lexicon)) throw new Error(`clinical implications: unknown concept ${concept}`);
      }
    }
    for (const rule of vocabulary.valueRules) {
      for (const range of rule.ranges) {
        for (const concept of range.concepts) {
          if (!(concept in vocabulary.lexicon)) throw new Error(`clinical value rule ${rule.names[0]}: unknown concept ${concept}`);
        }
      }
    }
    this.longest = Math.min(longest, MAX_PHRASE_TOKENS);
    this.valueRules = vocabulary.valueRules.map(compileValueRule);
  }

  /** The concept ids known to the vocabulary, sorted (the local embedding gives each a dimension). */
  get conceptIds(): string[] {
    return Object.keys(this.vocabulary.lexicon).sort();
  }

  /** Concept → weighted count. */
  extract(text: string): Map<string, number> {
    const found = new Map<string, number>();
    const add = (concept: string, weight: number): void => {
      found.set(concept, (found.get(concept) ?? 0) + weight);
    };
    const stems = tokenize(text).map(stem);
    let position = 0;
    while (position < stems.length) {
      let matched = 0;
      for (let length = Math.min(this.longest, stems.length - position); length >= 1; length--) {
        const concepts = this.phrases.get(stems.slice(position, position + length).join(' '));
        if (concepts) {
          for (const concept of concepts) {
            add(concept, 1);
            for (const implied of this.vocabulary.implications[concept] ?? []) add(implied, IMPLIED_CONCEPT_WEIGHT);
          }
          matched = length;
          break;
        }
      }
      position += Math.max(matched, 1);
    }
    const lower = lowerAscii(text);
    for (const rule of this.valueRules) {
      for (const match of lower.matchAll(rule.pattern)) {
        const value = Number(match[1]);
        for (const range of rule.ranges) {
          if (value >= range.min && value < range.max) for (const concept of range.concepts) add(concept, 1);
        }
      }
    }
    return found;
  }
}

function count(map: Map<string, number>, key: string, weight = 1): void {
  map.set(key, (map.get(key) ?? 0) + weight);
}

export function extractFeatures(text: string, concepts: ConceptExtractor): TextFeatures {
  const features: TextFeatures = { concept: new Map(), intent: new Map(), word: new Map(), char: new Map() };
  for (const [concept, weight] of concepts.extract(text)) {
    count(concept.startsWith(INTENT_PREFIX) ? features.intent : features.concept, concept, weight);
  }
  const content = tokenize(text).filter((t) => !STOPWORDS.has(t) && !isNumber(t));
  const stems = content.map(stem);
  stems.forEach((s, i) => {
    count(features.word, s);
    if (i > 0) count(features.word, `${stems[i - 1]} ${s}`);
  });
  for (const token of content) {
    const padded = `<${token}>`;
    if (padded.length <= CHAR_NGRAM_SIZE) {
      count(features.char, padded);
      continue;
    }
    for (let i = 0; i + CHAR_NGRAM_SIZE <= padded.length; i++) count(features.char, padded.slice(i, i + CHAR_NGRAM_SIZE));
  }
  return features;
}

/** True for concept ids that describe what a text asks for rather than what it is about. */
export function isIntentConcept(concept: string): boolean {
  return concept.startsWith(INTENT_PREFIX);
}
