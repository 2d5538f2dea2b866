// Reads a patient's allergy list ("penicillin", "sulfa drugs", "Bactrim (rash)", "ACE inhibitors",
// "Zestoretic (angioedema)") into the drugs and allergy classes it covers, and says how each checked
// drug is affected: the same drug, a component of the combination product named, or a drug of the
// same allergy class is contraindicated; a drug with a documented cross-sensitivity (a cephalosporin
// after a penicillin allergy) gets that entry's level and note.
import type { DrugNameIndex } from './drug-name-index.js';
import { normaliseDrugName } from './drug-name-normalisation.js';
import type { DrugClass, DrugRecord, FlagLevel } from './reference-schema.js';

export interface ReportedAllergy {
  /** As the clinician wrote it. */
  text: string;
  /** The covered drugs it names: one drug, or each component of a combination product ("Zestoretic"). */
  drugs: readonly DrugRecord[];
  /** The combination product it names, as the reference spells it, when it names one. */
  product?: string;
  /** Allergy classes it covers: named outright ("sulfa") or through the drugs it names. */
  classIds: ReadonlySet<string>;
}

/** The longest drug or brand name looked for inside an allergy as written ("diovan hct"). */
const MAX_NAME_WORDS = 3;

export interface AllergyFinding {
  level: FlagLevel;
  message: string;
}

export class AllergyMatcher {
  private readonly allergyClasses: ReadonlyMap<string, DrugClass>;

  constructor(classes: readonly DrugClass[], private readonly names: DrugNameIndex) {
    this.allergyClasses = new Map(classes.filter((c) => c.allergy_terms).map((c) => [c.id, c]));
  }

  read(allergies: readonly string[]): ReportedAllergy[] {
    return allergies.map((text) => {
      const normalised = normaliseDrugName(text);
      const classIds = new Set<string>();
      for (const drugClass of this.allergyClasses.values()) {
        if ((drugClass.allergy_terms ?? []).some((term) => containsWords(normalised, normaliseDrugName(term)))) classIds.add(drugClass.id);
      }
      const named = this.drugsNamedIn(text, normalised);
      for (const drug of named.drugs) for (const id of this.allergyClassesOf(drug)) classIds.add(id);
      return named.product ? { text, drugs: named.drugs, product: named.product, classIds } : { text, drugs: named.drugs, classIds };
    });
  }

  /** The most serious finding for `drug` against one reported allergy, if any. */
  findingFor(drug: DrugRecord, allergy: ReportedAllergy): AllergyFinding | undefined {
    const quoted = `"${allergy.text.trim()}"`;
    if (allergy.drugs.some((named) => named.name === drug.name)) {
      const what = allergy.product ? `${drug.name} is in ${allergy.product}` : `that is ${drug.name} itself`;
      return { level: 'contraindicated', message: `allergy: ${quoted} reported — ${what}; do not give it.` };
    }
    const shared = this.allergyClassesOf(drug).find((id) => allergy.classIds.has(id));
    if (shared) {
      const label = this.allergyClasses.get(shared)?.label ?? shared;
      return {
        level: 'contraindicated',
        message: `allergy: ${quoted} reported — ${drug.name} is one of the ${label}; avoid unless the allergy has been evaluated and ruled out.`,
      };
    }
    for (const cross of drug.cross_sensitivity ?? []) {
      if (!allergy.classIds.has(cross.class)) continue;
      const label = this.allergyClasses.get(cross.class)?.label ?? cross.class;
      return { level: cross.level, message: `allergy: ${quoted} reported (${label}) — ${cross.note}` };
    }
    return undefined;
  }

  private allergyClassesOf(drug: DrugRecord): string[] {
    return drug.class_tags.filter((tag) => this.allergyClasses.has(tag));
  }

  /**
   * The whole text as a drug name (spelling slips allowed) or combination brand, else the first run
   * of up to three words that is exactly one ("Diovan HCT (rash)" is the product, not valsartan alone).
   */
  private drugsNamedIn(text: string, normalised: string): { drugs: DrugRecord[]; product?: string } {
    const product = this.names.combinationProduct(text);
    if (product) return { drugs: [...product.components], product: product.brand };
    const whole = this.names.lookup(text);
    if (whole.found) return { drugs: [whole.drug] };
    const words = normalised.split(' ');
    for (let start = 0; start < words.length; start++) {
      for (let end = Math.min(words.length, start + MAX_NAME_WORDS); end > start; end--) {
        const phrase = words.slice(start, end).join(' ');
        const inPhrase = this.names.combinationProduct(phrase);
        if (inPhrase) return { drugs: [...inPhrase.components], product: inPhrase.brand };
        const drug = this.names.exactLookup(phrase);
        if (drug) return { drugs: [drug] };
      }
    }
    return { drugs: [] };
  }
}

/** Whether `phrase` occurs in `text` as whole words (both already normalised). */
function containsWords(text: string, phrase: string): boolean {
  return ` ${text} `.includes(` ${phrase} `);
}
