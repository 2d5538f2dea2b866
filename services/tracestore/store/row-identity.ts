// Which stored object a /logs3 row belongs to, read from its object-id fields the way Braintrust
// does: experiment_id → experiment, dataset_id → dataset, project_id + log_id "g" → project logs.
import type { JsonObject } from '../../../lib/json.js';

export interface ObjectRef {
  objectType: string;
  objectId: string;
}

export function objectRefOf(row: JsonObject): ObjectRef | undefined {
  const text = (key: string): string | undefined => {
    const value = row[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const experimentId = text('experiment_id');
  if (experimentId) return { objectType: 'experiment', objectId: experimentId };
  const datasetId = text('dataset_id');
  if (datasetId) return { objectType: 'dataset', objectId: datasetId };
  const promptSessionId = text('prompt_session_id');
  if (promptSessionId) return { objectType: 'prompt_session', objectId: promptSessionId };
  const projectId = text('project_id');
  if (projectId) {
    // log_id "p" holds a project's prompts and functions; "g" (or none) its logs.
    return { objectType: text('log_id') === 'p' ? 'project_prompts' : 'project_logs', objectId: projectId };
  }
  return undefined;
}
