// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';

export interface ConversationSummary {
  'conversationId'?: (string);
  'createTime'?: (_google_protobuf_Timestamp | null);
  'updateTime'?: (_google_protobuf_Timestamp | null);
  'turnCount'?: (number);
  'firstUserMessage'?: (string);
}

export interface ConversationSummary__Output {
  'conversationId': (string);
  'createTime': (_google_protobuf_Timestamp__Output | null);
  'updateTime': (_google_protobuf_Timestamp__Output | null);
  'turnCount': (number);
  'firstUserMessage': (string);
}
