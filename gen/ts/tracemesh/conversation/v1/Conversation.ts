// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Turn as _tracemesh_conversation_v1_Turn, Turn__Output as _tracemesh_conversation_v1_Turn__Output } from '../../../tracemesh/conversation/v1/Turn';

export interface Conversation {
  'conversationId'?: (string);
  'createTime'?: (_google_protobuf_Timestamp | null);
  'updateTime'?: (_google_protobuf_Timestamp | null);
  'turns'?: (_tracemesh_conversation_v1_Turn)[];
}

export interface Conversation__Output {
  'conversationId': (string);
  'createTime': (_google_protobuf_Timestamp__Output | null);
  'updateTime': (_google_protobuf_Timestamp__Output | null);
  'turns': (_tracemesh_conversation_v1_Turn__Output)[];
}
