// Which tools a patient query calls for, when the case does not say (metadata.expected_tools):
//   height and weight given (5'4", 180 lbs; 165 cm, 80 kg) or BMI asked → calculate_clinical_metrics
//   symptoms or conditions described (fatigue, thirst, diabetes…)     → search_medical_knowledge
//   medications named (metformin, lisinopril…)                        → check_medications
// A rule names its tool by pattern, so it follows the tool the mesh actually offers under a close
// name; a rule whose tool the model was never offered expects nothing.
import { medicationsIn } from './medication-lexicon.js';

export interface ToolExpectation {
  tool: string;
  reason: string;
}

interface ExpectationRule {
  tool: string;
  /** Matches the offered tool that fulfils the rule. */
  offeredAs: RegExp;
  /** Why the query needs the tool, or undefined when it does not. */
  applies(query: string): string | undefined;
}

const HEIGHT = /\b\d\s*(?:'|’|ft\b|feet\b|foot\b)\s*\d{0,2}|\b\d{2,3}(?:\.\d+)?\s*cm\b|\b[12]\.\d{1,2}\s*m\b|\b\d{2}\s*(?:in|inches)\b/i;
const WEIGHT = /\b\d{2,3}(?:\.\d+)?\s*(?:lbs?|pounds|kg|kilograms?)\b/i;
const BMI_ASKED = /\bBMI\b|body[- ]mass[- ]index/i;
const SYMPTOMS_OR_CONDITIONS =
  /\b(?:fatigue|tired\w*|thirst\w*|polyuria|urinat\w*|headaches?|dizz\w+|chest pain|short(?:ness)? of breath|palpitations?|swelling|edema|numbness|tingling|snor\w+|insomnia|cough\w*|fever|weight (?:gain|loss)|low mood|depress\w+|anxi\w+|hair loss|cold intolerance|constipation|pain|diabetes|prediabetes|hypertension|high blood pressure|thyroid|anemia|anaemia|kidney|ckd|obesity|sleep apnea|heart failure|cholesterol|lipids?)\b/i;

const RULES: ExpectationRule[] = [
  {
    tool: 'calculate_clinical_metrics',
    offeredAs: /clinical_metrics|bmi/i,
    applies: (query) => (HEIGHT.test(query) && WEIGHT.test(query) ? 'height and weight given' : BMI_ASKED.test(query) ? 'BMI asked for' : undefined),
  },
  {
    tool: 'search_medical_knowledge',
    offeredAs: /knowledge|guideline|search/i,
    applies: (query) => {
      const match = SYMPTOMS_OR_CONDITIONS.exec(query);
      return match ? `clinical question ("${match[0]}")` : undefined;
    },
  },
  {
    tool: 'check_medications',
    offeredAs: /medication|drug/i,
    applies: (query) => {
      const named = medicationsIn(query);
      return named.length > 0 ? `medications named (${named.join(', ')})` : undefined;
    },
  },
];

export interface DerivedExpectations {
  expected: ToolExpectation[];
  /** Rules that applied but whose tool the model was not offered. */
  notOffered: ToolExpectation[];
}

/** `offered`: the tool names the model was given, or undefined when the trace does not say. */
export function expectedToolsFor(query: string, offered: readonly string[] | undefined): DerivedExpectations {
  const expected: ToolExpectation[] = [];
  const notOffered: ToolExpectation[] = [];
  for (const rule of RULES) {
    const reason = rule.applies(query);
    if (reason === undefined) continue;
    if (offered === undefined) {
      expected.push({ tool: rule.tool, reason });
      continue;
    }
    const tool = offered.includes(rule.tool) ? rule.tool : offered.find((name) => rule.offeredAs.test(name));
    if (tool) expected.push({ tool, reason });
    else notOffered.push({ tool: rule.tool, reason });
  }
  return { expected, notOffered };
}
