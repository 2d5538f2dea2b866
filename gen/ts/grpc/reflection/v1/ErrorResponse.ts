// Original file: node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto


export interface ErrorResponse {
  'errorCode'?: (number);
  'errorMessage'?: (string);
}

export interface ErrorResponse__Output {
  'errorCode': (number);
  'errorMessage': (string);
}
