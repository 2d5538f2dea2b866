// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { FieldViolation as _tracemesh_conversation_v1_FieldViolation, FieldViolation__Output as _tracemesh_conversation_v1_FieldViolation__Output } from '../../../tracemesh/conversation/v1/FieldViolation';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../google/protobuf/Duration';

export interface TurnFailed {
  'conversationId'?: (string);
  'code'?: (number);
  'message'?: (string);
  'reason'?: (string);
  'fieldViolations'?: (_tracemesh_conversation_v1_FieldViolation)[];
  'retryDelay'?: (_google_protobuf_Duration | null);
}

export interface TurnFailed__Output {
  'conversationId': (string);
  'code': (number);
  'message': (string);
  'reason': (string);
  'fieldViolations': (_tracemesh_conversation_v1_FieldViolation__Output)[];
  'retryDelay': (_google_protobuf_Duration__Output | null);
}
