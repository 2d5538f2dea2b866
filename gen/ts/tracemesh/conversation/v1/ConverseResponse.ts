// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { TurnStarted as _tracemesh_conversation_v1_TurnStarted, TurnStarted__Output as _tracemesh_conversation_v1_TurnStarted__Output } from '../../../tracemesh/conversation/v1/TurnStarted';
import type { TextDelta as _tracemesh_conversation_v1_TextDelta, TextDelta__Output as _tracemesh_conversation_v1_TextDelta__Output } from '../../../tracemesh/conversation/v1/TextDelta';
import type { ToolCallStarted as _tracemesh_conversation_v1_ToolCallStarted, ToolCallStarted__Output as _tracemesh_conversation_v1_ToolCallStarted__Output } from '../../../tracemesh/conversation/v1/ToolCallStarted';
import type { ToolCallFinished as _tracemesh_conversation_v1_ToolCallFinished, ToolCallFinished__Output as _tracemesh_conversation_v1_ToolCallFinished__Output } from '../../../tracemesh/conversation/v1/ToolCallFinished';
import type { TurnCompleted as _tracemesh_conversation_v1_TurnCompleted, TurnCompleted__Output as _tracemesh_conversation_v1_TurnCompleted__Output } from '../../../tracemesh/conversation/v1/TurnCompleted';
import type { TurnFailed as _tracemesh_conversation_v1_TurnFailed, TurnFailed__Output as _tracemesh_conversation_v1_TurnFailed__Output } from '../../../tracemesh/conversation/v1/TurnFailed';

export interface ConverseResponse {
  'turnStarted'?: (_tracemesh_conversation_v1_TurnStarted | null);
  'textDelta'?: (_tracemesh_conversation_v1_TextDelta | null);
  'toolCallStarted'?: (_tracemesh_conversation_v1_ToolCallStarted | null);
  'toolCallFinished'?: (_tracemesh_conversation_v1_ToolCallFinished | null);
  'turnCompleted'?: (_tracemesh_conversation_v1_TurnCompleted | null);
  'turnFailed'?: (_tracemesh_conversation_v1_TurnFailed | null);
  'event'?: "turnStarted"|"textDelta"|"toolCallStarted"|"toolCallFinished"|"turnCompleted"|"turnFailed";
}

export interface ConverseResponse__Output {
  'turnStarted'?: (_tracemesh_conversation_v1_TurnStarted__Output | null);
  'textDelta'?: (_tracemesh_conversation_v1_TextDelta__Output | null);
  'toolCallStarted'?: (_tracemesh_conversation_v1_ToolCallStarted__Output | null);
  'toolCallFinished'?: (_tracemesh_conversation_v1_ToolCallFinished__Output | null);
  'turnCompleted'?: (_tracemesh_conversation_v1_TurnCompleted__Output | null);
  'turnFailed'?: (_tracemesh_conversation_v1_TurnFailed__Output | null);
  'event'?: "turnStarted"|"textDelta"|"toolCallStarted"|"toolCallFinished"|"turnCompleted"|"turnFailed";
}
