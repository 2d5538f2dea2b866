// Experiments: registration (unique names, base experiment resolution: an explicit base, else the
// latest earlier experiment on the same dataset), lookups and the score/metric comparison Eval
// prints at the end.
import { experimentDatasetId } from '../../../lib/evals/experiment-dataset.js';
import type { JsonObject } from '../../../lib/json.js';
import { badRequest, notFound } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import type { NamedObject, Registry } from '../store/registry.js';
import type { StoreContext } from '../store/store-context.js';
import { objectView } from './dataset-routes.js';
import { objectBody, optionalString, projectOfRequest, registrationInfo, requiredQuery, requiredString } from './request-fields.js';

const NOT_STORED = ['project_name', 'project_id', 'org_id', 'org_name', 'experiment_name', 'update', 'base_experiment', 'ancestor_commits'];

export function registerExperimentRoutes(router: Router, store: StoreContext): void {
  const { registry } = store;

  router.post('/api/experiment/register', async (request) => {
    const body = objectBody(await request.body());
    const project = projectOfRequest(registry, body);
    const requestedName = optionalString(body, 'experiment_name');
    const experiment = registry.atomically(() => {
      if (requestedName && body.update === true) {
        const existing = registry.objectNamed('experiment', project.id, requestedName);
        if (existing) return existing;
      }
      const previous = registry.objectsOf('experiment', project.id);
      const info = registrationInfo(body, NOT_STORED);
      const base = baseExperimentOf(registry, project.id, body, previous);
      if (base) info.base_exp_id = base.id;
      else delete info.base_exp_id;
      const name = uniqueName(requestedName ?? `experiment-${previous.length + 1}`, (n) => registry.objectNamed('experiment', project.id, n) !== undefined);
      return registry.createObject('experiment', project.id, name, info);
    });
    return { project: { ...project }, experiment: objectView(experiment) };
  });

  router.post('/api/experiment/get', async (request) => {
    const body = objectBody(await request.body());
    const name = requiredString(body, 'experiment_name');
    const projectId = optionalString(body, 'project_id');
    const projectName = optionalString(body, 'project_name');
    const project = projectId ? registry.projectWithId(projectId) : projectName ? registry.projectNamed(projectName) : undefined;
    if (!projectId && !projectName) throw badRequest('"project_name" or "project_id" is required');
    const experiment = project && registry.objectNamed('experiment', project.id, name);
    return experiment ? [objectView(experiment)] : [];
  });

  // HTTP 400 when there is no base: the SDK reads exactly that as "nothing to compare with".
  router.post('/api/base_experiment/get_id', async (request) => {
    const body = objectBody(await request.body());
    const id = requiredString(body, 'id');
    const experiment = registry.objectWithId(id, 'experiment');
    const base = experiment && storedBaseExperiment(registry, experiment);
    if (!base) throw badRequest(`experiment ${id} has no base experiment`);
    return { base_exp_id: base.id, base_exp_name: base.name };
  });

  router.get('/v1/experiment/:id', (request) => {
    const experiment = registry.objectWithId(request.params.id!, 'experiment');
    if (!experiment) throw notFound(`no experiment with id ${request.params.id}`);
    return objectView(experiment);
  });

  router.get('/experiment-comparison2', (request) => {
    const experimentId = requiredQuery(request.url, 'experiment_id');
    if (!registry.objectWithId(experimentId, 'experiment')) throw notFound(`no experiment with id ${experimentId}`);
    const baseId = request.url.searchParams.get('base_experiment_id') || undefined;
    const summary = store.summaries.compareExperiments(experimentId, baseId);
    return { scores: { ...summary.scores }, metrics: { ...summary.metrics } };
  });
}

/** The base an experiment was registered with (info.base_exp_id), if it still exists. Also the viewer's. */
export function storedBaseExperiment(registry: Registry, experiment: NamedObject): NamedObject | undefined {
  const baseId = experiment.info.base_exp_id;
  return typeof baseId === 'string' ? registry.objectWithId(baseId, 'experiment') : undefined;
}

// An explicit base (by id or name) must exist. Without one, the default: for an experiment on a
// dataset, the latest earlier experiment on that same dataset (none if there is none); for one on
// no dataset, the project's latest earlier experiment, as before.
// Why: Braintrust documents its own default (the SDK's `baseExperiment` option) as "the closest
// ancestor on the default (e.g. main) branch" — by git history, which the store does not keep
// (it drops `ancestor_commits`) — and its comparison docs say experiments "on the same dataset"
// are compared. So the store keeps to the dataset, exactly as `tracemesh eval` chooses its default
// baseline (clients/node/evals/baseline.ts, the same experimentDatasetId): a base on another
// dataset shares no case, and the viewer would compare the run with an unrelated one.
function baseExperimentOf(registry: Registry, projectId: string, body: JsonObject, previous: NamedObject[]): NamedObject | undefined {
  const { base_exp_id: baseId, base_experiment: baseName } = body;
  if (typeof baseId === 'string' && baseId !== '') {
    const base = registry.objectWithId(baseId, 'experiment');
    if (!base) throw badRequest(`base experiment ${baseId} not found`);
    return base;
  }
  if (typeof baseName === 'string' && baseName !== '') {
    const base = registry.objectNamed('experiment', projectId, baseName);
    if (!base) throw badRequest(`base experiment "${baseName}" not found`);
    return base;
  }
  const datasetId = experimentDatasetId(body);
  const candidates = datasetId === undefined ? previous : previous.filter((experiment) => experimentDatasetId(experiment.info) === datasetId);
  return candidates[candidates.length - 1];
}

function uniqueName(name: string, taken: (name: string) => boolean): string {
  if (!taken(name)) return name;
  for (let n = 1; ; n++) {
    const candidate = `${name}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}
