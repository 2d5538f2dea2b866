// The service definitions, loaded from proto/ and typed by the code generated from it (gen/ts).
// Reflection serves gen/descriptors.binpb, built by buf from the same files (`npm run gen:check`
// keeps the two in step). Loading from the descriptor set instead would keep snake_case field
// names, which the generated camelCase types do not describe.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import type { ProtoGrpcType as ConversationProto } from '../../gen/ts/conversation.js';
import type { ProtoGrpcType as ToolworkerProto } from '../../gen/ts/toolworker.js';

/** Must match the flags scripts/generate-protos.ts gives proto-loader-gen-types. */
export const PROTO_LOADER_OPTIONS: Options = { longs: String, enums: String, defaults: true, oneofs: true };

const protoDir = fileURLToPath(new URL('../../proto', import.meta.url));
export const reflectionProtoDir = fileURLToPath(new URL('../../node_modules/@grpc/reflection/build/proto', import.meta.url));

export const descriptorSetBytes: Buffer = readFileSync(new URL('../../gen/descriptors.binpb', import.meta.url));

const loaded = loadPackageDefinition(
  loadSync(['tracemesh/conversation/v1/conversation.proto', 'tracemesh/toolworker/v1/toolworker.proto'], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [protoDir],
  }),
) as unknown as ConversationProto & ToolworkerProto;

export const ConversationServiceClient = loaded.tracemesh.conversation.v1.ConversationService;
export const conversationServiceDefinition = ConversationServiceClient.service;
export const CONVERSATION_SERVICE_NAME = 'tracemesh.conversation.v1.ConversationService';

export const ToolWorkerServiceClient = loaded.tracemesh.toolworker.v1.ToolWorkerService;
export const toolWorkerServiceDefinition = ToolWorkerServiceClient.service;
export const TOOLWORKER_SERVICE_NAME = 'tracemesh.toolworker.v1.ToolWorkerService';
