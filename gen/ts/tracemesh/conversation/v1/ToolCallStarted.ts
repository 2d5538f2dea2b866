// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';

export interface ToolCallStarted {
  'toolCallId'?: (string);
  'toolName'?: (string);
  'arguments'?: (_google_protobuf_Struct | null);
  'iteration'?: (number);
  'toolService'?: (string);
}

export interface ToolCallStarted__Output {
  'toolCallId': (string);
  'toolName': (string);
  'arguments': (_google_protobuf_Struct__Output | null);
  'iteration': (number);
  'toolService': (string);
}
