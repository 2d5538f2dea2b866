// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { ConversationSummary as _tracemesh_conversation_v1_ConversationSummary, ConversationSummary__Output as _tracemesh_conversation_v1_ConversationSummary__Output } from '../../../tracemesh/conversation/v1/ConversationSummary';

export interface ListConversationsResponse {
  'conversations'?: (_tracemesh_conversation_v1_ConversationSummary)[];
  'nextPageToken'?: (string);
}

export interface ListConversationsResponse__Output {
  'conversations': (_tracemesh_conversation_v1_ConversationSummary__Output)[];
  'nextPageToken': (string);
}
