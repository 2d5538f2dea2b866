// gRPC server reflection, v1 and v1alpha, answered from the exact descriptor bytes buf built (see
// descriptor-set.ts for why not @grpc/reflection). grpcurl, Postman, Python's reflection client
// and the like resolve every message of our services from it, Struct and map fields included.
import { loadPackageDefinition, type Server, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ServerReflectionRequest__Output } from '../../gen/ts/grpc/reflection/v1/ServerReflectionRequest.js';
import type { ServerReflectionResponse } from '../../gen/ts/grpc/reflection/v1/ServerReflectionResponse.js';
import { requireBearerToken } from './auth.js';
import { DescriptorPool, type DescriptorFile } from './descriptor-set.js';
import { descriptorSetBytes, PROTO_LOADER_OPTIONS, reflectionProtoDir } from './protos.js';

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

interface ReflectionPackages {
  grpc: { reflection: { v1: { ServerReflection: { service: ServiceDefinition } }; v1alpha: { ServerReflection: { service: ServiceDefinition } } } };
}

const reflectionPackages = loadPackageDefinition(
  loadSync(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [reflectionProtoDir],
  }),
) as unknown as ReflectionPackages;

export const REFLECTION_SERVICE_NAMES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

type Answer = Omit<ServerReflectionResponse, 'validHost' | 'originalRequest'>;

/** Answers reflection requests for the services a server actually exposes. */
export class ReflectionResponder {
  private readonly pool = new DescriptorPool(descriptorSetBytes);

  constructor(private readonly exposedServices: string[]) {}

  answer(request: ServerReflectionRequest__Output, alreadySent: Set<string>): Answer {
    switch (request.messageRequest) {
      case 'listServices':
        return { listServicesResponse: { service: this.exposedServices.map((name) => ({ name })) } };
      case 'fileByFilename': {
        const file = this.pool.files.get(request.fileByFilename ?? '');
        return file ? this.files(file, alreadySent) : this.error(NOT_FOUND, `file not found: ${request.fileByFilename}`);
      }
      case 'fileContainingSymbol': {
        const file = this.pool.fileContainingSymbol(request.fileContainingSymbol ?? '');
        return file ? this.files(file, alreadySent) : this.error(NOT_FOUND, `symbol not found: ${request.fileContainingSymbol}`);
      }
      case 'fileContainingExtension': {
        const wanted = request.fileContainingExtension;
        const file = [...this.pool.files.values()].find((f) =>
          f.extensions.some((e) => e.extendee === wanted?.containingType && e.number === wanted?.extensionNumber),
        );
        return file ? this.files(file, alreadySent) : this.error(NOT_FOUND, 'extension not found');
      }
      case 'allExtensionNumbersOfType': {
        const typeName = request.allExtensionNumbersOfType ?? '';
        if (!this.pool.fileContainingSymbol(typeName)) return this.error(NOT_FOUND, `type not found: ${typeName}`);
        const numbers = [...this.pool.files.values()].flatMap((f) =>
          f.extensions.filter((e) => e.extendee === typeName).map((e) => e.number),
        );
        return { allExtensionNumbersResponse: { baseTypeName: typeName, extensionNumber: numbers } };
      }
      default:
        return this.error(INVALID_ARGUMENT, 'unsupported reflection request');
    }
  }

  /** The file and those of its imports not yet sent on this stream (as grpc-go does). */
  private files(file: DescriptorFile, alreadySent: Set<string>): Answer {
    const files = this.pool.withDependencies(file).filter((f, i) => i === 0 || !alreadySent.has(f.name));
    for (const f of files) alreadySent.add(f.name);
    return { fileDescriptorResponse: { fileDescriptorProto: files.map((f) => Buffer.from(f.bytes)) } };
  }

  private error(errorCode: number, errorMessage: string): Answer {
    return { errorResponse: { errorCode, errorMessage } };
  }
}

function serveStream(responder: ReflectionResponder, call: ServerDuplexStream<ServerReflectionRequest__Output, ServerReflectionResponse>): void {
  const sent = new Set<string>();
  call.on('data', (request: ServerReflectionRequest__Output) => {
    call.write({ validHost: request.host, originalRequest: request, ...responder.answer(request, sent) });
  });
  call.on('end', () => call.end());
  call.on('error', () => undefined);
}

/** Adds v1 and v1alpha reflection to `server`, listing `services` plus health and reflection. */
export function addReflection(server: Server, services: string[], authToken?: string): void {
  const responder = new ReflectionResponder([...services, 'grpc.health.v1.Health', ...REFLECTION_SERVICE_NAMES]);
  const handler = { ServerReflectionInfo: (call: ServerDuplexStream<ServerReflectionRequest__Output, ServerReflectionResponse>) => serveStream(responder, call) };
  for (const definition of [reflectionPackages.grpc.reflection.v1.ServerReflection.service, reflectionPackages.grpc.reflection.v1alpha.ServerReflection.service]) {
    server.addService(definition, authToken ? requireBearerToken(definition, handler, authToken) : handler);
  }
}
