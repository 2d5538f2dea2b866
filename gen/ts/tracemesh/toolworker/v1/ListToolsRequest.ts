// Original file: proto/tracemesh/toolworker/v1/toolworker.proto


export interface ListToolsRequest {
}

export interface ListToolsRequest__Output {
}
