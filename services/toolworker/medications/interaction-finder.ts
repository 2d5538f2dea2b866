// Pairwise interactions among the drugs of one request. An entry matches a pair when each side
// names one of the two drugs or a class one of them belongs to, in either order, so the result
// never depends on the order the drugs were listed in. Class entries keep the file short, but a
// pair must not hear the same warning twice: for each concern (bleeding, hyperkalemia…) only the
// most specific matching entry is kept (drug–drug over drug–class over class–class), and among
// equally specific ones the most severe.
import type { DrugClass, DrugRecord, InteractionRecord, Severity } from './reference-schema.js';
import { CLASS_PREFIX, SEVERITIES } from './reference-schema.js';

type Side = { kind: 'drug'; name: string } | { kind: 'class'; id: string; label: string };

interface CompiledRule {
  record: InteractionRecord;
  sides: [Side, Side];
  /** 2 for drug–drug, 1 for drug–class, 0 for class–class. */
  specificity: number;
  /** Position in the file: the final tie-break, so results are deterministic. */
  order: number;
}

export interface FoundInteraction {
  /** The two drugs' generic names, in the order they were listed. */
  drugs: [string, string];
  severity: Severity;
  concern: string;
  mechanism: string;
  effect: string;
  management: string;
  source: string;
  /** The entry that matched, e.g. "warfarin + NSAIDs". */
  rule: string;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export class InteractionFinder {
  private readonly rules: CompiledRule[];

  constructor(interactions: readonly InteractionRecord[], classes: readonly DrugClass[]) {
    const labels = new Map(classes.map((c) => [c.id, c.label]));
    this.rules = interactions.map((record, order) => {
      const sides = record.drugs.map((ref): Side => {
        if (!ref.startsWith(CLASS_PREFIX)) return { kind: 'drug', name: ref };
        const id = ref.slice(CLASS_PREFIX.length);
        return { kind: 'class', id, label: labels.get(id) ?? id };
      }) as [Side, Side];
      const specificity = sides.filter((s) => s.kind === 'drug').length;
      return { record, sides, specificity, order };
    });
  }

  /** Every interaction among `drugs` (distinct drugs in listed order), worst first. */
  find(drugs: readonly DrugRecord[]): FoundInteraction[] {
    const found: Array<FoundInteraction & { at: [number, number] }> = [];
    for (let i = 0; i < drugs.length; i++) {
      for (let j = i + 1; j < drugs.length; j++) {
        const a = drugs[i]!;
        const b = drugs[j]!;
        if (a.name === b.name) continue;
        for (const rule of this.bestRulesFor(a, b)) found.push({ ...describe(rule, a, b), at: [i, j] });
      }
    }
    return found
      .sort((x, y) => severityRank(x.severity) - severityRank(y.severity) || x.at[0] - y.at[0] || x.at[1] - y.at[1] || x.concern.localeCompare(y.concern))
      .map(({ at: _at, ...interaction }) => interaction);
  }

  private bestRulesFor(a: DrugRecord, b: DrugRecord): CompiledRule[] {
    const byConcern = new Map<string, CompiledRule>();
    for (const rule of this.rules) {
      const [first, second] = rule.sides;
      const matches = (matchesSide(first, a) && matchesSide(second, b)) || (matchesSide(first, b) && matchesSide(second, a));
      if (!matches) continue;
      const current = byConcern.get(rule.record.concern);
      if (!current || isBetter(rule, current)) byConcern.set(rule.record.concern, rule);
    }
    return [...byConcern.values()];
  }
}

function matchesSide(side: Side, drug: DrugRecord): boolean {
  return side.kind === 'drug' ? side.name === drug.name : drug.class_tags.includes(side.id);
}

function isBetter(candidate: CompiledRule, current: CompiledRule): boolean {
  if (candidate.specificity !== current.specificity) return candidate.specificity > current.specificity;
  const bySeverity = severityRank(candidate.record.severity) - severityRank(current.record.severity);
  if (bySeverity !== 0) return bySeverity < 0;
  return candidate.order < current.order;
}

function describe(rule: CompiledRule, a: DrugRecord, b: DrugRecord): FoundInteraction {
  const { record } = rule;
  return {
    drugs: [a.name, b.name],
    severity: record.severity,
    concern: record.concern,
    mechanism: record.mechanism,
    effect: record.effect,
    management: record.management,
    source: record.source,
    rule: rule.sides.map((side) => (side.kind === 'drug' ? side.name : side.label)).join(' + '),
  };
}
