// Optional bearer-token authentication (TRACEMESH_AUTH_TOKEN). Servers check the `authorization`
// metadata of every call before the handler runs and answer UNAUTHENTICATED without it; clients
// attach the token with an interceptor (call credentials would need TLS). Health stays open so
// probes work without the secret.
import { timingSafeEqual } from 'node:crypto';
import {
  InterceptingCall,
  RequesterBuilder,
  status as grpcStatus,
  type Interceptor,
  type Metadata,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { grpcError, type GrpcError } from './errors.js';

const DOMAIN = 'auth.tracemesh';

function presentedToken(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1];
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why the call's credentials are not accepted, or undefined when they are. */
export function authenticationFailure(metadata: Metadata, expectedToken: string): GrpcError | undefined {
  const token = presentedToken(metadata);
  if (token === undefined) {
    return grpcError(grpcStatus.UNAUTHENTICATED, 'missing "authorization: Bearer <token>" metadata', {
      errorInfo: { reason: 'TOKEN_MISSING', domain: DOMAIN },
    });
  }
  if (!sameSecret(token, expectedToken)) {
    return grpcError(grpcStatus.UNAUTHENTICATED, 'the bearer token is not valid', { errorInfo: { reason: 'TOKEN_INVALID', domain: DOMAIN } });
  }
  return undefined;
}

interface AuthenticatableCall {
  metadata: Metadata;
  emit(event: 'error', error: GrpcError): boolean;
}

function guard(handler: UntypedHandleCall, responseStream: boolean, token: string): UntypedHandleCall {
  const guarded = (call: AuthenticatableCall, callback?: sendUnaryData<unknown>): void => {
    const failure = authenticationFailure(call.metadata, token);
    if (!failure) {
      (handler as (c: AuthenticatableCall, cb?: sendUnaryData<unknown>) => void)(call, callback);
      return;
    }
    if (responseStream) call.emit('error', failure);
    else callback?.(failure);
  };
  return guarded as unknown as UntypedHandleCall;
}

/** Wraps every handler so that it runs only for calls carrying the expected bearer token. */
export function requireBearerToken<T extends UntypedServiceImplementation>(definition: ServiceDefinition, implementation: T, token: string): T {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (handler) wrapped[name] = guard(handler, method.responseStream, token);
  }
  return wrapped as T;
}

/** Adds the bearer token to every outgoing call. */
export function bearerTokenInterceptor(token: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(
      nextCall(options),
      new RequesterBuilder()
        .withStart((metadata, listener, next) => {
          metadata.set('authorization', `Bearer ${token}`);
          next(metadata, listener);
        })
        .build(),
    );
}
