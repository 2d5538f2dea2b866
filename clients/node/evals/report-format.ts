// The eval report as text: a header naming the experiment and its baseline, one table row per
// scorer (mean, n, min, null count and, with a baseline, the change and cases improved/regressed),
// the cases that failed, and the gate's verdict.
import type { GateVerdict } from './gate.js';
import type { EvalRunReport } from './run-eval.js';
import type { ScorerSummary } from './score-summary.js';

const score = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(2));
const signed = (value: number | undefined): string => (value === undefined ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function scorerRow(scorer: ScorerSummary, withBaseline: boolean): string[] {
  const row = [scorer.name, score(scorer.mean), String(scorer.n), score(scorer.min), scorer.nulls === 0 ? '' : String(scorer.nulls)];
  if (withBaseline) row.push(signed(scorer.baseline?.diff), String(scorer.baseline?.improvements ?? 0), String(scorer.baseline?.regressions ?? 0));
  return row;
}

export function formatReport(report: EvalRunReport, gate?: { verdict: GateVerdict; enforced: boolean }): string {
  const settings = [
    report.settings.model && `model ${report.settings.model}`,
    report.settings.maxIterations !== undefined && `max iterations ${report.settings.maxIterations}`,
    report.settings.maxTokens !== undefined && `max tokens ${report.settings.maxTokens}`,
    !report.settings.judge && 'no judge',
  ].filter((part): part is string => typeof part === 'string');
  const lines = [
    `eval of dataset ${report.dataset} · mode ${report.mode}${settings.length ? ` · ${settings.join(' · ')}` : ''} · ${report.cases} case${report.cases === 1 ? '' : 's'} in ${(report.durationMs / 1000).toFixed(1)} s`,
    `experiment  ${report.experiment.name}${report.experiment.url ? `  ${report.experiment.url}` : ''}`,
    `baseline    ${report.baseline ?? '(none: nothing to compare with)'}`,
    '',
  ];
  const withBaseline = report.baseline !== undefined;
  const header = ['scorer', 'mean', 'n', 'min', 'null', ...(withBaseline ? ['vs baseline', 'improved', 'regressed'] : [])];
  lines.push(...table([header, ...report.scorers.map((s) => scorerRow(s, withBaseline))], new Set([1, 2, 3, 4, 5, 6, 7])));
  if (report.lowestCases.length > 0) {
    lines.push('', 'lowest-scoring cases (mean · its lowest score · the trace it was scored on):');
    for (const low of report.lowestCases) {
      const trace = low.traceRootSpanId ? `tracemesh trace ${low.traceRootSpanId}` : '(no trace)';
      lines.push(`  ${score(low.meanScore)}  ${low.lowest.scorer} ${score(low.lowest.score)}  ${trace}  ${low.query.replace(/\s+/g, ' ').slice(0, 60)}`);
    }
  }
  if (report.failedCases.length > 0) {
    lines.push('', `${report.failedCases.length} case${report.failedCases.length === 1 ? '' : 's'} failed:`);
    for (const failed of report.failedCases) lines.push(`  ${failed.query.slice(0, 70)}: ${failed.error}`);
  }
  if (gate) {
    const note = gate.enforced ? '' : ' (report only: add --gate to enforce)';
    lines.push('', gate.verdict.passed ? `gate: passed${note}` : `gate: FAILED${note}`);
    for (const failure of gate.verdict.failures) lines.push(`  ✗ ${failure}`);
  }
  return lines.join('\n');
}
