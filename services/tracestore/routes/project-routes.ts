// Projects: registered by name (idempotent, stable ids) and looked up by id.
import { notFound } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import type { StoreContext } from '../store/store-context.js';
import { objectBody, requiredQuery, requiredString } from './request-fields.js';

export function registerProjectRoutes(router: Router, store: StoreContext): void {
  router.post('/api/project/register', async (request) => {
    const body = objectBody(await request.body());
    const project = store.registry.registerProject(requiredString(body, 'project_name'));
    return { project: { ...project } };
  });

  router.get('/api/project', (request) => {
    const id = requiredQuery(request.url, 'id');
    const project = store.registry.projectWithId(id);
    if (!project) throw notFound(`no project with id ${id}`);
    return { ...project, project: { ...project } };
  });
}
