// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface ListConversationsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListConversationsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
