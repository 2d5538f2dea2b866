// Redaction of protected health information from span payloads (TRACEMESH_REDACT_PHI=1), applied
// by the Braintrust SDK's masking hook to every input, output and metadata value before it leaves
// the process. It removes identifiers — names after a title, a "name:"/"patient" label or "named",
// and a name just before an age ("John Smith, 45-year-old"); dates of birth and other full dates;
// phone numbers (North American and international); e-mail addresses; record/MRN/SSN numbers —
// and keeps the clinical facts (age, sex, height, weight, readings) that make a trace useful. It is
// rule-based: a name that stands nowhere near such a cue is not recognised.

interface Rule {
  label: string;
  pattern: RegExp;
  /** Keeps a leading label (e.g. "MRN: ") and replaces only the identifier. */
  keepGroup?: number;
}

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

// One name word: a capital, then letters of any script, apostrophes and hyphens (María, O'Brien-Smith, JOHN).
const NAME_WORD = "\\p{Lu}[\\p{L}'’-]+";
const FULL_NAME = `${NAME_WORD}(?:\\s+${NAME_WORD}){0,2}`;

const RULES: Rule[] = [
  { label: 'EMAIL', pattern: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g },
  { label: 'SSN', pattern: /\b\d{3}-\d{2}-\d{4}\b/g },
  { label: 'SSN', pattern: /\b((?:ssn|social security(?: number| no\.?)?)\s*[:#]?\s*)\d{9}\b/gi, keepGroup: 1 },
  {
    label: 'RECORD_NUMBER',
    pattern: /\b((?:mrn|medical record(?: number)?|record(?: number| no\.?| #)?|patient id|chart(?: number| no\.?)?|account(?: number| no\.?)?)\s*[:#]?\s*)[A-Z0-9-]{4,}\b/gi,
    keepGroup: 1,
  },
  { label: 'PHONE', pattern: /(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g },
  { label: 'PHONE', pattern: /(?<![\w+])\+\d{1,3}(?:[\s.-]?\d{2,4}){2,4}\b/g },
  { label: 'PHONE', pattern: /(?<![\w.])\d{10,11}\b/g },
  { label: 'DATE', pattern: /\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b/g },
  { label: 'DATE', pattern: /\b\d{1,2}\/\d{1,2}\/\d{2}\b/g },
  { label: 'DATE', pattern: /\b(?:19|20)\d{2}-\d{2}-\d{2}\b/g },
  { label: 'DATE', pattern: new RegExp(`\\b${MONTH}\\.? \\d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\\d{2}\\b`, 'gi') },
  { label: 'DATE', pattern: new RegExp(`\\b\\d{1,2}[ -]${MONTH}\\.?[ -](?:19|20)\\d{2}\\b`, 'gi') },
  { label: 'NAME', pattern: new RegExp(`\\b((?:[Mm](?:rs|r|s|iss|x)|[Dd]r)\\.?\\s+)${NAME_WORD}(?:\\s+${NAME_WORD})?`, 'gu'), keepGroup: 1 },
  {
    label: 'NAME',
    pattern: new RegExp(`\\b((?:[Pp]atient(?:'s)?(?: [Nn]ame)?|[Nn]ame|[Pp]t)\\s*(?:is|:)\\s*)${FULL_NAME}`, 'gu'),
    keepGroup: 1,
  },
  // "Patient Maria Gonzalez, …": the label, then a first and last name.
  { label: 'NAME', pattern: new RegExp(`\\b([Pp]atient\\s+)${NAME_WORD}\\s+${NAME_WORD}`, 'gu'), keepGroup: 1 },
  { label: 'NAME', pattern: new RegExp(`\\b((?:named|called)\\s+)${NAME_WORD}(?:\\s+${NAME_WORD})?`, 'gu'), keepGroup: 1 },
  // "John Smith, 45-year-old …", "John Smith is a 45 yo …": two names just before an age.
  {
    label: 'NAME',
    pattern: new RegExp(`(?<![\\p{L}\\[])${NAME_WORD}\\s+${NAME_WORD}(?=,?\\s+(?:is\\s+)?(?:an?\\s+)?\\d{1,3}[- ]?(?:years?[- ]old|year|yo\\b|y/o|y\\.o\\.))`, 'gu'),
  },
];

export function redactText(text: string): string {
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (...match: string[]) => {
      const kept = rule.keepGroup ? (match[rule.keepGroup] ?? '') : '';
      return `${kept}[REDACTED_${rule.label}]`;
    });
  }
  return result;
}

/** Redacts every string inside a JSON-like value (objects and arrays are copied, not mutated). */
export function redactPhi(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactPhi);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactPhi(inner)]));
  }
  return value;
}
