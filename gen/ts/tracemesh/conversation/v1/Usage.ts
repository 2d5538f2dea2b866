// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface Usage {
  'inputTokens'?: (number);
  'outputTokens'?: (number);
}

export interface Usage__Output {
  'inputTokens': (number);
  'outputTokens': (number);
}
