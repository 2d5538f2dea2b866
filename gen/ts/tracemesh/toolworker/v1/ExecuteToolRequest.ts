// Original file: proto/tracemesh/toolworker/v1/toolworker.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';

export interface ExecuteToolRequest {
  'toolName'?: (string);
  'arguments'?: (_google_protobuf_Struct | null);
  'toolCallId'?: (string);
}

export interface ExecuteToolRequest__Output {
  'toolName': (string);
  'arguments': (_google_protobuf_Struct__Output | null);
  'toolCallId': (string);
}
