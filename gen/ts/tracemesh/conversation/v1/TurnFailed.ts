// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { FieldViolation as _tracemesh_conversation_v1_FieldViolation, FieldViolation__Output as _tracemesh_conversation_v1_FieldViolation__Output } from '../../../tracemesh/conversation/v1/FieldViolation';

export interface TurnFailed {
  'conversationId'?: (string);
  'code'?: (number);
  'message'?: (string);
  'reason'?: (string);
  'fieldViolations'?: (_tracemesh_conversation_v1_FieldViolation)[];
}

export interface TurnFailed__Output {
  'conversationId': (string);
  'code': (number);
  'message': (string);
  'reason': (string);
  'fieldViolations': (_tracemesh_conversation_v1_FieldViolation__Output)[];
}
