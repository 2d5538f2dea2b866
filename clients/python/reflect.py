#!/usr/bin/python3
"""A grpcurl-like client that knows nothing about tracemesh: every message type comes from the
server's reflection service, and requests are built from JSON. It proves that the descriptors the
mesh serves are complete and acceptable to an independent protobuf implementation.

    reflect.py --target HOST:PORT list
    reflect.py --target HOST:PORT describe SYMBOL
    reflect.py --target HOST:PORT call SERVICE/METHOD [JSON]

-H 'key: value' (repeatable) adds metadata to every RPC, the reflection lookups
included: with TRACEMESH_AUTH_TOKEN set on the server, pass -H 'authorization: Bearer <token>'.
Mistakes in the command or the request JSON are reported on one line, exit status 2; a gRPC error
from the server as ERROR <CODE>: <message>, exit status 2.

Needs Debian's python3-grpcio, python3-protobuf, protobuf-compiler and grpc-proto.
"""
import argparse
import json
import re
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

from reflection_stubs import load_reflection_module


class UsageError(Exception):
    """A mistake in the command line or the request: reported in one line, not as a traceback."""


class ReflectionRpcError(Exception):
    """A gRPC error from the reflection service, kept apart from the called method's errors."""

    def __init__(self, error):
        super().__init__(error.details())
        self.error = error


class ReflectionResolver:
    """Resolves symbols to descriptors through ServerReflectionInfo (v1, falling back to v1alpha)."""

    def __init__(self, channel, version, metadata=()):
        self.pb = load_reflection_module(version)
        self.method = f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
        self.stream = channel.stream_stream(
            self.method,
            request_serializer=self.pb.ServerReflectionRequest.SerializeToString,
            response_deserializer=self.pb.ServerReflectionResponse.FromString,
        )
        # Reflection is an RPC like any other: an authenticated server wants the token on it too.
        self.metadata = list(metadata)
        self.pool = descriptor_pool.DescriptorPool()
        self.added = set()
        self.pending = {}

    def _ask(self, **request):
        try:
            responses = list(
                self.stream(iter([self.pb.ServerReflectionRequest(**request)]), metadata=self.metadata, timeout=10)
            )
        except grpc.RpcError as error:
            raise ReflectionRpcError(error) from None
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
        try:
            response = self._ask(file_containing_symbol=symbol)
        except LookupError:
            raise UsageError(f'no such service or symbol "{symbol}"; try: reflect.py list') from None
        self._add_files(response.file_descriptor_response.file_descriptor_proto)
        for finder in (self.pool.FindServiceByName, self.pool.FindMessageTypeByName, self.pool.FindEnumTypeByName):
            try:
                return finder(symbol)
            except KeyError:
                continue
        raise LookupError(f"{symbol} not found after loading its file")


def message_class(descriptor):
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def json_kind(value):
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string", int: "number", float: "number"}.get(type(value), "null")


Field = descriptor_pb2.FieldDescriptorProto
FLOAT_TYPES = {Field.TYPE_DOUBLE, Field.TYPE_FLOAT}
INTEGER_TYPES = {
    Field.TYPE_INT64, Field.TYPE_UINT64, Field.TYPE_INT32, Field.TYPE_FIXED64, Field.TYPE_FIXED32, Field.TYPE_UINT32,
    Field.TYPE_SFIXED32, Field.TYPE_SFIXED64, Field.TYPE_SINT32, Field.TYPE_SINT64,
}


def is_number(text, integer):
    try:
        number = float(text)
    except ValueError:
        return False
    return number.is_integer() or not integer


def check_request(value, descriptor, path=""):
    """Names the first field whose JSON cannot fit the message: protobuf's own ParseError runs over several
    lines about its parser. What is not checked here (well-known types, ranges) is left to protobuf."""
    struct = descriptor.full_name == "google.protobuf.Struct"
    if descriptor.full_name.startswith("google.protobuf.") and not struct:
        return  # Timestamp, Value, wrappers… have JSON forms of their own
    if not isinstance(value, dict):
        where = f'request field "{path}"' if path else "request"
        raise UsageError(f"{where}: expected object ({descriptor.full_name}), got {json_kind(value)}")
    if struct:
        return  # any JSON object
    fields = {name: f for f in descriptor.fields for name in (f.name, f.json_name)}
    for key, item in value.items():
        field = fields.get(key)
        name = f"{path}.{key}" if path else key
        if field is None:
            known = ", ".join(f.json_name for f in descriptor.fields)
            raise UsageError(f'unknown field "{name}" in {descriptor.full_name} (fields: {known})')
        entry = field.message_type
        if item is None:
            continue
        if entry is not None and entry.GetOptions().map_entry:
            if not isinstance(item, dict):
                raise UsageError(f'request field "{name}": expected object (a map), got {json_kind(item)}')
            for map_key, map_value in item.items():
                check_value(map_value, entry.fields_by_name["value"], f"{name}.{map_key}")
        elif field.label == field.LABEL_REPEATED:
            if not isinstance(item, list):
                raise UsageError(f'request field "{name}": expected array, got {json_kind(item)}')
            for index, element in enumerate(item):
                check_value(element, field, f"{name}[{index}]")
        else:
            check_value(item, field, name)


def check_value(value, field, path):
    if field.message_type is not None:
        check_request(value, field.message_type, path)
        return
    kind = json_kind(value)
    if kind == "null":
        return
    if field.enum_type is not None:
        values = field.enum_type.values_by_name
        if kind == "string" and value not in values:
            known = ", ".join(values)
            raise UsageError(f'request field "{path}": no value "{value}" in {field.enum_type.full_name} (values: {known})')
        expected, fits = "enum value name", kind in ("string", "number")
    elif field.type in (Field.TYPE_STRING, Field.TYPE_BYTES):
        expected, fits = "string", kind == "string"
    elif field.type == Field.TYPE_BOOL:
        expected, fits = "boolean", kind == "boolean"
    elif field.type in FLOAT_TYPES | INTEGER_TYPES:
        # proto3 JSON also takes numbers written as strings ("123", "NaN").
        integer = field.type in INTEGER_TYPES
        expected = "integer" if integer else "number"
        if kind in ("number", "string") and not is_number(value, integer):
            raise UsageError(f'request field "{path}": expected {expected}, got {json.dumps(value)}')
        fits = kind in ("number", "string")
    else:
        return
    if not fits:
        raise UsageError(f'request field "{path}": expected {expected}, got {kind}')


def parse_request(request_json, request_class):
    try:
        value = json.loads(request_json)
    except json.JSONDecodeError as error:
        raise UsageError(f"request is not valid JSON: {error}") from None
    check_request(value, request_class.DESCRIPTOR)
    try:
        return json_format.ParseDict(value, request_class())
    except json_format.ParseError as error:
        # Only its first line: the rest lists protobuf internals.
        first_line = str(error).splitlines()[0]
        raise UsageError(f"request does not fit {request_class.DESCRIPTOR.full_name}: {first_line}") from None


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
    service_name, _, method_name = method_path.rpartition("/")
    if not service_name or not method_name:
        raise UsageError(f'"{method_path}" is not SERVICE/METHOD; try: reflect.py list')
    service = resolver.resolve(service_name)
    if not hasattr(service, "methods_by_name"):
        raise UsageError(f'"{service_name}" is not a service; try: reflect.py list')
    method = service.methods_by_name.get(method_name)
    if method is None:
        name = service.full_name
        raise UsageError(f'no such method "{method_name}" in {name}; try: reflect.py describe {name}')
    request_class = message_class(method.input_type)
    response_class = message_class(method.output_type)
    request = parse_request(request_json, request_class)
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
        raise UsageError(f"{method_path}: client-streaming methods are not supported by this tool")


def parse_headers(headers):
    parsed = []
    for header in headers:
        key, colon, value = header.partition(":")
        key = key.strip().lower()  # gRPC metadata keys are lower case
        if not colon or not re.fullmatch(r"[0-9a-z_.-]+", key):
            raise UsageError(f"-H {header!r}: expected 'key: value', the key made of a-z 0-9 _ . -")
        if key.endswith("-bin"):
            raise UsageError(f"-H {header!r}: binary (-bin) metadata is not supported")
        parsed.append((key, value.strip()))
    return parsed


USAGE = {"list": (0, 0, "list"), "describe": (1, 1, "describe SYMBOL"), "call": (1, 2, "call SERVICE/METHOD [JSON]")}


def run(options, resolver, channel, headers):
    low, high, usage = USAGE[options.command]
    if not low <= len(options.args) <= high:
        raise UsageError(f"usage: reflect.py --target HOST:PORT {usage}")
    if options.command == "list":
        print("\n".join(resolver.list_services()))
    elif options.command == "describe":
        print(json.dumps(describe(resolver, options.args[0]), indent=2))
    else:
        request_json = options.args[1] if len(options.args) > 1 else "{}"
        call(resolver, channel, options.args[0], request_json, headers, options.timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--reflection", choices=["v1", "v1alpha"], default="v1")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("-H", dest="headers", action="append", default=[], help="metadata 'key: value', on every RPC")
    parser.add_argument("command", choices=list(USAGE))
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()

    try:
        headers = parse_headers(options.headers)
        with grpc.insecure_channel(options.target) as channel:
            run(options, ReflectionResolver(channel, options.reflection, headers), channel, headers)
    except UsageError as error:
        print(f"reflect.py: {error}", file=sys.stderr)
        sys.exit(2)
    except ReflectionRpcError as failure:
        error = failure.error
        hint = ""
        if error.code() == grpc.StatusCode.UNAUTHENTICATED and not any(key == "authorization" for key, _ in headers):
            # Health is open without the token, but reflect.py needs reflection to call even that.
            hint = " (server reflection needs the token too: pass -H 'authorization: Bearer <token>')"
        print(f"ERROR {error.code().name}: {error.details()}{hint}", file=sys.stderr)
        sys.exit(2)
    except grpc.RpcError as error:
        print(f"ERROR {error.code().name}: {error.details()}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
