// Which experiment a run is compared with, when `--baseline` names none: the most recent earlier
// experiment on the same dataset (the local trace store's default base follows the same rule,
// services/tracestore/routes/experiment-routes.ts; Braintrust's follows git history instead). A
// base on another dataset compares unrelated cases: no case matches, so nothing is compared. An
// experiment's dataset is its registration's dataset_id (the SDK sends it when Eval's data is a
// dataset); `tracemesh eval` also records it in the experiment metadata.
import type { TracingConfig } from '../../../lib/config.js';
import { experimentDatasetId } from '../../../lib/evals/experiment-dataset.js';
import { isJsonObject } from '../../../lib/json.js';
import { BraintrustApi } from '../braintrust-api.js';

export interface ExperimentRef {
  id: string;
  name: string;
  /** The dataset the experiment ran on, when known. */
  datasetId: string | undefined;
}

/** The experiments of `experiments` (newest first) that ran on `datasetId`, newest first. */
export function onDataset(experiments: readonly ExperimentRef[], datasetId: string): ExperimentRef[] {
  return experiments.filter((experiment) => experiment.datasetId === datasetId);
}

// A bound on the search: a dataset evaluated that long ago is not a useful baseline anyway.
const MAX_EXPERIMENTS_SEARCHED = 200;
const PAGE = 20;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export class ExperimentDirectory {
  private readonly api: BraintrustApi;

  constructor(private readonly config: TracingConfig) {
    this.api = new BraintrustApi(config);
  }

  /** Up to `count` of the project's most recent experiments on `datasetId`, newest first. */
  async onDataset(datasetId: string, count: number): Promise<ExperimentRef[]> {
    const projectId = await this.api.projectId();
    const experiments = this.config.backend === 'braintrust' ? await this.braintrustExperiments(projectId) : await this.localExperiments(projectId, datasetId, count);
    return onDataset(experiments, datasetId).slice(0, count);
  }

  /** One experiment by name, with its dataset (from its registration). */
  async named(name: string): Promise<ExperimentRef | undefined> {
    const answer = await this.api.post(`${this.config.appUrl}/api/experiment/get`, { project_id: await this.api.projectId(), experiment_name: name });
    const found = Array.isArray(answer) ? answer.find(isJsonObject) : undefined;
    const id = text(found?.id);
    return found && id ? { id, name: text(found.name) ?? name, datasetId: experimentDatasetId(found) } : undefined;
  }

  // Braintrust's REST list carries each experiment's registration (dataset_id, metadata, created).
  private async braintrustExperiments(projectId: string): Promise<ExperimentRef[]> {
    const answer = await this.getJson(`${await this.api.apiUrl()}/v1/experiment?project_id=${encodeURIComponent(projectId)}&limit=${MAX_EXPERIMENTS_SEARCHED}`);
    const objects = isJsonObject(answer) && Array.isArray(answer.objects) ? answer.objects.filter(isJsonObject) : [];
    return objects
      .sort((a, b) => String(b.created ?? '').localeCompare(String(a.created ?? '')))
      .flatMap((object) => {
        const id = text(object.id);
        const name = text(object.name);
        return id && name ? [{ id, name, datasetId: experimentDatasetId(object) }] : [];
      });
  }

  // The local store lists experiments newest first (its viewer API) with their metadata; an
  // experiment whose metadata lacks the dataset id (logged before it was recorded there) is read
  // back by name for its registration's dataset_id. Stops after `count` matches.
  private async localExperiments(projectId: string, datasetId: string, count: number): Promise<ExperimentRef[]> {
    const found: ExperimentRef[] = [];
    let matches = 0;
    let cursor: string | undefined;
    while (found.length < MAX_EXPERIMENTS_SEARCHED) {
      const query = `project=${encodeURIComponent(projectId)}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer = await this.getJson(`${this.config.appUrl.replace(/\/+$/, '')}/ui/api/experiments?${query}`);
      const listed = isJsonObject(answer) && Array.isArray(answer.experiments) ? answer.experiments.filter(isJsonObject) : [];
      for (const object of listed) {
        const id = text(object.id);
        const name = text(object.name);
        if (!id || !name) continue;
        const experiment = { id, name, datasetId: experimentDatasetId(object) ?? (await this.named(name))?.datasetId };
        found.push(experiment);
        if (experiment.datasetId === datasetId && ++matches >= count) return found;
      }
      cursor = isJsonObject(answer) ? text(answer.next_cursor) : undefined;
      if (!cursor) break;
    }
    return found;
  }

  private async getJson(url: string): Promise<unknown> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.config.apiKey}` }, signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as unknown;
  }
}
