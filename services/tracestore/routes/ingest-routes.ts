// Writes: the SDK's /logs3 rows and OTLP/JSON spans from @braintrust/otel.
import { badRequest } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import { ingestOtlp } from '../otlp/ingest-otlp.js';
import type { StoreContext } from '../store/store-context.js';
import { objectBody } from './request-fields.js';

export function registerIngestRoutes(router: Router, store: StoreContext): void {
  router.post('/logs3', async (request) => {
    const body = objectBody(await request.body());
    if (!Array.isArray(body.rows)) throw badRequest('"rows" must be an array of rows');
    const summary = await store.logRows.write(body.rows);
    store.log.debug({ ...summary }, 'logs3 written');
    return { xact_id: summary.xactId };
  });

  router.post('/otel/v1/traces', async (request) => {
    const header = request.headers['x-bt-parent'];
    const parent = Array.isArray(header) ? header[0] : header;
    const summary = ingestOtlp(await request.body(), parent?.trim() || undefined, store.registry, store.rows);
    store.log.debug({ ...summary }, 'otlp spans written');
    // An ExportTraceServiceResponse with no partialSuccess: everything was accepted.
    return {};
  });
}
