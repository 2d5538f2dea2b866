// POST /function/invoke, only for what trace.getThread() asks: the default "thread" preprocessor
// over a trace reference. Other functions need Braintrust itself.
import { isJsonObject } from '../../../lib/json.js';
import { badRequest, HttpError } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import type { StoreContext } from '../store/store-context.js';
import { objectBody, requiredString } from './request-fields.js';

const THREAD_PREPROCESSORS = new Set(['project_default', 'thread']);

export function registerFunctionRoutes(router: Router, store: StoreContext): void {
  router.post('/function/invoke', async (request) => {
    const body = objectBody(await request.body());
    const name = body.global_function;
    if (typeof name !== 'string' || !THREAD_PREPROCESSORS.has(name)) {
      throw new HttpError(501, `the local trace store only runs the thread preprocessor (global_function "project_default"), not ${JSON.stringify(name ?? body.function_id ?? null)}`);
    }
    if (body.stream === true) throw badRequest('streaming is not supported: use mode "json"');
    const input = objectBody(isJsonObject(body.input) ? body.input : undefined);
    const ref = objectBody(isJsonObject(input.trace_ref) ? input.trace_ref : undefined);
    return store.threads.thread({
      objectType: requiredString(ref, 'object_type'),
      objectId: requiredString(ref, 'object_id'),
      rootSpanId: requiredString(ref, 'root_span_id'),
    });
  });
}
