// Original file: node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto


export interface ExtensionRequest {
  'containingType'?: (string);
  'extensionNumber'?: (number);
}

export interface ExtensionRequest__Output {
  'containingType': (string);
  'extensionNumber': (number);
}
