// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { TurnResult as _tracemesh_conversation_v1_TurnResult, TurnResult__Output as _tracemesh_conversation_v1_TurnResult__Output } from '../../../tracemesh/conversation/v1/TurnResult';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';

export interface Turn {
  'userMessage'?: (string);
  'result'?: (_tracemesh_conversation_v1_TurnResult | null);
  'startTime'?: (_google_protobuf_Timestamp | null);
}

export interface Turn__Output {
  'userMessage': (string);
  'result': (_tracemesh_conversation_v1_TurnResult__Output | null);
  'startTime': (_google_protobuf_Timestamp__Output | null);
}
