// The medication check as a pure function of the reference data: resolve each name, attach the
// drug's reference facts and the patient-specific flags, and find every pairwise interaction among
// the drugs that were recognised. An unrecognised name is a result ("unknown, did you mean…"),
// never a failure of the whole check. A combination product, by brand ("Zestoretic") or written as
// its ingredients, is checked as each of its components.
import { AllergyMatcher, type ReportedAllergy } from './allergy-matching.js';
import { DrugNameIndex, type MatchKind } from './drug-name-index.js';
import { InteractionFinder, type FoundInteraction } from './interaction-finder.js';
import { applicableRenalThreshold, flagRank, patientFlags, type MedicationFlag, type PatientContext } from './patient-flags.js';
import type { DrugRecord, MedicationReference, RenalAction } from './reference-schema.js';

export interface RenalAssessment {
  basis: DrugRecord['renal']['basis'];
  note: string;
  thresholds: DrugRecord['renal']['thresholds'];
  /** What applies at the patient's eGFR, when it was given. */
  atPatientEgfr?: { egfr: number; action: RenalAction | 'none'; advice: string };
}

export interface CheckedMedication {
  query: string;
  found: true;
  drug: DrugRecord;
  matchedBy: MatchKind;
  matchedName: string;
  renal: RenalAssessment;
  /** Most serious first. */
  flags: MedicationFlag[];
}

export interface UnknownMedication {
  query: string;
  found: false;
  suggestions: string[];
  notCovered?: string;
}

export type MedicationResult = CheckedMedication | UnknownMedication;

export interface MedicationCheck {
  medications: MedicationResult[];
  interactions: FoundInteraction[];
  notes: string[];
  dataVersion: string;
  dataUpdated: string;
}

export class MedicationChecker {
  private readonly names: DrugNameIndex;
  private readonly interactions: InteractionFinder;
  private readonly allergies: AllergyMatcher;

  constructor(readonly reference: MedicationReference) {
    this.names = new DrugNameIndex(reference);
    this.interactions = new InteractionFinder(reference.interactions, reference.classes);
    this.allergies = new AllergyMatcher(reference.classes, this.names);
  }

  /** Patient values are assumed plausible: the tool validates them first. */
  check(queries: readonly string[], patient?: PatientContext): MedicationCheck {
    const notes: string[] = [];
    const reported = this.allergies.read(patient?.allergies ?? []);
    for (const allergy of reported) {
      if (allergy.drugs.length === 0 && allergy.classIds.size === 0) {
        notes.push(`Allergy "${allergy.text}" matched no drug or drug class in the reference: check it against these medications by hand.`);
      }
    }
    if (!patient) notes.push('No patient details were given, so kidney function, pregnancy, age and allergies were not checked.');

    const firstQueryOf = new Map<string, string>();
    const medications = queries.flatMap((query) => {
      const product = this.names.combinationProduct(query);
      if (product) {
        notes.push(`"${query.trim()}" is a combination product (${product.brand}), checked as its components: ${product.components.map((d) => d.name).join(', ')}.`);
        return product.components.map((drug) => this.checkDrug(query, drug, 'combination', product.brand, patient ?? {}, reported, firstQueryOf));
      }
      const parts = this.combinationParts(query);
      if (!parts) return [this.checkOne(query, patient ?? {}, reported, firstQueryOf)];
      notes.push(`"${query.trim()}" was checked as its components: ${parts.map((part) => part.trim()).join(', ')}.`);
      return parts.map((part) => this.checkOne(part, patient ?? {}, reported, firstQueryOf));
    });
    const distinct = [...new Map(medications.flatMap((m) => (m.found ? [[m.drug.name, m.drug] as const] : []))).values()];
    const unknown = medications.filter((m) => !m.found).length;
    if (unknown > 0) notes.push(`Interactions involving the ${unknown === 1 ? 'unrecognised name were' : `${unknown} unrecognised names were`} not checked.`);

    return {
      medications,
      interactions: this.interactions.find(distinct),
      notes,
      dataVersion: this.reference.version,
      dataUpdated: this.reference.updated,
    };
  }

  /**
   * A combination product written as its ingredients ("lisinopril/hydrochlorothiazide",
   * "sitagliptin and metformin", "lisinopril-hydrochlorothiazide") that is not itself in the
   * reference: its parts, when every one of them is — each then checked, interactions included.
   */
  private combinationParts(query: string): string[] | undefined {
    if (this.names.lookup(query).found) return undefined;
    const parts = query.split(/\s*(?:\/|\+|&|\band\b|\bwith\b|-)\s*/i).filter((part) => part.trim() !== '');
    if (parts.length < 2) return undefined;
    // Each part named outright (no spelling correction): an unknown hyphenated name is not split into guesses.
    const named = (part: string): boolean => {
      const found = this.names.lookup(part);
      return found.found && found.matchedBy !== 'spelling';
    };
    return parts.every(named) ? parts : undefined;
  }

  private checkOne(query: string, patient: PatientContext, reported: readonly ReportedAllergy[], firstQueryOf: Map<string, string>): MedicationResult {
    const lookup = this.names.lookup(query);
    if (!lookup.found) {
      return lookup.notCovered
        ? { query, found: false, suggestions: lookup.suggestions, notCovered: lookup.notCovered }
        : { query, found: false, suggestions: lookup.suggestions };
    }
    return this.checkDrug(query, lookup.drug, lookup.matchedBy, lookup.matchedName, patient, reported, firstQueryOf);
  }

  private checkDrug(
    query: string,
    drug: DrugRecord,
    matchedBy: MatchKind,
    matchedName: string,
    patient: PatientContext,
    reported: readonly ReportedAllergy[],
    firstQueryOf: Map<string, string>,
  ): CheckedMedication {
    const flags = patientFlags(drug, patient, reported, this.allergies);
    if (matchedBy === 'spelling') {
      flags.push({ type: 'name', level: 'info', message: `"${query.trim()}" was read as ${drug.name} (closest spelling); confirm this is the intended drug.` });
    }
    const first = firstQueryOf.get(drug.name);
    if (first === undefined) firstQueryOf.set(drug.name, query);
    else flags.push({ type: 'duplicate', level: 'caution', message: `the same drug as "${first.trim()}" (${drug.name}) is listed twice: check for duplicate therapy.` });
    flags.sort((a, b) => flagRank(a.level) - flagRank(b.level));
    return { query, found: true, drug, matchedBy, matchedName, renal: renalAssessment(drug, patient.egfr), flags };
  }
}

function renalAssessment(drug: DrugRecord, egfr: number | undefined): RenalAssessment {
  const assessment: RenalAssessment = { basis: drug.renal.basis, note: drug.renal.note, thresholds: drug.renal.thresholds };
  if (egfr === undefined) return assessment;
  const threshold = applicableRenalThreshold(drug, egfr);
  assessment.atPatientEgfr = threshold
    ? { egfr, action: threshold.action, advice: threshold.advice }
    : { egfr, action: 'none', advice: 'No renal dose adjustment at this eGFR.' };
  return assessment;
}
