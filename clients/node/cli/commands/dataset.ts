// `tracemesh dataset recent|search <term>|complex`: eval datasets built from logged conversations
// through the braintrust SDK (local trace store by default, Braintrust with BRAINTRUST_API_KEY).
// Building the same dataset again updates its rows in place. Progress goes to stderr.
import type { Command } from 'commander';
import { positiveInteger } from '../number-arguments.js';
import { describeBackendFailure } from '../../backend-failure.js';
import { BtqlClient } from '../../analytics/btql-client.js';
import { renderFields, renderTable } from '../../analytics/text-table.js';
import { selectCases, type CaseSelection } from '../../datasets/conversation-cases.js';
import type { DatasetRow } from '../../datasets/dataset-rows.js';
import { writeDataset, type DatasetProgress, type DatasetWriteResult } from '../../datasets/dataset-writer.js';

interface DatasetOptions {
  name?: string;
  limit: string;
  json?: boolean;
}

export function registerDatasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('build eval datasets from logged conversations (re-running updates rows, never duplicates)');

  withOptions(dataset.command('recent').description('the newest finished conversations'), '10').action((options: DatasetOptions) =>
    build({ kind: 'recent' }, options, 'Production Healthcare Cases'),
  );
  withOptions(dataset.command('search').description('conversations whose patient query contains the term').argument('<term>'), '5').action(
    (term: string, options: DatasetOptions) => build({ kind: 'search', term }, options, `${term.charAt(0).toUpperCase()}${term.slice(1)} Cases`),
  );
  withOptions(dataset.command('complex').description('conversations that called ≥ 2 distinct tools or took ≥ 2 turns'), '10').action(
    (options: DatasetOptions) => build({ kind: 'complex' }, options, 'Complex Multi-Tool Cases'),
  );
}

function withOptions(command: Command, defaultLimit: string): Command {
  return command
    .option('--name <name>', 'the dataset name (default: the seed\'s name for this kind)')
    .option('--limit <n>', 'at most this many cases', defaultLimit)
    .option('--json', 'print the result and the rows as JSON');
}

async function build(selection: CaseSelection, options: DatasetOptions, defaultName: string): Promise<void> {
  const progress = new StderrProgress();
  try {
    const limit = positiveInteger(options.limit, '--limit');
    const name = options.name ?? defaultName;
    progress.line(`selecting ${selection.kind === 'search' ? `conversations matching "${selection.term}"` : `${selection.kind} conversations`}…`);
    const rows = await selectCases(new BtqlClient(), selection, limit);
    if (rows.length === 0) {
      progress.line('no matching finished conversations: nothing written');
      if (options.json) process.stdout.write(`${JSON.stringify({ datasetName: name, written: 0, rows: [] }, null, 2)}\n`);
      return;
    }
    const result = await writeDataset(rows, {
      name,
      description: `tracemesh: ${selection.kind} cases from production logs`,
      onProgress: (event) => progress.report(event),
    });
    progress.done();
    process.stdout.write(options.json ? `${JSON.stringify({ ...result, rows }, null, 2)}\n` : `${summary(result, rows)}\n`);
    if (result.verified !== rows.length) {
      process.stderr.write(`tracemesh dataset: only ${result.verified} of ${rows.length} rows came back from fetch()\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    progress.done();
    process.stderr.write(`tracemesh dataset: ${describeBackendFailure(error)}\n`);
    process.exitCode = 1;
  }
}

function summary(result: DatasetWriteResult, rows: DatasetRow[]): string {
  const fields = renderFields([
    ['dataset', `${result.datasetName} (${result.datasetId})`],
    ['project', result.project],
    ['written', `${result.written} rows (new or updated)`],
    ['in dataset', `${result.totalRows} rows`],
  ]);
  const table = renderTable(rows, [
    { header: 'row id', cell: (row) => row.id },
    { header: 'turns', cell: (row) => String(row.metadata.total_turns), align: 'right' },
    { header: 'tools', cell: (row) => row.metadata.tools?.join(', ') ?? '' },
    { header: 'patient query', cell: (row) => row.input.patient_query, maxWidth: 70 },
  ]);
  return `${fields}\n\n${table}`;
}

/** Progress on stderr: rewritten in place on a terminal, one line per phase otherwise. */
class StderrProgress {
  private readonly tty = process.stderr.isTTY === true;
  private lastPhase: DatasetProgress['phase'] | undefined;
  private pending = false;

  line(text: string): void {
    this.done();
    process.stderr.write(`${text}\n`);
  }

  report(event: DatasetProgress): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${progressText(event)}`);
      this.pending = true;
    } else if (event.phase !== this.lastPhase) {
      process.stderr.write(`${phaseText(event)}\n`);
    }
    this.lastPhase = event.phase;
  }

  done(): void {
    if (this.pending) process.stderr.write('\n');
    this.pending = false;
  }
}

function progressText(event: DatasetProgress): string {
  switch (event.phase) {
    case 'inserting':
      return `inserting ${event.done}/${event.total}`;
    case 'flushing':
      return `flushing ${event.total} rows…`;
    case 'verifying':
      return `verifying: ${event.fetched} rows read back`;
  }
}

/** The first event of a phase, for logs (no running counts). */
function phaseText(event: DatasetProgress): string {
  switch (event.phase) {
    case 'inserting':
      return `inserting ${event.total} rows`;
    case 'flushing':
      return `flushing ${event.total} rows…`;
    case 'verifying':
      return 'reading the dataset back…';
  }
}
