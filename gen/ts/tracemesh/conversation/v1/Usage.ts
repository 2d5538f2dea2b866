// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface Usage {
  'inputTokens'?: (number);
  'outputTokens'?: (number);
  'cacheReadInputTokens'?: (number);
  'cacheCreationInputTokens'?: (number);
}

export interface Usage__Output {
  'inputTokens': (number);
  'outputTokens': (number);
  'cacheReadInputTokens': (number);
  'cacheCreationInputTokens': (number);
}
