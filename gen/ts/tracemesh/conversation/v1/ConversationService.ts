// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ChatRequest as _tracemesh_conversation_v1_ChatRequest, ChatRequest__Output as _tracemesh_conversation_v1_ChatRequest__Output } from '../../../tracemesh/conversation/v1/ChatRequest';
import type { ChatResponse as _tracemesh_conversation_v1_ChatResponse, ChatResponse__Output as _tracemesh_conversation_v1_ChatResponse__Output } from '../../../tracemesh/conversation/v1/ChatResponse';
import type { ConverseRequest as _tracemesh_conversation_v1_ConverseRequest, ConverseRequest__Output as _tracemesh_conversation_v1_ConverseRequest__Output } from '../../../tracemesh/conversation/v1/ConverseRequest';
import type { ConverseResponse as _tracemesh_conversation_v1_ConverseResponse, ConverseResponse__Output as _tracemesh_conversation_v1_ConverseResponse__Output } from '../../../tracemesh/conversation/v1/ConverseResponse';
import type { DeleteConversationRequest as _tracemesh_conversation_v1_DeleteConversationRequest, DeleteConversationRequest__Output as _tracemesh_conversation_v1_DeleteConversationRequest__Output } from '../../../tracemesh/conversation/v1/DeleteConversationRequest';
import type { Empty as _google_protobuf_Empty, Empty__Output as _google_protobuf_Empty__Output } from '../../../google/protobuf/Empty';
import type { GetConversationRequest as _tracemesh_conversation_v1_GetConversationRequest, GetConversationRequest__Output as _tracemesh_conversation_v1_GetConversationRequest__Output } from '../../../tracemesh/conversation/v1/GetConversationRequest';
import type { GetConversationResponse as _tracemesh_conversation_v1_GetConversationResponse, GetConversationResponse__Output as _tracemesh_conversation_v1_GetConversationResponse__Output } from '../../../tracemesh/conversation/v1/GetConversationResponse';
import type { ListConversationsRequest as _tracemesh_conversation_v1_ListConversationsRequest, ListConversationsRequest__Output as _tracemesh_conversation_v1_ListConversationsRequest__Output } from '../../../tracemesh/conversation/v1/ListConversationsRequest';
import type { ListConversationsResponse as _tracemesh_conversation_v1_ListConversationsResponse, ListConversationsResponse__Output as _tracemesh_conversation_v1_ListConversationsResponse__Output } from '../../../tracemesh/conversation/v1/ListConversationsResponse';
import type { ListTurnsRequest as _tracemesh_conversation_v1_ListTurnsRequest, ListTurnsRequest__Output as _tracemesh_conversation_v1_ListTurnsRequest__Output } from '../../../tracemesh/conversation/v1/ListTurnsRequest';
import type { ListTurnsResponse as _tracemesh_conversation_v1_ListTurnsResponse, ListTurnsResponse__Output as _tracemesh_conversation_v1_ListTurnsResponse__Output } from '../../../tracemesh/conversation/v1/ListTurnsResponse';
import type { StreamChatRequest as _tracemesh_conversation_v1_StreamChatRequest, StreamChatRequest__Output as _tracemesh_conversation_v1_StreamChatRequest__Output } from '../../../tracemesh/conversation/v1/StreamChatRequest';
import type { StreamChatResponse as _tracemesh_conversation_v1_StreamChatResponse, StreamChatResponse__Output as _tracemesh_conversation_v1_StreamChatResponse__Output } from '../../../tracemesh/conversation/v1/StreamChatResponse';

export interface ConversationServiceClient extends grpc.Client {
  Chat(argument: _tracemesh_conversation_v1_ChatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _tracemesh_conversation_v1_ChatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _tracemesh_conversation_v1_ChatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _tracemesh_conversation_v1_ChatRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _tracemesh_conversation_v1_ChatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _tracemesh_conversation_v1_ChatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _tracemesh_conversation_v1_ChatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _tracemesh_conversation_v1_ChatRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  
  Converse(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseResponse__Output>;
  Converse(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseResponse__Output>;
  converse(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseResponse__Output>;
  converse(options?: grpc.CallOptions): grpc.ClientDuplexStream<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseResponse__Output>;
  
  DeleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  DeleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  DeleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  DeleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  deleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  deleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  deleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  deleteConversation(argument: _tracemesh_conversation_v1_DeleteConversationRequest, callback: grpc.requestCallback<_google_protobuf_Empty__Output>): grpc.ClientUnaryCall;
  
  GetConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  GetConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  GetConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  GetConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  getConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  getConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  getConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  getConversation(argument: _tracemesh_conversation_v1_GetConversationRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_GetConversationResponse__Output>): grpc.ClientUnaryCall;
  
  ListConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  ListConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  ListConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  ListConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  listConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  listConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  listConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  listConversations(argument: _tracemesh_conversation_v1_ListConversationsRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListConversationsResponse__Output>): grpc.ClientUnaryCall;
  
  ListTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  ListTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  ListTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  ListTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  listTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  listTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  listTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  listTurns(argument: _tracemesh_conversation_v1_ListTurnsRequest, callback: grpc.requestCallback<_tracemesh_conversation_v1_ListTurnsResponse__Output>): grpc.ClientUnaryCall;
  
  StreamChat(argument: _tracemesh_conversation_v1_StreamChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tracemesh_conversation_v1_StreamChatResponse__Output>;
  StreamChat(argument: _tracemesh_conversation_v1_StreamChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tracemesh_conversation_v1_StreamChatResponse__Output>;
  streamChat(argument: _tracemesh_conversation_v1_StreamChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tracemesh_conversation_v1_StreamChatResponse__Output>;
  streamChat(argument: _tracemesh_conversation_v1_StreamChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tracemesh_conversation_v1_StreamChatResponse__Output>;
  
}

export interface ConversationServiceHandlers extends grpc.UntypedServiceImplementation {
  Chat: grpc.handleUnaryCall<_tracemesh_conversation_v1_ChatRequest__Output, _tracemesh_conversation_v1_ChatResponse>;
  
  Converse: grpc.handleBidiStreamingCall<_tracemesh_conversation_v1_ConverseRequest__Output, _tracemesh_conversation_v1_ConverseResponse>;
  
  DeleteConversation: grpc.handleUnaryCall<_tracemesh_conversation_v1_DeleteConversationRequest__Output, _google_protobuf_Empty>;
  
  GetConversation: grpc.handleUnaryCall<_tracemesh_conversation_v1_GetConversationRequest__Output, _tracemesh_conversation_v1_GetConversationResponse>;
  
  ListConversations: grpc.handleUnaryCall<_tracemesh_conversation_v1_ListConversationsRequest__Output, _tracemesh_conversation_v1_ListConversationsResponse>;
  
  ListTurns: grpc.handleUnaryCall<_tracemesh_conversation_v1_ListTurnsRequest__Output, _tracemesh_conversation_v1_ListTurnsResponse>;
  
  StreamChat: grpc.handleServerStreamingCall<_tracemesh_conversation_v1_StreamChatRequest__Output, _tracemesh_conversation_v1_StreamChatResponse>;
  
}

export interface ConversationServiceDefinition extends grpc.ServiceDefinition {
  Chat: MethodDefinition<_tracemesh_conversation_v1_ChatRequest, _tracemesh_conversation_v1_ChatResponse, _tracemesh_conversation_v1_ChatRequest__Output, _tracemesh_conversation_v1_ChatResponse__Output>
  Converse: MethodDefinition<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseResponse, _tracemesh_conversation_v1_ConverseRequest__Output, _tracemesh_conversation_v1_ConverseResponse__Output>
  DeleteConversation: MethodDefinition<_tracemesh_conversation_v1_DeleteConversationRequest, _google_protobuf_Empty, _tracemesh_conversation_v1_DeleteConversationRequest__Output, _google_protobuf_Empty__Output>
  GetConversation: MethodDefinition<_tracemesh_conversation_v1_GetConversationRequest, _tracemesh_conversation_v1_GetConversationResponse, _tracemesh_conversation_v1_GetConversationRequest__Output, _tracemesh_conversation_v1_GetConversationResponse__Output>
  ListConversations: MethodDefinition<_tracemesh_conversation_v1_ListConversationsRequest, _tracemesh_conversation_v1_ListConversationsResponse, _tracemesh_conversation_v1_ListConversationsRequest__Output, _tracemesh_conversation_v1_ListConversationsResponse__Output>
  ListTurns: MethodDefinition<_tracemesh_conversation_v1_ListTurnsRequest, _tracemesh_conversation_v1_ListTurnsResponse, _tracemesh_conversation_v1_ListTurnsRequest__Output, _tracemesh_conversation_v1_ListTurnsResponse__Output>
  StreamChat: MethodDefinition<_tracemesh_conversation_v1_StreamChatRequest, _tracemesh_conversation_v1_StreamChatResponse, _tracemesh_conversation_v1_StreamChatRequest__Output, _tracemesh_conversation_v1_StreamChatResponse__Output>
}
