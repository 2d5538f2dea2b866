// The results, two ways: a table on stdout (figure, measured value, target, pass/fail) and a JSON
// file with the machine, every figure and the raw per-round numbers behind it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { passes, type Figure, type ScenarioResult } from './figures.js';
import type { MachineInfo } from './machine.js';

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  durationSeconds: number;
  scenarios: ScenarioResult[];
  failures: Array<{ scenario: string; error: string }>;
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toFixed(digits);
  return unit === '×' ? `${number}×` : `${number} ${unit}`;
}

function formatTarget(figure: Figure): string {
  if (!figure.target || figure.target.comparison === 'info') return '';
  return `${figure.target.comparison} ${formatValue(figure.target.value, figure.unit)}`;
}

function verdict(figure: Figure): string {
  const result = passes(figure);
  return result === undefined ? '' : result ? 'pass' : 'MISS';
}

/** A Markdown table (readable on a terminal too). */
export function resultsTable(report: BenchReport): string {
  const lines = ['| scenario | figure | measured | target | result |', '|---|---|---|---|---|'];
  for (const scenario of report.scenarios) {
    for (const figure of scenario.figures) {
      const measured = formatValue(figure.value, figure.unit) + (figure.note ? ` (${figure.note})` : '');
      lines.push(`| ${scenario.scenario} | ${figure.label} | ${measured} | ${formatTarget(figure)} | ${verdict(figure)} |`);
    }
  }
  for (const failure of report.failures) lines.push(`| ${failure.scenario} | scenario failed: ${failure.error.split('\n')[0]} | | | FAIL |`);
  return lines.join('\n');
}

export function machineLine(report: BenchReport): string {
  const m = report.machine;
  return `${report.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${m.os} · load ${m.loadAverageAtStart.join(' ')} · ${report.quick ? 'quick' : 'full'} run, ${report.durationSeconds.toFixed(0)} s`;
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
