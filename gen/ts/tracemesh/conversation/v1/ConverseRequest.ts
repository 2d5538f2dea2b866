// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { TurnOptions as _tracemesh_conversation_v1_TurnOptions, TurnOptions__Output as _tracemesh_conversation_v1_TurnOptions__Output } from '../../../tracemesh/conversation/v1/TurnOptions';

export interface ConverseRequest {
  'conversationId'?: (string);
  'message'?: (string);
  'options'?: (_tracemesh_conversation_v1_TurnOptions | null);
  'requestId'?: (string);
}

export interface ConverseRequest__Output {
  'conversationId': (string);
  'message': (string);
  'options': (_tracemesh_conversation_v1_TurnOptions__Output | null);
  'requestId': (string);
}
