import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { status as grpcStatus } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor/index.js';
import { DescriptorPool, describeFile, mergeDescriptorSets, splitDescriptorSet } from '../../lib/grpc/descriptor-set.js';
import { grpcError } from '../../lib/grpc/errors.js';
import { ReflectionResponder } from '../../lib/grpc/reflection-service.js';

const set = readFileSync(new URL('../../gen/descriptors.binpb', import.meta.url));

describe('descriptor set', () => {
  it('indexes every service, method and message of the built set', () => {
    const pool = new DescriptorPool(set);
    assert.deepEqual(pool.services().sort(), [
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'tracemesh.conversation.v1.ConversationService',
      'tracemesh.toolworker.v1.ToolWorkerService',
    ]);
    const file = pool.fileContainingSymbol('tracemesh.conversation.v1.ConversationService.StreamChat');
    assert.equal(file?.name, 'tracemesh/conversation/v1/conversation.proto');
    assert.equal(pool.fileContainingSymbol('.google.protobuf.Struct')?.name, 'google/protobuf/struct.proto');
    // Nested map entry types resolve to their file too.
    assert.equal(pool.fileContainingSymbol('tracemesh.toolworker.v1.ExecuteToolResponse.ScoresEntry')?.name, 'tracemesh/toolworker/v1/toolworker.proto');
  });

  it('returns a file with its transitive imports, itself first', () => {
    const pool = new DescriptorPool(set);
    const file = pool.fileContainingSymbol('tracemesh.conversation.v1.TurnResult');
    assert.ok(file);
    const names = pool.withDependencies(file).map((f) => f.name);
    assert.equal(names[0], 'tracemesh/conversation/v1/conversation.proto');
    assert.deepEqual(names.slice(1).sort(), ['google/protobuf/duration.proto', 'google/protobuf/empty.proto', 'google/protobuf/struct.proto', 'google/protobuf/timestamp.proto']);
  });

  it('has google.rpc Status and error details, so reflection clients decode error statuses', () => {
    const pool = new DescriptorPool(set);
    for (const symbol of ['google.rpc.Status', 'google.rpc.BadRequest', 'google.rpc.BadRequest.FieldViolation', 'google.rpc.ErrorInfo', 'google.rpc.ResourceInfo']) {
      assert.ok(pool.fileContainingSymbol(symbol), `${symbol} is in the descriptor set`);
    }
    // Served by file-containing-symbol, with the well-known types they import.
    const responder = new ReflectionResponder([]);
    const files = (symbol: string): string[] => {
      const answer = responder.answer({ messageRequest: 'fileContainingSymbol', fileContainingSymbol: symbol } as never, new Set());
      return (answer.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => describeFile(Buffer.from(bytes)).name);
    };
    assert.deepEqual(files('google.rpc.BadRequest'), ['google/rpc/error_details.proto', 'google/protobuf/duration.proto']);
    assert.deepEqual(files('google.rpc.Status'), ['google/rpc/status.proto', 'google/protobuf/any.proto']);
  });

  it('describes every detail the services pack into grpc-status-details-bin', () => {
    // Decode an error's trailer with nothing but the served descriptors, as grpcurl does (field
    // names stay snake_case, as in the .proto).
    const root = (protobuf.Root as unknown as { fromDescriptor(set: Uint8Array): protobuf.Root }).fromDescriptor(set);
    const error = grpcError(grpcStatus.INVALID_ARGUMENT, 'weight: must be positive', {
      fieldViolations: [{ field: 'arguments.weight', description: 'must be positive' }],
      errorInfo: { reason: 'INVALID_TOOL_ARGUMENTS', domain: 'toolworker.tracemesh', metadata: { tool: 'calculate_clinical_metrics' } },
      resourceInfo: { resourceType: 'tool', resourceName: 'calculate_clinical_metrics', description: 'x' },
    });
    const raw = error.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = root.lookupType('google.rpc.Status').decode(raw) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
    const decoded = status.details.map((any) => {
      const type = root.lookupType(any.type_url.replace('type.googleapis.com/', ''));
      return [type.fullName, type.toObject(type.decode(any.value))] as const;
    });
    assert.deepEqual(decoded.map(([name]) => name), ['.google.rpc.BadRequest', '.google.rpc.ErrorInfo', '.google.rpc.ResourceInfo']);
    assert.deepEqual(decoded[0][1], { field_violations: [{ field: 'arguments.weight', description: 'must be positive' }] });
    assert.equal((decoded[1][1] as { reason: string }).reason, 'INVALID_TOOL_ARGUMENTS');
  });

  it('keeps the exact bytes of each file and merges without duplicates', () => {
    const files = splitDescriptorSet(set);
    const merged = mergeDescriptorSets([set, set]);
    assert.equal(splitDescriptorSet(merged).length, files.length);
    assert.ok(Buffer.from(merged).equals(Buffer.from(set)));
  });
});
