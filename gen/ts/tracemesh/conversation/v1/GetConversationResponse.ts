// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Conversation as _tracemesh_conversation_v1_Conversation, Conversation__Output as _tracemesh_conversation_v1_Conversation__Output } from '../../../tracemesh/conversation/v1/Conversation';

export interface GetConversationResponse {
  'conversation'?: (_tracemesh_conversation_v1_Conversation | null);
}

export interface GetConversationResponse__Output {
  'conversation': (_tracemesh_conversation_v1_Conversation__Output | null);
}
