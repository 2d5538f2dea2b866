// Original file: proto/tracemesh/toolworker/v1/toolworker.proto

import type { Tool as _tracemesh_toolworker_v1_Tool, Tool__Output as _tracemesh_toolworker_v1_Tool__Output } from '../../../tracemesh/toolworker/v1/Tool';

export interface ListToolsResponse {
  'tools'?: (_tracemesh_toolworker_v1_Tool)[];
}

export interface ListToolsResponse__Output {
  'tools': (_tracemesh_toolworker_v1_Tool__Output)[];
}
