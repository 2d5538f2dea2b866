// Writes dataset rows through the braintrust SDK's dataset API (initDataset → insert → flush), then
// reads the dataset back with fetch() to report what it holds. Rows carry their own ids, so insert
// is an upsert: writing the same cases again leaves one row per case. The SDK gets a state of its
// own, so a process that also logs traces (the mesh's clients, the tests) keeps its logger apart.
import { BraintrustState, initDataset } from 'braintrust';
import { tracingConfig, type TracingConfig } from '../../../lib/config.js';
import type { DatasetRow } from './dataset-rows.js';

export type DatasetProgress =
  | { phase: 'inserting'; done: number; total: number }
  | { phase: 'flushing'; total: number }
  | { phase: 'verifying'; fetched: number };

export interface DatasetWriteResult {
  project: string;
  datasetId: string;
  datasetName: string;
  /** Rows written by this run (new or updated). */
  written: number;
  /** Rows the dataset holds afterwards, read back through fetch(). */
  totalRows: number;
  /** Of this run's row ids, how many fetch() returned. */
  verified: number;
}

export interface DatasetWriteOptions {
  name: string;
  description?: string;
  config?: TracingConfig;
  onProgress?: (progress: DatasetProgress) => void;
}

export async function writeDataset(rows: DatasetRow[], options: DatasetWriteOptions): Promise<DatasetWriteResult> {
  const config = options.config ?? tracingConfig();
  const login = { apiKey: config.apiKey, appUrl: config.appUrl };
  const dataset = initDataset({
    project: config.projectName,
    dataset: options.name,
    ...(options.description ? { description: options.description } : {}),
    ...login,
    // flush() below is awaited: no exit hook per state (a long-lived process may build many datasets).
    state: new BraintrustState({ ...login, noExitFlush: true }),
  });
  rows.forEach((row, i) => {
    dataset.insert(row);
    options.onProgress?.({ phase: 'inserting', done: i + 1, total: rows.length });
  });
  options.onProgress?.({ phase: 'flushing', total: rows.length });
  await dataset.flush();

  const written = new Set(rows.map((row) => row.id));
  let totalRows = 0;
  let verified = 0;
  for await (const record of dataset.fetch()) {
    totalRows++;
    if (written.has(String(record.id))) verified++;
    if (totalRows % 100 === 0) options.onProgress?.({ phase: 'verifying', fetched: totalRows });
  }
  options.onProgress?.({ phase: 'verifying', fetched: totalRows });
  return { project: config.projectName, datasetId: await dataset.id, datasetName: await dataset.name, written: rows.length, totalRows, verified };
}
