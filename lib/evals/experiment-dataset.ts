// The dataset an experiment ran on, read from its registration: `dataset_id` (the Braintrust SDK
// sends it when Eval's data is a dataset), else the `metadata.dataset_id` that `tracemesh eval`
// also records. Used by `tracemesh eval` to choose its default baseline and by the trace store to
// choose a new experiment's default base, so both take "the same dataset" to mean the same thing.
import { isJsonObject, type JsonObject } from '../json.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function experimentDatasetId(registration: JsonObject): string | undefined {
  return text(registration.dataset_id) ?? (isJsonObject(registration.metadata) ? text(registration.metadata.dataset_id) : undefined);
}
