// Login and server info. The login answer points the SDK's API calls back at this same server.
import type { Router } from '../http/router.js';
import { ORG_NAME } from '../store/registry.js';
import type { StoreContext } from '../store/store-context.js';

export const SERVER_NAME = 'tracemesh-tracestore';

export function registerLoginRoutes(router: Router, store: StoreContext): void {
  router.post('/api/apikey/login', (request) => ({
    org_info: [{ id: store.registry.orgId, name: ORG_NAME, api_url: request.baseUrl, git_metadata: null }],
  }));

  // No logs3_payload_max_bytes: advertising one would make the SDK use the overflow upload path.
  router.get('/version', () => ({ server: SERVER_NAME }));

  // The newest transaction id, as bare digits (the SDK reads it as text).
  router.get('/xact-id', () => Number(store.sequences.currentXactId()));
}
