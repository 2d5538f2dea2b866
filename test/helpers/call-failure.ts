// The gRPC error a call that must fail ends with (the test fails if it succeeds instead).
import assert from 'node:assert/strict';
import type { ServiceError } from '@grpc/grpc-js';

export function failureOf(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(() => assert.fail('the call should fail'), (error: ServiceError) => error);
}
