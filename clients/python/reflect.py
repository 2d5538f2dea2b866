#!/usr/bin/python3
"""A grpcurl-like client that knows nothing about tracemesh: every message type comes from the
server's reflection service, and requests are built from JSON. It proves that the descriptors the
mesh serves are complete and acceptable to an independent protobuf implementation.

    reflect.py --target HOST:PORT list
    reflect.py --target HOST:PORT describe SYMBOL
    reflect.py --target HOST:PORT call SERVICE/METHOD JSON [-H 'key: value' ...]

Needs Debian's python3-grpcio, python3-protobuf, protobuf-compiler and grpc-proto.
"""
import argparse
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

from reflection_stubs import load_reflection_module


class ReflectionResolver:
    """Resolves symbols to descriptors through ServerReflectionInfo (v1, falling back to v1alpha)."""

    def __init__(self, channel, version):
        self.pb = load_reflection_module(version)
        self.method = f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
        self.stream = channel.stream_stream(
            self.method,
            request_serializer=self.pb.ServerReflectionRequest.SerializeToString,
            response_deserializer=self.pb.ServerReflectionResponse.FromString,
        )
        self.pool = descriptor_pool.DescriptorPool()
        self.added = set()
        self.pending = {}

    def _ask(self, **request):
        responses = list(self.stream(iter([self.pb.ServerReflectionRequest(**request)]), timeout=10))
        if len(responses) != 1:
            raise RuntimeError(f"expected one reflection response, got {len(responses)}")
        response = responses[0]
        if response.HasField("error_response"):
            raise LookupError(f"{response.error_response.error_code}: {response.error_response.error_message}")
        return response

    def list_services(self):
        return [s.name for s in self._ask(list_services="").list_services_response.service]

    def _add_files(self, serialized_files):
        for data in serialized_files:
            proto = descriptor_pb2.FileDescriptorProto.FromString(data)
            self.pending.setdefault(proto.name, proto)
        # Add files once all their dependencies are in the pool (fetching missing ones by name).
        while self.pending:
            progressed = False
            for name, proto in list(self.pending.items()):
                missing = [d for d in proto.dependency if d not in self.added]
                for dependency in missing:
                    if dependency not in self.pending:
                        response = self._ask(file_by_filename=dependency)
                        for data in response.file_descriptor_response.file_descriptor_proto:
                            dep = descriptor_pb2.FileDescriptorProto.FromString(data)
                            self.pending.setdefault(dep.name, dep)
                if all(d in self.added for d in proto.dependency):
                    self.pool.Add(proto)
                    self.added.add(name)
                    del self.pending[name]
                    progressed = True
            if not progressed and self.pending:
                raise RuntimeError(f"unresolvable dependencies among {sorted(self.pending)}")

    def resolve(self, symbol):
        try:
            return self.pool.FindServiceByName(symbol)
        except KeyError:
            pass
        response = self._ask(file_containing_symbol=symbol)
        self._add_files(response.file_descriptor_response.file_descriptor_proto)
        for finder in (self.pool.FindServiceByName, self.pool.FindMessageTypeByName, self.pool.FindEnumTypeByName):
            try:
                return finder(symbol)
            except KeyError:
                continue
        raise LookupError(f"{symbol} not found after loading its file")


def message_class(descriptor):
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def describe(resolver, symbol):
    descriptor = resolver.resolve(symbol)
    out = {"name": descriptor.full_name}
    if hasattr(descriptor, "methods"):
        out["methods"] = [
            {
                "name": m.name,
                "input": m.input_type.full_name,
                "output": m.output_type.full_name,
                "client_streaming": m.client_streaming if hasattr(m, "client_streaming") else None,
                "server_streaming": m.server_streaming if hasattr(m, "server_streaming") else None,
            }
            for m in descriptor.methods
        ]
        # Resolve every message reachable from the service, the way a client must before calling it.
        seen = set()
        stack = [t for m in descriptor.methods for t in (m.input_type, m.output_type)]
        while stack:
            message = stack.pop()
            if message.full_name in seen:
                continue
            seen.add(message.full_name)
            message_class(message)  # builds the class: fails if any field's type is unresolved
            stack.extend(f.message_type for f in message.fields if f.message_type is not None)
        out["messages"] = sorted(seen)
    elif hasattr(descriptor, "fields"):
        out["fields"] = [{"name": f.name, "json_name": f.json_name, "number": f.number} for f in descriptor.fields]
    return out


def call(resolver, channel, method_path, request_json, headers, timeout):
    service_name, method_name = method_path.rsplit("/", 1)
    service = resolver.resolve(service_name)
    method = service.methods_by_name[method_name]
    request_class = message_class(method.input_type)
    response_class = message_class(method.output_type)
    request = json_format.Parse(request_json, request_class())
    path = f"/{service.full_name}/{method.name}"
    serializer = request_class.SerializeToString
    if method.server_streaming and not method.client_streaming:
        rpc = channel.unary_stream(path, request_serializer=serializer, response_deserializer=response_class.FromString)
        for response in rpc(request, metadata=headers, timeout=timeout):
            print(json_format.MessageToJson(response, indent=None), flush=True)
    elif not method.server_streaming and not method.client_streaming:
        rpc = channel.unary_unary(path, request_serializer=serializer, response_deserializer=response_class.FromString)
        print(json_format.MessageToJson(rpc(request, metadata=headers, timeout=timeout), indent=None), flush=True)
    else:
        raise SystemExit(f"{method_path}: client-streaming methods are not supported by this tool")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--reflection", choices=["v1", "v1alpha"], default="v1")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("-H", dest="headers", action="append", default=[], help="metadata 'key: value'")
    parser.add_argument("command", choices=["list", "describe", "call"])
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in options.headers]

    with grpc.insecure_channel(options.target) as channel:
        resolver = ReflectionResolver(channel, options.reflection)
        try:
            if options.command == "list":
                print("\n".join(resolver.list_services()))
            elif options.command == "describe":
                print(json.dumps(describe(resolver, options.args[0]), indent=2))
            else:
                call(resolver, channel, options.args[0], options.args[1], headers, options.timeout)
        except grpc.RpcError as error:
            print(f"ERROR {error.code().name}: {error.details()}", file=sys.stderr)
            sys.exit(2)


if __name__ == "__main__":
    main()
