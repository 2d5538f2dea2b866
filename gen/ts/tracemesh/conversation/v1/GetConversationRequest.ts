// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface GetConversationRequest {
  'conversationId'?: (string);
}

export interface GetConversationRequest__Output {
  'conversationId': (string);
}
