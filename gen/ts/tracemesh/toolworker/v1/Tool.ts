// Original file: proto/tracemesh/toolworker/v1/toolworker.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';

export interface Tool {
  'name'?: (string);
  'description'?: (string);
  'inputSchema'?: (_google_protobuf_Struct | null);
}

export interface Tool__Output {
  'name': (string);
  'description': (string);
  'inputSchema': (_google_protobuf_Struct__Output | null);
}
