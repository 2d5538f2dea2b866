// Reads a patient's allergy list ("penicillin", "sulfa drugs", "Bactrim (rash)", "ACE inhibitors")
// into the drugs and allergy classes it covers, and says how each checked drug is affected: the
// same drug or a drug of the same allergy class is contraindicated; a drug with a documented
// cross-sensitivity (a cephalosporin after a penicillin allergy) gets that entry's level and note.
import type { DrugNameIndex } from './drug-name-index.js';
import { normaliseDrugName } from './drug-name-normalisation.js';
import type { DrugClass, DrugRecord, FlagLevel } from './reference-schema.js';

export interface ReportedAllergy {
  /** As the clinician wrote it. */
  text: string;
  /** The covered drug it names, if any. */
  drug?: DrugRecord;
  /** Allergy classes it covers: named outright ("sulfa") or through the drug it names. */
  classIds: ReadonlySet<string>;
}

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
      const drug = this.drugNamedIn(text, normalised);
      if (drug) for (const id of this.allergyClassesOf(drug)) classIds.add(id);
      return drug ? { text, drug, classIds } : { text, classIds };
    });
  }

  /** The most serious finding for `drug` against one reported allergy, if any. */
  findingFor(drug: DrugRecord, allergy: ReportedAllergy): AllergyFinding | undefined {
    const quoted = `"${allergy.text.trim()}"`;
    if (allergy.drug?.name === drug.name) {
      return { level: 'contraindicated', message: `allergy: ${quoted} reported — that is ${drug.name} itself; do not give it.` };
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

  /** The whole text as a drug name (spelling slips allowed), else any single word of it exactly. */
  private drugNamedIn(text: string, normalised: string): DrugRecord | undefined {
    const whole = this.names.lookup(text);
    if (whole.found) return whole.drug;
    for (const word of normalised.split(' ')) {
      const drug = this.names.exactLookup(word);
      if (drug) return drug;
    }
    return undefined;
  }
}

/** Whether `phrase` occurs in `text` as whole words (both already normalised). */
function containsWords(text: string, phrase: string): boolean {
  return ` ${text} `.includes(` ${phrase} `);
}
