// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Turn as _tracemesh_conversation_v1_Turn, Turn__Output as _tracemesh_conversation_v1_Turn__Output } from '../../../tracemesh/conversation/v1/Turn';

export interface ListTurnsResponse {
  'turns'?: (_tracemesh_conversation_v1_Turn)[];
  'nextPageToken'?: (string);
}

export interface ListTurnsResponse__Output {
  'turns': (_tracemesh_conversation_v1_Turn__Output)[];
  'nextPageToken': (string);
}
