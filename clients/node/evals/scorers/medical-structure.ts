// follows_medical_structure — is the answer laid out Assessment → Recommendations → Follow-up?
// Each section found as a heading earns 1, found only as a phrase in the text ½. The score is the
// best credit of sections appearing in that order, divided by 3: all three headings in order → 1;
// all three but follow-up before recommendations → ⅔; no structure → 0.
import { headingsOf, responseText } from './response-text.js';
import type { ScorerArgs } from './scorer-types.js';
import { defineScorer, roundScore } from './scorer-types.js';

export const SECTIONS = [
  { id: 'assessment', pattern: /\b(?:assessment|impression|evaluation|findings|clinical summary|diagnos[ie]s|differential)\b/i },
  { id: 'recommendations', pattern: /\b(?:recommendations?|plan|management|treatment|next steps)\b/i },
  { id: 'follow_up', pattern: /\b(?:follow[- ]?up|monitoring|recheck|review|return precautions|safety[- ]net\w*)\b/i },
] as const;

interface SectionFinding {
  found: 'heading' | 'phrase' | 'absent';
  offset: number | undefined;
}

function findSection(text: string, pattern: RegExp): SectionFinding {
  const heading = headingsOf(text).find((h) => pattern.test(h.text));
  if (heading) return { found: 'heading', offset: heading.offset };
  const match = pattern.exec(text);
  return match ? { found: 'phrase', offset: match.index } : { found: 'absent', offset: undefined };
}

function credit(finding: SectionFinding): number {
  return finding.found === 'heading' ? 1 : finding.found === 'phrase' ? 0.5 : 0;
}

// The heaviest subsequence of the sections, in their canonical order, whose offsets increase.
function bestOrderedCredit(findings: SectionFinding[]): number {
  let best = 0;
  for (let mask = 1; mask < 1 << findings.length; mask++) {
    let last = -1;
    let total = 0;
    let ordered = true;
    findings.forEach((finding, i) => {
      if (!(mask & (1 << i))) return;
      if (finding.offset === undefined || finding.offset <= last) ordered = false;
      else {
        last = finding.offset;
        total += credit(finding);
      }
    });
    if (ordered) best = Math.max(best, total);
  }
  return best;
}

export const medicalStructureScorer = defineScorer('follows_medical_structure', async ({ output }: ScorerArgs) => {
  const text = responseText(output);
  const findings = SECTIONS.map((section) => findSection(text, section.pattern));
  const sections = Object.fromEntries(SECTIONS.map((section, i) => [section.id, findings[i]?.found ?? 'absent']));
  const offsets = findings.flatMap((finding) => (finding.offset === undefined ? [] : [finding.offset]));
  const inOrder = offsets.every((offset, i) => i === 0 || offset > (offsets[i - 1] ?? -1));
  return {
    score: roundScore(bestOrderedCredit(findings) / SECTIONS.length),
    metadata: { sections, in_order: inOrder },
  };
});
