// The eval report as text: a header naming the experiment and its baseline (how it was chosen, and
// how many cases the two share), one table row per scorer (mean, n, min, null count and, with
// shared cases, the change over them and cases improved/regressed), mean usage per case, the
// lowest-scoring cases, the cases that failed to run, and the gate's verdict.
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

function baselineLine(report: EvalRunReport): string {
  const choice = report.baselineChoice;
  if (choice.source === 'none' || report.baseline === undefined) return `baseline    (none: ${choice.source === 'none' ? choice.reason : 'nothing to compare with'})`;
  const how =
    choice.source === 'latest on dataset'
      ? 'the latest earlier experiment on this dataset'
      : `given by --baseline${choice.sameDataset === false ? '; it ran on another dataset' : ''}`;
  const shared = report.comparison ? ` · ${report.comparison.sharedCases} of ${report.comparison.cases} cases shared` : '';
  return `baseline    ${report.baseline} (${how})${shared}`;
}

/** Plain words when the comparison covers few or none of the cases. */
function comparisonNotes(report: EvalRunReport): string[] {
  const comparison = report.comparison;
  if (!comparison || comparison.cases === 0) return [];
  if (comparison.sharedCases === 0) {
    return [`no case of this run is in baseline ${comparison.baseline} (cases are matched by input): there is nothing to compare, so no change is shown`];
  }
  if (comparison.sharedCases < comparison.cases) {
    return [`compared on the ${comparison.sharedCases} shared cases only: ${comparison.cases - comparison.sharedCases} of this run's ${comparison.cases} cases are not in the baseline`];
  }
  return [];
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
    baselineLine(report),
    ...comparisonNotes(report).map((note) => `            ${note}`),
    '',
  ];
  const withBaseline = report.comparison !== undefined && report.comparison.sharedCases > 0;
  const header = ['scorer', 'mean', 'n', 'min', 'null', ...(withBaseline ? ['vs baseline', 'improved', 'regressed'] : [])];
  lines.push(...table([header, ...report.scorers.map((s) => scorerRow(s, withBaseline))], new Set([1, 2, 3, 4, 5, 6, 7])));
  if (report.usage) {
    const u = report.usage;
    lines.push(
      '',
      `usage per case (mean of ${u.cases}): ${Math.round(u.prompt_tokens)} prompt tokens (${Math.round(u.prompt_cached_tokens)} cached) · ${Math.round(u.completion_tokens)} completion tokens · ${u.model_calls.toFixed(1)} model calls · ${u.tool_errors.toFixed(2)} tool errors`,
    );
  }
  if (report.lowestCases.length > 0) {
    lines.push('', 'lowest-scoring cases (mean · its lowest score · the trace it was scored on):');
    for (const low of report.lowestCases) {
      const trace = low.traceRootSpanId ? `tracemesh trace ${low.traceRootSpanId}` : '(no trace)';
      lines.push(`  ${score(low.meanScore)}  ${low.lowest.scorer} ${score(low.lowest.score)}  ${trace}  ${low.query.replace(/\s+/g, ' ').slice(0, 60)}`);
    }
  }
  if (report.failedCases.length > 0) {
    const count = report.failedCases.length;
    lines.push('', `${count} of ${report.cases} case${report.cases === 1 ? '' : 's'} failed to run (not scored, left out of the means):`);
    for (const failed of report.failedCases) {
      const trace = failed.traceRootSpanId ? `tracemesh trace ${failed.traceRootSpanId}` : '(no trace)';
      lines.push(`  ${trace}  ${failed.query.replace(/\s+/g, ' ').slice(0, 60)}: ${failed.error}`);
    }
  }
  if (gate) {
    const note = gate.enforced ? '' : ' (report only: add --gate to enforce)';
    lines.push('', gate.verdict.passed ? `gate: passed${note}` : `gate: FAILED${note}`);
    for (const failure of gate.verdict.failures) lines.push(`  ✗ [${failure.kind}] ${failure.message}`);
  }
  return lines.join('\n');
}
