// POST /btql: SQL, pipe or JSON-AST queries over stored rows. A bad query is a 400 that says where.
import { BtqlError } from '../btql/btql-error.js';
import { badRequest } from '../http/http-error.js';
import { RawJson, type Router } from '../http/router.js';
import type { StoreContext } from '../store/store-context.js';

export function registerBtqlRoutes(router: Router, store: StoreContext): void {
  router.post('/btql', async (request) => {
    const body = await request.body();
    try {
      return new RawJson(await store.btql.run(body));
    } catch (error) {
      if (error instanceof BtqlError) throw badRequest(`invalid query: ${error.message}`);
      throw error;
    }
  });
}
