// Original file: proto/tracemesh/toolworker/v1/toolworker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExecuteToolRequest as _tracemesh_toolworker_v1_ExecuteToolRequest, ExecuteToolRequest__Output as _tracemesh_toolworker_v1_ExecuteToolRequest__Output } from '../../../tracemesh/toolworker/v1/ExecuteToolRequest';
import type { ExecuteToolResponse as _tracemesh_toolworker_v1_ExecuteToolResponse, ExecuteToolResponse__Output as _tracemesh_toolworker_v1_ExecuteToolResponse__Output } from '../../../tracemesh/toolworker/v1/ExecuteToolResponse';
import type { ListToolsRequest as _tracemesh_toolworker_v1_ListToolsRequest, ListToolsRequest__Output as _tracemesh_toolworker_v1_ListToolsRequest__Output } from '../../../tracemesh/toolworker/v1/ListToolsRequest';
import type { ListToolsResponse as _tracemesh_toolworker_v1_ListToolsResponse, ListToolsResponse__Output as _tracemesh_toolworker_v1_ListToolsResponse__Output } from '../../../tracemesh/toolworker/v1/ListToolsResponse';

export interface ToolWorkerServiceClient extends grpc.Client {
  ExecuteTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  executeTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  executeTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  executeTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  executeTool(argument: _tracemesh_toolworker_v1_ExecuteToolRequest, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ExecuteToolResponse__Output>): grpc.ClientUnaryCall;
  
  ListTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  ListTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  ListTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  ListTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  listTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  listTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  listTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  listTools(argument: _tracemesh_toolworker_v1_ListToolsRequest, callback: grpc.requestCallback<_tracemesh_toolworker_v1_ListToolsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ToolWorkerServiceHandlers extends grpc.UntypedServiceImplementation {
  ExecuteTool: grpc.handleUnaryCall<_tracemesh_toolworker_v1_ExecuteToolRequest__Output, _tracemesh_toolworker_v1_ExecuteToolResponse>;
  
  ListTools: grpc.handleUnaryCall<_tracemesh_toolworker_v1_ListToolsRequest__Output, _tracemesh_toolworker_v1_ListToolsResponse>;
  
}

export interface ToolWorkerServiceDefinition extends grpc.ServiceDefinition {
  ExecuteTool: MethodDefinition<_tracemesh_toolworker_v1_ExecuteToolRequest, _tracemesh_toolworker_v1_ExecuteToolResponse, _tracemesh_toolworker_v1_ExecuteToolRequest__Output, _tracemesh_toolworker_v1_ExecuteToolResponse__Output>
  ListTools: MethodDefinition<_tracemesh_toolworker_v1_ListToolsRequest, _tracemesh_toolworker_v1_ListToolsResponse, _tracemesh_toolworker_v1_ListToolsRequest__Output, _tracemesh_toolworker_v1_ListToolsResponse__Output>
}
