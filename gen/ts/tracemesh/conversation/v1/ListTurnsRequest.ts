// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface ListTurnsRequest {
  'conversationId'?: (string);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListTurnsRequest__Output {
  'conversationId': (string);
  'pageSize': (number);
  'pageToken': (string);
}
