// Datasets: register by name within a project (idempotent), look up by id, count records.
import type { JsonObject } from '../../../lib/json.js';
import { badRequest, notFound } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import type { NamedObject, ObjectKind, Registry } from '../store/registry.js';
import type { StoreContext } from '../store/store-context.js';
import { objectBody, projectOfRequest, registrationInfo, requiredQuery, requiredString } from './request-fields.js';

export function registerDatasetRoutes(router: Router, store: StoreContext): void {
  const { registry } = store;

  router.post('/api/dataset/register', async (request) => {
    const body = objectBody(await request.body());
    const project = projectOfRequest(registry, body);
    const name = requiredString(body, 'dataset_name');
    const dataset = registry.atomically(
      () =>
        registry.objectNamed('dataset', project.id, name) ??
        registry.createObject('dataset', project.id, name, registrationInfo(body, ['project_name', 'project_id', 'org_id', 'org_name', 'dataset_name'])),
    );
    return { project: { ...project }, dataset: objectView(dataset) };
  });

  router.post('/api/self/get_object_info', async (request) => {
    const body = objectBody(await request.body());
    const objectType = requiredString(body, 'object_type');
    const ids = body.object_ids;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw badRequest('"object_ids" must be an array of strings');
    return (ids as string[]).flatMap((id) => {
      const info = objectInfo(registry, objectType, id);
      return info ? [info] : [];
    });
  });

  router.get('/dataset-summary', (request) => {
    const datasetId = requiredQuery(request.url, 'dataset_id');
    if (!registry.objectWithId(datasetId, 'dataset')) throw notFound(`no dataset with id ${datasetId}`);
    return { total_records: store.summaries.datasetRecordCount(datasetId) };
  });
}

function objectInfo(registry: Registry, objectType: string, id: string): JsonObject | undefined {
  if (objectType === 'project') {
    const project = registry.projectWithId(id);
    return project ? { object_id: project.id, object_name: project.name, parent_cols: {} } : undefined;
  }
  if (objectType !== 'dataset' && objectType !== 'experiment') {
    throw badRequest(`object_type must be dataset, experiment or project, got "${objectType}"`);
  }
  const object = registry.objectWithId(id, objectType as ObjectKind);
  const project = object && registry.projectWithId(object.project_id);
  if (!object || !project) return undefined;
  return { object_id: object.id, object_name: object.name, parent_cols: { project: { id: project.id, name: project.name } } };
}

/** A dataset or experiment as the API shows it: identity first, then its registration details. */
export function objectView(object: NamedObject): JsonObject {
  return { ...object.info, id: object.id, name: object.name, project_id: object.project_id, created: object.created };
}
