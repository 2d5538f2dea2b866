// Original file: proto/tracemesh/conversation/v1/conversation.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';

export interface ToolCall {
  'toolCallId'?: (string);
  'toolName'?: (string);
  'arguments'?: (_google_protobuf_Struct | null);
  'result'?: (_google_protobuf_Struct | null);
  'isError'?: (boolean);
  'errorCode'?: (string);
  'errorMessage'?: (string);
  'durationMs'?: (number | string);
  'iteration'?: (number);
  'toolService'?: (string);
}

export interface ToolCall__Output {
  'toolCallId': (string);
  'toolName': (string);
  'arguments': (_google_protobuf_Struct__Output | null);
  'result': (_google_protobuf_Struct__Output | null);
  'isError': (boolean);
  'errorCode': (string);
  'errorMessage': (string);
  'durationMs': (number);
  'iteration': (number);
  'toolService': (string);
}
