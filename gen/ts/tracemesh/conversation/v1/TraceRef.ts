// Original file: proto/tracemesh/conversation/v1/conversation.proto


export interface TraceRef {
  'rootSpanId'?: (string);
  'spanId'?: (string);
}

export interface TraceRef__Output {
  'rootSpanId': (string);
  'spanId': (string);
}
