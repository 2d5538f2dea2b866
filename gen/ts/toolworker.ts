import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { ExecuteToolRequest as _tracemesh_toolworker_v1_ExecuteToolRequest, ExecuteToolRequest__Output as _tracemesh_toolworker_v1_ExecuteToolRequest__Output } from './tracemesh/toolworker/v1/ExecuteToolRequest';
import type { ExecuteToolResponse as _tracemesh_toolworker_v1_ExecuteToolResponse, ExecuteToolResponse__Output as _tracemesh_toolworker_v1_ExecuteToolResponse__Output } from './tracemesh/toolworker/v1/ExecuteToolResponse';
import type { ListToolsRequest as _tracemesh_toolworker_v1_ListToolsRequest, ListToolsRequest__Output as _tracemesh_toolworker_v1_ListToolsRequest__Output } from './tracemesh/toolworker/v1/ListToolsRequest';
import type { ListToolsResponse as _tracemesh_toolworker_v1_ListToolsResponse, ListToolsResponse__Output as _tracemesh_toolworker_v1_ListToolsResponse__Output } from './tracemesh/toolworker/v1/ListToolsResponse';
import type { Tool as _tracemesh_toolworker_v1_Tool, Tool__Output as _tracemesh_toolworker_v1_Tool__Output } from './tracemesh/toolworker/v1/Tool';
import type { ToolWorkerServiceClient as _tracemesh_toolworker_v1_ToolWorkerServiceClient, ToolWorkerServiceDefinition as _tracemesh_toolworker_v1_ToolWorkerServiceDefinition } from './tracemesh/toolworker/v1/ToolWorkerService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
  tracemesh: {
    toolworker: {
      v1: {
        ExecuteToolRequest: MessageTypeDefinition<_tracemesh_toolworker_v1_ExecuteToolRequest, _tracemesh_toolworker_v1_ExecuteToolRequest__Output>
        ExecuteToolResponse: MessageTypeDefinition<_tracemesh_toolworker_v1_ExecuteToolResponse, _tracemesh_toolworker_v1_ExecuteToolResponse__Output>
        ListToolsRequest: MessageTypeDefinition<_tracemesh_toolworker_v1_ListToolsRequest, _tracemesh_toolworker_v1_ListToolsRequest__Output>
        ListToolsResponse: MessageTypeDefinition<_tracemesh_toolworker_v1_ListToolsResponse, _tracemesh_toolworker_v1_ListToolsResponse__Output>
        Tool: MessageTypeDefinition<_tracemesh_toolworker_v1_Tool, _tracemesh_toolworker_v1_Tool__Output>
        ToolWorkerService: SubtypeConstructor<typeof grpc.Client, _tracemesh_toolworker_v1_ToolWorkerServiceClient> & { service: _tracemesh_toolworker_v1_ToolWorkerServiceDefinition }
      }
    }
  }
}

