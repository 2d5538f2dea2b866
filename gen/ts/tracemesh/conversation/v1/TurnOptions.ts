// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface TurnOptions {
  'model'?: (string);
  'maxIterations'?: (number);
  'maxTokens'?: (number);
}

export interface TurnOptions__Output {
  'model': (string);
  'maxIterations': (number);
  'maxTokens': (number);
}
