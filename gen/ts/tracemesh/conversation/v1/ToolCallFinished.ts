// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { ToolCall as _tracemesh_conversation_v1_ToolCall, ToolCall__Output as _tracemesh_conversation_v1_ToolCall__Output } from '../../../tracemesh/conversation/v1/ToolCall';

export interface ToolCallFinished {
  'toolCall'?: (_tracemesh_conversation_v1_ToolCall | null);
}

export interface ToolCallFinished__Output {
  'toolCall': (_tracemesh_conversation_v1_ToolCall__Output | null);
}
