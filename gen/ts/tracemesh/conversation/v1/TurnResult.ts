// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { StopReason as _tracemesh_conversation_v1_StopReason, StopReason__Output as _tracemesh_conversation_v1_StopReason__Output } from '../../../tracemesh/conversation/v1/StopReason';
import type { Usage as _tracemesh_conversation_v1_Usage, Usage__Output as _tracemesh_conversation_v1_Usage__Output } from '../../../tracemesh/conversation/v1/Usage';
import type { ToolCall as _tracemesh_conversation_v1_ToolCall, ToolCall__Output as _tracemesh_conversation_v1_ToolCall__Output } from '../../../tracemesh/conversation/v1/ToolCall';
import type { TraceRef as _tracemesh_conversation_v1_TraceRef, TraceRef__Output as _tracemesh_conversation_v1_TraceRef__Output } from '../../../tracemesh/conversation/v1/TraceRef';

export interface TurnResult {
  'conversationId'?: (string);
  'turnIndex'?: (number);
  'text'?: (string);
  'stopReason'?: (_tracemesh_conversation_v1_StopReason);
  'usage'?: (_tracemesh_conversation_v1_Usage | null);
  'toolCalls'?: (_tracemesh_conversation_v1_ToolCall)[];
  'iterations'?: (number);
  'model'?: (string);
  'trace'?: (_tracemesh_conversation_v1_TraceRef | null);
  'durationMs'?: (number | string);
  'replayed'?: (boolean);
}

export interface TurnResult__Output {
  'conversationId': (string);
  'turnIndex': (number);
  'text': (string);
  'stopReason': (_tracemesh_conversation_v1_StopReason__Output);
  'usage': (_tracemesh_conversation_v1_Usage__Output | null);
  'toolCalls': (_tracemesh_conversation_v1_ToolCall__Output)[];
  'iterations': (number);
  'model': (string);
  'trace': (_tracemesh_conversation_v1_TraceRef__Output | null);
  'durationMs': (number);
  'replayed': (boolean);
}
