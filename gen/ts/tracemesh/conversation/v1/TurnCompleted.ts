// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { TurnResult as _tracemesh_conversation_v1_TurnResult, TurnResult__Output as _tracemesh_conversation_v1_TurnResult__Output } from '../../../tracemesh/conversation/v1/TurnResult';

export interface TurnCompleted {
  'result'?: (_tracemesh_conversation_v1_TurnResult | null);
}

export interface TurnCompleted__Output {
  'result': (_tracemesh_conversation_v1_TurnResult__Output | null);
}
