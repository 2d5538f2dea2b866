// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { TraceRef as _tracemesh_conversation_v1_TraceRef, TraceRef__Output as _tracemesh_conversation_v1_TraceRef__Output } from '../../../tracemesh/conversation/v1/TraceRef';

export interface TurnStarted {
  'conversationId'?: (string);
  'turnIndex'?: (number);
  'trace'?: (_tracemesh_conversation_v1_TraceRef | null);
  'replayed'?: (boolean);
}

export interface TurnStarted__Output {
  'conversationId': (string);
  'turnIndex': (number);
  'trace': (_tracemesh_conversation_v1_TraceRef__Output | null);
  'replayed': (boolean);
}
