// `npm run bench [-- --quick] [--only a,b] [--profile DIR] [--keep-data]`: starts the systems under
// test as real processes on free ports, runs every scenario (warm-up, then interleaved rounds),
// prints the results table and writes bench/results/<date>[-quick].json (plus the scaling plot).
// --quick runs every scenario with fewer and shorter rounds (under a minute; CI's smoke test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchContext } from './harness/bench-context.js';
import { describeMachine } from './harness/machine.js';
import { machineLine, resultsTable, writeReport, type BenchReport } from './harness/report.js';
import type { Scenario } from './harness/scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { stampingStack } from './harness/stamping-stack.js';
import { traceStoreUnderTest } from './harness/trace-store-under-test.js';

const resultsDir = join(import.meta.dirname, 'results');

function selectScenarios(only: string | undefined): Scenario[] {
  if (!only) return SCENARIOS;
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'usage: npm run bench -- [--quick] [--only a,b] [--profile DIR] [--keep-data] [--out FILE]',
        `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
        'see bench/README.md',
        '',
      ].join('\n'),
    );
    return;
  }
  const scenarios = selectScenarios(values.only);
  const started = performance.now();
  const date = new Date().toISOString().slice(0, 10);
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemesh-bench-'));
  const quick = values.quick ?? false;
  const path = values.out ?? join(resultsDir, `${date}${quick ? '-quick' : ''}.json`);
  // The plot goes beside the report (so an --out run leaves the committed plot alone).
  const plotPath = `${path.replace(/\.json$/, '')}-scaling.svg`;
  const context = new BenchContext({ quick, dataDir, plotPath, ...(values.profile ? { profileDir: values.profile } : {}) });
  const report: BenchReport = { date, quick: context.quick, machine: describeMachine(), durationSeconds: 0, scenarios: [], failures: [] };
  context.log(`${machineLine(report)} · data in ${dataDir}`);
  try {
    if (!values.only) {
      // Every system under test starts up front, side by side (the first mesh alone: its worker
      // seeds the shared Chroma collection), which saves the quick run half its time.
      await context.mesh();
      await Promise.all([context.meshWithoutTracing().then(() => context.floor()), context.peer(), stampingStack(context), traceStoreUnderTest(context)]);
    }
    for (const scenario of scenarios) {
      const scenarioStarted = performance.now();
      context.log(`scenario ${scenario.name}: ${scenario.title}`);
      try {
        const result = await scenario.run(context);
        report.scenarios.push(result);
      } catch (error) {
        report.failures.push({ scenario: scenario.name, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        context.log(`scenario ${scenario.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      context.log(`scenario ${scenario.name} took ${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    await context.stopAll();
    if (!values['keep-data']) rmSync(dataDir, { recursive: true, force: true });
  }
  report.durationSeconds = (performance.now() - started) / 1000;
  writeReport(path, report);
  process.stdout.write(`\n${machineLine(report)}\n\n${resultsTable(report)}\n\n`);
  for (const scenario of report.scenarios) for (const remark of scenario.remarks ?? []) process.stdout.write(`- ${scenario.scenario}: ${remark}\n`);
  process.stdout.write(`\nresults: ${path}\n`);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
