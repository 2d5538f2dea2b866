// What every client of a mesh service uses: TLS when configured, the tracing interceptor, and the
// bearer token when TRACEMESH_AUTH_TOKEN is set.
import type { ChannelCredentials, ChannelOptions, Interceptor } from '@grpc/grpc-js';
import { securityConfig, type SecurityConfig } from '../config.js';
import { tracingClientInterceptor, type ClientSpanPolicy } from '../tracing/grpc-client-tracing.js';
import { bearerTokenInterceptor } from './auth.js';
import { channelCredentials } from './transport-security.js';

export interface MeshClientSetup {
  credentials: ChannelCredentials;
  options: ChannelOptions & { interceptors: Interceptor[] };
}

export function meshClientSetup(
  target: string,
  channelOptions: ChannelOptions,
  security: SecurityConfig = securityConfig(),
  clientSpans: ClientSpanPolicy = 'always',
): MeshClientSetup {
  const interceptors = [tracingClientInterceptor(target, clientSpans)];
  if (security.authToken) interceptors.push(bearerTokenInterceptor(security.authToken));
  return { credentials: channelCredentials(security), options: { ...channelOptions, interceptors } };
}
