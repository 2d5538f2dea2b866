// Finds the drug a clinician means: by generic name, brand name or alias in any case, by the bare
// name inside "metformin 500 mg ER", and by a spelling slip ("metfromin"). A slip is corrected only
// when the match is close, unambiguous, starts with the same letter and is not closer to a real
// drug this reference does not cover (duloxetine must never become fluoxetine); otherwise the name
// is reported unknown with the closest covered names as suggestions. A combination product's brand
// ("Zestoretic") is found apart, as its components; it is never a spelling correction's target.
import { editDistance } from './edit-distance.js';
import { normaliseDrugName, stripProductWords } from './drug-name-normalisation.js';
import type { DrugRecord, MedicationReference } from './reference-schema.js';

export type MatchKind = 'name' | 'brand' | 'alias' | 'spelling' | 'combination';

/** A combination product named by brand, with the drugs it contains. */
export interface CombinationProduct {
  /** The brand as the reference spells it ("Janumet XR"). */
  brand: string;
  components: DrugRecord[];
}

export type NameLookup =
  | {
      found: true;
      drug: DrugRecord;
      matchedBy: MatchKind;
      /** The name as the reference spells it ("Glucophage"; the generic name for a spelling match). */
      matchedName: string;
    }
  | {
      found: false;
      /** Covered generic names that look like the query, closest first. */
      suggestions: string[];
      /** Set when the query names a real drug this reference does not cover. */
      notCovered?: string;
    };

interface IndexedName {
  key: string;
  display: string;
  kind: Exclude<MatchKind, 'spelling' | 'combination'>;
  drug: DrugRecord;
}

const MAX_SUGGESTIONS = 3;

/** Spelling slips corrected automatically: none for very short names, where a slip is another word. */
export function allowedSlips(length: number): number {
  if (length <= 4) return 0;
  if (length <= 8) return 1;
  return 2;
}

export class DrugNameIndex {
  private readonly byKey = new Map<string, IndexedName>();
  private readonly otherNames: ReadonlyMap<string, string>;
  private readonly combinations = new Map<string, CombinationProduct>();

  constructor(reference: Pick<MedicationReference, 'drugs' | 'other_drug_names' | 'combinations'>) {
    for (const drug of reference.drugs) {
      this.add(drug, drug.name, 'name');
      for (const brand of drug.brand_names) this.add(drug, brand, 'brand');
      for (const alias of drug.aliases) this.add(drug, alias, 'alias');
    }
    this.otherNames = new Map(reference.other_drug_names.map((name) => [normaliseDrugName(name), name]));
    const drugs = new Map(reference.drugs.map((drug) => [drug.name, drug]));
    for (const combination of reference.combinations) {
      const components = combination.components.flatMap((name) => drugs.get(name) ?? []);
      for (const brand of combination.brand_names) {
        const key = normaliseDrugName(brand);
        this.combinations.set(key, { brand, components });
        // "Xigduo XR" is also typed "Xigduo"; a shorter key never takes a name another product or a drug has.
        const bare = stripProductWords(key);
        if (bare && !this.combinations.has(bare) && !this.byKey.has(bare)) this.combinations.set(bare, { brand, components });
      }
    }
  }

  /** The drug a typed name means, or suggestions when there is no safe match. */
  lookup(query: string): NameLookup {
    const normalised = normaliseDrugName(query);
    const stripped = stripProductWords(normalised);
    const exact = this.exact(normalised) ?? (stripped ? this.exact(stripped) : undefined);
    if (exact) return exact;

    const probe = stripped || normalised;
    const other = this.otherNames.get(probe) ?? this.otherNames.get(normalised);
    if (other) return { found: false, suggestions: this.suggest(probe), notCovered: other };
    if (probe === '') return { found: false, suggestions: [] };

    const nearest = this.nearestBySpelling(probe);
    if (nearest?.covered) return { found: true, drug: nearest.drug, matchedBy: 'spelling', matchedName: nearest.drug.name };
    const suggestions = this.suggest(probe);
    return nearest ? { found: false, suggestions, notCovered: nearest.name } : { found: false, suggestions };
  }

  /**
   * The combination product a brand names ("Zestoretic", "Janumet XR 50/1000 mg"), exactly or
   * without strength and form words; a single drug's own name always wins.
   */
  combinationProduct(query: string): CombinationProduct | undefined {
    const normalised = normaliseDrugName(query);
    if (this.byKey.has(normalised)) return undefined;
    const stripped = stripProductWords(normalised);
    return this.combinations.get(normalised) ?? (stripped && !this.byKey.has(stripped) ? this.combinations.get(stripped) : undefined);
  }

  /** Exact (normalised) match on a generic, brand or alias only: no spelling correction. */
  exactLookup(query: string): DrugRecord | undefined {
    const normalised = normaliseDrugName(query);
    return this.byKey.get(normalised)?.drug;
  }

  private add(drug: DrugRecord, display: string, kind: IndexedName['kind']): void {
    this.byKey.set(normaliseDrugName(display), { key: normaliseDrugName(display), display, kind, drug });
  }

  private exact(key: string): NameLookup | undefined {
    const hit = this.byKey.get(key);
    return hit ? { found: true, drug: hit.drug, matchedBy: hit.kind, matchedName: hit.display } : undefined;
  }

  /**
   * The one drug `probe` is a slip away from, covered or not. Covered and uncovered names compete,
   * so being closest to a real drug we do not cover blocks a correction; a tie between two drugs,
   * or a covered match with a different first letter, is no match at all. Combination brands compete
   * too, and being closest to one blocks a correction: a slip is never read as a product's component.
   */
  private nearestBySpelling(probe: string): { covered: true; drug: DrugRecord } | { covered: false; name: string } | undefined {
    const limit = allowedSlips(probe.length);
    if (limit === 0) return undefined;
    type Candidate =
      | { key: string; drug: DrugRecord; other?: undefined; combination?: undefined }
      | { key: string; drug?: undefined; other: string; combination?: undefined }
      | { key: string; drug?: undefined; other?: undefined; combination: string };
    const candidates: Candidate[] = [
      ...[...this.byKey.values()].map((entry): Candidate => ({ key: entry.key, drug: entry.drug })),
      ...[...this.otherNames.entries()].map(([key, other]): Candidate => ({ key, other })),
      ...[...this.combinations.entries()].map(([key, product]): Candidate => ({ key, combination: product.brand })),
    ];
    let bestDistance = limit + 1;
    let nearest: Candidate[] = [];
    for (const candidate of candidates) {
      const distance = editDistance(probe, candidate.key, limit);
      if (distance < bestDistance) {
        bestDistance = distance;
        nearest = [candidate];
      } else if (distance === bestDistance && distance <= limit) {
        nearest.push(candidate);
      }
    }
    const meanings = new Set(nearest.map((c) => c.drug?.name ?? (c.other !== undefined ? `other:${c.other}` : `combination:${c.combination}`)));
    const only = nearest[0];
    if (!only || meanings.size !== 1 || only.combination !== undefined) return undefined;
    if (only.other !== undefined) return { covered: false, name: only.other };
    // Slips rarely change the first letter; different first letters are usually different drugs.
    if (nearest.every((c) => c.key[0] !== probe[0])) return undefined;
    return { covered: true, drug: only.drug };
  }

  /**
   * Covered generic names close to the probe (about one edit per three letters, at most three) or
   * starting with it, closest first; only names about as close as the best one, so a near miss is
   * not buried under far-fetched ones.
   */
  private suggest(probe: string): string[] {
    if (probe.length < 3) return [];
    const limit = Math.min(3, Math.max(1, Math.floor(probe.length / 3)));
    const scores = new Map<string, number>();
    for (const entry of this.byKey.values()) {
      const prefix = entry.key.startsWith(probe) || entry.key.split(' ').some((word) => word.startsWith(probe));
      const score = prefix ? 0.5 : editDistance(probe, entry.key, limit);
      if (score > limit) continue;
      const previous = scores.get(entry.drug.name);
      if (previous === undefined || score < previous) scores.set(entry.drug.name, score);
    }
    const ranked = [...scores.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const best = ranked[0]?.[1] ?? 0;
    return ranked
      .filter(([, score]) => score <= best + 1)
      .slice(0, MAX_SUGGESTIONS)
      .map(([name]) => name);
  }
}
