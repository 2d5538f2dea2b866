import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DescriptorPool, mergeDescriptorSets, splitDescriptorSet } from '../../lib/grpc/descriptor-set.js';

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
    assert.deepEqual(names.slice(1).sort(), ['google/protobuf/struct.proto', 'google/protobuf/timestamp.proto']);
  });

  it('keeps the exact bytes of each file and merges without duplicates', () => {
    const files = splitDescriptorSet(set);
    const merged = mergeDescriptorSets([set, set]);
    assert.equal(splitDescriptorSet(merged).length, files.length);
    assert.ok(Buffer.from(merged).equals(Buffer.from(set)));
  });
});
