// How a mesh service's handlers are registered: traced (outermost, so even a rejected call leaves
// a span) and, when TRACEMESH_AUTH_TOKEN is set, authenticated.
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { securityConfig, type SecurityConfig } from '../config.js';
import type { Logger } from '../logging.js';
import { traceServiceHandlers } from '../tracing/grpc-server-tracing.js';
import { requireBearerToken } from './auth.js';

export function meshServiceHandlers<T extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: T,
  log: Logger,
  security: SecurityConfig = securityConfig(),
): T {
  const authenticated = security.authToken ? requireBearerToken(definition, implementation, security.authToken) : implementation;
  return traceServiceHandlers(definition, authenticated, log);
}
