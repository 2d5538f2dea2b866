// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface TextDelta {
  'text'?: (string);
  'iteration'?: (number);
}

export interface TextDelta__Output {
  'text': (string);
  'iteration': (number);
}
