// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface FieldViolation {
  'field'?: (string);
  'description'?: (string);
}

export interface FieldViolation__Output {
  'field': (string);
  'description': (string);
}
