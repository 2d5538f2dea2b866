// TLS for the mesh's gRPC hops when certificates are configured (TRACEMESH_TLS_*): servers serve
// their certificate and, with TRACEMESH_TLS_CLIENT_AUTH=require, demand a client certificate signed
// by the CA (mTLS); clients verify servers against the CA and present their own certificate.
import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import type { SecurityConfig } from '../config.js';

function read(path: string | undefined): Buffer | null {
  return path ? readFileSync(path) : null;
}

export function serverCredentials(security: SecurityConfig): ServerCredentials {
  const tls = security.tls;
  if (!tls?.certFile || !tls.keyFile) {
    if (tls) throw new Error('a TLS server needs TRACEMESH_TLS_CERT and TRACEMESH_TLS_KEY');
    return ServerCredentials.createInsecure();
  }
  return ServerCredentials.createSsl(
    read(tls.caFile),
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    security.requireClientCertificate,
  );
}

export function channelCredentials(security: SecurityConfig): ChannelCredentials {
  const tls = security.tls;
  if (!tls) return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(read(tls.caFile), read(tls.keyFile), read(tls.certFile));
}
