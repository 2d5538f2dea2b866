// Original file: proto/tracemesh/toolworker/v1/toolworker.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';

export interface ExecuteToolResponse {
  'toolName'?: (string);
  'toolCallId'?: (string);
  'result'?: (_google_protobuf_Struct | null);
  'scores'?: ({[key: string]: number | string});
  'durationMs'?: (number | string);
}

export interface ExecuteToolResponse__Output {
  'toolName': (string);
  'toolCallId': (string);
  'result': (_google_protobuf_Struct__Output | null);
  'scores': ({[key: string]: number});
  'durationMs': (number);
}
