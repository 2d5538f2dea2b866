import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration';
import type { Empty as _google_protobuf_Empty, Empty__Output as _google_protobuf_Empty__Output } from './google/protobuf/Empty';
import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { ChatRequest as _tracemesh_conversation_v1_ChatRequest, ChatRequest__Output as _tracemesh_conversation_v1_ChatRequest__Output } from './tracemesh/conversation/v1/ChatRequest';
import type { ChatResponse as _tracemesh_conversation_v1_ChatResponse, ChatResponse__Output as _tracemesh_conversation_v1_ChatResponse__Output } from './tracemesh/conversation/v1/ChatResponse';
import type { Conversation as _tracemesh_conversation_v1_Conversation, Conversation__Output as _tracemesh_conversation_v1_Conversation__Output } from './tracemesh/conversation/v1/Conversation';
import type { ConversationServiceClient as _tracemesh_conversation_v1_ConversationServiceClient, ConversationServiceDefinition as _tracemesh_conversation_v1_ConversationServiceDefinition } from './tracemesh/conversation/v1/ConversationService';
import type { ConversationSummary as _tracemesh_conversation_v1_ConversationSummary, ConversationSummary__Output as _tracemesh_conversation_v1_ConversationSummary__Output } from './tracemesh/conversation/v1/ConversationSummary';
import type { ConverseRequest as _tracemesh_conversation_v1_ConverseRequest, ConverseRequest__Output as _tracemesh_conversation_v1_ConverseRequest__Output } from './tracemesh/conversation/v1/ConverseRequest';
import type { ConverseResponse as _tracemesh_conversation_v1_ConverseResponse, ConverseResponse__Output as _tracemesh_conversation_v1_ConverseResponse__Output } from './tracemesh/conversation/v1/ConverseResponse';
import type { DeleteConversationRequest as _tracemesh_conversation_v1_DeleteConversationRequest, DeleteConversationRequest__Output as _tracemesh_conversation_v1_DeleteConversationRequest__Output } from './tracemesh/conversation/v1/DeleteConversationRequest';
import type { FieldViolation as _tracemesh_conversation_v1_FieldViolation, FieldViolation__Output as _tracemesh_conversation_v1_FieldViolation__Output } from './tracemesh/conversation/v1/FieldViolation';
import type { GetConversationRequest as _tracemesh_conversation_v1_GetConversationRequest, GetConversationRequest__Output as _tracemesh_conversation_v1_GetConversationRequest__Output } from './tracemesh/conversation/v1/GetConversationRequest';
import type { GetConversationResponse as _tracemesh_conversation_v1_GetConversationResponse, GetConversationResponse__Output as _tracemesh_conversation_v1_GetConversationResponse__Output } from './tracemesh/conversation/v1/GetConversationResponse';
import type { ListConversationsRequest as _tracemesh_conversation_v1_ListConversationsRequest, ListConversationsRequest__Output as _tracemesh_conversation_v1_ListConversationsRequest__Output } from './tracemesh/conversation/v1/ListConversationsRequest';
import type { ListConversationsResponse as _tracemesh_conversation_v1_ListConversationsResponse, ListConversationsResponse__Output as _tracemesh_conversation_v1_ListConversationsResponse__Output } from './tracemesh/conversation/v1/ListConversationsResponse';
import type { ListTurnsRequest as _tracemesh_conversation_v1_ListTurnsRequest, ListTurnsRequest__Output as _tracemesh_conversation_v1_ListTurnsRequest__Output } from './tracemesh/conversation/v1/ListTurnsRequest';
import type { ListTurnsResponse as _tracemesh_conversation_v1_ListTurnsResponse, ListTurnsResponse__Output as _tracemesh_conversation_v1_ListTurnsResponse__Output } from './tracemesh/conversation/v1/ListTurnsResponse';
import type { StreamChatRequest as _tracemesh_conversation_v1_StreamChatRequest, StreamChatRequest__Output as _tracemesh_conversation_v1_StreamChatRequest__Output } from './tracemesh/conversation/v1/StreamChatRequest';
import type { StreamChatResponse as _tracemesh_conversation_v1_StreamChatResponse, StreamChatResponse__Output as _tracemesh_conversation_v1_StreamChatResponse__Output } from './tracemesh/conversation/v1/StreamChatResponse';
import type { TextDelta as _tracemesh_conversation_v1_TextDelta, TextDelta__Output as _tracemesh_conversation_v1_TextDelta__Output } from './tracemesh/conversation/v1/TextDelta';
import type { ToolCall as _tracemesh_conversation_v1_ToolCall, ToolCall__Output as _tracemesh_conversation_v1_ToolCall__Output } from './tracemesh/conversation/v1/ToolCall';
import type { ToolCallFinished as _tracemesh_conversation_v1_ToolCallFinished, ToolCallFinished__Output as _tracemesh_conversation_v1_ToolCallFinished__Output } from './tracemesh/conversation/v1/ToolCallFinished';
import type { ToolCallStarted as _tracemesh_conversation_v1_ToolCallStarted, ToolCallStarted__Output as _tracemesh_conversation_v1_ToolCallStarted__Output } from './tracemesh/conversation/v1/ToolCallStarted';
import type { TraceRef as _tracemesh_conversation_v1_TraceRef, TraceRef__Output as _tracemesh_conversation_v1_TraceRef__Output } from './tracemesh/conversation/v1/TraceRef';
import type { Turn as _tracemesh_conversation_v1_Turn, Turn__Output as _tracemesh_conversation_v1_Turn__Output } from './tracemesh/conversation/v1/Turn';
import type { TurnCompleted as _tracemesh_conversation_v1_TurnCompleted, TurnCompleted__Output as _tracemesh_conversation_v1_TurnCompleted__Output } from './tracemesh/conversation/v1/TurnCompleted';
import type { TurnFailed as _tracemesh_conversation_v1_TurnFailed, TurnFailed__Output as _tracemesh_conversation_v1_TurnFailed__Output } from './tracemesh/conversation/v1/TurnFailed';
import type { TurnOptions as _tracemesh_conversation_v1_TurnOptions, TurnOptions__Output as _tracemesh_conversation_v1_TurnOptions__Output } from './tracemesh/conversation/v1/TurnOptions';
import type { TurnResult as _tracemesh_conversation_v1_TurnResult, TurnResult__Output as _tracemesh_conversation_v1_TurnResult__Output } from './tracemesh/conversation/v1/TurnResult';
import type { TurnStarted as _tracemesh_conversation_v1_TurnStarted, TurnStarted__Output as _tracemesh_conversation_v1_TurnStarted__Output } from './tracemesh/conversation/v1/TurnStarted';
import type { Usage as _tracemesh_conversation_v1_Usage, Usage__Output as _tracemesh_conversation_v1_Usage__Output } from './tracemesh/conversation/v1/Usage';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Empty: MessageTypeDefinition<_google_protobuf_Empty, _google_protobuf_Empty__Output>
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
  tracemesh: {
    conversation: {
      v1: {
        ChatRequest: MessageTypeDefinition<_tracemesh_conversation_v1_ChatRequest, _tracemesh_conversation_v1_ChatRequest__Output>
        ChatResponse: MessageTypeDefinition<_tracemesh_conversation_v1_ChatResponse, _tracemesh_conversation_v1_ChatResponse__Output>
        Conversation: MessageTypeDefinition<_tracemesh_conversation_v1_Conversation, _tracemesh_conversation_v1_Conversation__Output>
        ConversationService: SubtypeConstructor<typeof grpc.Client, _tracemesh_conversation_v1_ConversationServiceClient> & { service: _tracemesh_conversation_v1_ConversationServiceDefinition }
        ConversationSummary: MessageTypeDefinition<_tracemesh_conversation_v1_ConversationSummary, _tracemesh_conversation_v1_ConversationSummary__Output>
        ConverseRequest: MessageTypeDefinition<_tracemesh_conversation_v1_ConverseRequest, _tracemesh_conversation_v1_ConverseRequest__Output>
        ConverseResponse: MessageTypeDefinition<_tracemesh_conversation_v1_ConverseResponse, _tracemesh_conversation_v1_ConverseResponse__Output>
        DeleteConversationRequest: MessageTypeDefinition<_tracemesh_conversation_v1_DeleteConversationRequest, _tracemesh_conversation_v1_DeleteConversationRequest__Output>
        FieldViolation: MessageTypeDefinition<_tracemesh_conversation_v1_FieldViolation, _tracemesh_conversation_v1_FieldViolation__Output>
        GetConversationRequest: MessageTypeDefinition<_tracemesh_conversation_v1_GetConversationRequest, _tracemesh_conversation_v1_GetConversationRequest__Output>
        GetConversationResponse: MessageTypeDefinition<_tracemesh_conversation_v1_GetConversationResponse, _tracemesh_conversation_v1_GetConversationResponse__Output>
        ListConversationsRequest: MessageTypeDefinition<_tracemesh_conversation_v1_ListConversationsRequest, _tracemesh_conversation_v1_ListConversationsRequest__Output>
        ListConversationsResponse: MessageTypeDefinition<_tracemesh_conversation_v1_ListConversationsResponse, _tracemesh_conversation_v1_ListConversationsResponse__Output>
        ListTurnsRequest: MessageTypeDefinition<_tracemesh_conversation_v1_ListTurnsRequest, _tracemesh_conversation_v1_ListTurnsRequest__Output>
        ListTurnsResponse: MessageTypeDefinition<_tracemesh_conversation_v1_ListTurnsResponse, _tracemesh_conversation_v1_ListTurnsResponse__Output>
        StopReason: EnumTypeDefinition
        StreamChatRequest: MessageTypeDefinition<_tracemesh_conversation_v1_StreamChatRequest, _tracemesh_conversation_v1_StreamChatRequest__Output>
        StreamChatResponse: MessageTypeDefinition<_tracemesh_conversation_v1_StreamChatResponse, _tracemesh_conversation_v1_StreamChatResponse__Output>
        TextDelta: MessageTypeDefinition<_tracemesh_conversation_v1_TextDelta, _tracemesh_conversation_v1_TextDelta__Output>
        ToolCall: MessageTypeDefinition<_tracemesh_conversation_v1_ToolCall, _tracemesh_conversation_v1_ToolCall__Output>
        ToolCallFinished: MessageTypeDefinition<_tracemesh_conversation_v1_ToolCallFinished, _tracemesh_conversation_v1_ToolCallFinished__Output>
        ToolCallStarted: MessageTypeDefinition<_tracemesh_conversation_v1_ToolCallStarted, _tracemesh_conversation_v1_ToolCallStarted__Output>
        TraceRef: MessageTypeDefinition<_tracemesh_conversation_v1_TraceRef, _tracemesh_conversation_v1_TraceRef__Output>
        Turn: MessageTypeDefinition<_tracemesh_conversation_v1_Turn, _tracemesh_conversation_v1_Turn__Output>
        TurnCompleted: MessageTypeDefinition<_tracemesh_conversation_v1_TurnCompleted, _tracemesh_conversation_v1_TurnCompleted__Output>
        TurnFailed: MessageTypeDefinition<_tracemesh_conversation_v1_TurnFailed, _tracemesh_conversation_v1_TurnFailed__Output>
        TurnOptions: MessageTypeDefinition<_tracemesh_conversation_v1_TurnOptions, _tracemesh_conversation_v1_TurnOptions__Output>
        TurnResult: MessageTypeDefinition<_tracemesh_conversation_v1_TurnResult, _tracemesh_conversation_v1_TurnResult__Output>
        TurnStarted: MessageTypeDefinition<_tracemesh_conversation_v1_TurnStarted, _tracemesh_conversation_v1_TurnStarted__Output>
        Usage: MessageTypeDefinition<_tracemesh_conversation_v1_Usage, _tracemesh_conversation_v1_Usage__Output>
      }
    }
  }
}

