// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface DeleteConversationRequest {
  'conversationId'?: (string);
}

export interface DeleteConversationRequest__Output {
  'conversationId': (string);
}
