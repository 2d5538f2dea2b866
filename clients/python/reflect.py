#!/usr/bin/python3
"""A grpcurl-like client that knows nothing about tracemesh: every message type comes from the
server's reflection service, and requests are built from JSON. It proves that the descriptors the
mesh serves are complete and acceptable to an independent protobuf implementation.

    reflect.py --target HOST:PORT list
    reflect.py --target HOST:PORT describe SYMBOL     # a service, pkg.Service.Method, message or enum
    reflect.py --target HOST:PORT call SERVICE/METHOD [JSON ...]
    reflect.py --target HOST:PORT call SERVICE/METHOD @ < requests.jsonl

`call` sends one request message per JSON argument (unary and server-streaming methods take
exactly one; none means {}), or with `@` a stream of JSON objects read from stdin as they come
(one per line, or spread over lines, as grpcurl's -d @): that is how to drive the client-streaming
and bidirectional methods, e.g. several turns of Converse. Responses print one JSON object a line.

-H 'key: value' (repeatable) adds metadata to every RPC, the reflection lookups
included: with TRACEMESH_AUTH_TOKEN set on the server, pass -H 'authorization: Bearer <token>'.
Mistakes in the command or the request JSON are reported on one line, exit status 2; a gRPC error
from the server as ERROR <CODE>: <message>, then its google.rpc details (BadRequest, ErrorInfo,
ResourceInfo…), one JSON object each with its "@type", as grpcurl lists them; exit status 2.
--format-error prints the whole status as one JSON object instead, as grpcurl -format-error does.

Needs Debian's python3-grpcio, python3-protobuf, protobuf-compiler and grpc-proto. Error details
are decoded with the types the server's reflection serves (google.rpc.* included), falling back to
rpc_errors.py's (which also needs protobuf-compiler-grpc and `npm install`ed google-proto-files).
"""
import argparse
import json
import os
import re
import sys
import threading

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
        self.comments = {}  # full name → comment, from the files' source info when they carry it

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
            if proto.name not in self.added:
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
                            if dep.name not in self.added:
                                self.pending.setdefault(dep.name, dep)
                if all(d in self.added for d in proto.dependency):
                    self.pool.Add(proto)
                    self.comments.update(file_comments(proto))
                    self.added.add(name)
                    del self.pending[name]
                    progressed = True
            if not progressed and self.pending:
                raise RuntimeError(f"unresolvable dependencies among {sorted(self.pending)}")

    def _find(self, symbol):
        for finder in (self.pool.FindServiceByName, self.pool.FindMessageTypeByName, self.pool.FindEnumTypeByName, self.pool.FindMethodByName):
            try:
                return finder(symbol)
            except KeyError:
                continue
        return None

    def resolve(self, symbol):
        """The service, method (pkg.Service.Method, as grpcurl writes it), message or enum named `symbol`."""
        found = self._find(symbol)
        if found is not None:
            return found
        try:
            response = self._ask(file_containing_symbol=symbol)
        except LookupError:
            raise UsageError(f'no such service or symbol "{symbol}"; try: reflect.py list') from None
        self._add_files(response.file_descriptor_response.file_descriptor_proto)
        found = self._find(symbol)
        if found is None:
            raise UsageError(f'"{symbol}" is not a service, method, message or enum')
        return found


def file_comments(proto):
    """Full name → comment (leading, then trailing) of every message, field, oneof, enum, value,
    service and method of a FileDescriptorProto, from its source info (empty without it)."""
    paths = {}

    def enum(e, name, path):
        paths[name] = path
        for k, value in enumerate(e.value):
            paths[f"{name}.{value.name}"] = path + (2, k)

    def message(m, name, path):
        paths[name] = path
        for k, field in enumerate(m.field):
            paths[f"{name}.{field.name}"] = path + (2, k)
        for k, oneof in enumerate(m.oneof_decl):
            paths[f"{name}.{oneof.name}"] = path + (8, k)
        for k, nested in enumerate(m.nested_type):
            message(nested, f"{name}.{nested.name}", path + (3, k))
        for k, nested in enumerate(m.enum_type):
            enum(nested, f"{name}.{nested.name}", path + (4, k))

    prefix = f"{proto.package}." if proto.package else ""
    for i, m in enumerate(proto.message_type):
        message(m, prefix + m.name, (4, i))
    for i, e in enumerate(proto.enum_type):
        enum(e, prefix + e.name, (5, i))
    for i, service in enumerate(proto.service):
        paths[prefix + service.name] = (6, i)
        for k, method in enumerate(service.method):
            paths[f"{prefix}{service.name}.{method.name}"] = (6, i, 2, k)
    locations = {tuple(location.path): location for location in proto.source_code_info.location}
    comments = {}
    for name, path in paths.items():
        location = locations.get(path)
        text = location and "\n".join(
            line.strip() for part in (location.leading_comments, location.trailing_comments) for line in part.strip().splitlines()
        )
        if text:
            comments[name] = text
    return comments


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
    return to_message(value, request_class)


def to_message(value, request_class):
    check_request(value, request_class.DESCRIPTOR)
    try:
        return json_format.ParseDict(value, request_class())
    except json_format.ParseError as error:
        # Only its first line: the rest lists protobuf internals.
        first_line = str(error).splitlines()[0]
        raise UsageError(f"request does not fit {request_class.DESCRIPTOR.full_name}: {first_line}") from None


def json_stream(stream):
    """The JSON values on `stream`, each as soon as it is complete: one a line, or spread over lines,
    or several on one (as grpcurl reads -d @). A line that cannot begin valid JSON fails at once."""
    decoder = json.JSONDecoder()
    buffer = ""
    for line in iter(stream.readline, ""):
        buffer += line
        while buffer.strip():
            text = buffer.lstrip()
            try:
                value, end = decoder.raw_decode(text)
            except json.JSONDecodeError as error:
                if error.pos < len(text.rstrip()):
                    raise UsageError(f"request is not valid JSON: {error}") from None
                break  # incomplete: read on
            buffer = text[end:]
            yield value
    if buffer.strip():
        raise UsageError(f"request is not valid JSON: it ends early: {buffer.strip()[:60]}")


SCALAR_NAMES = {number: name[len("TYPE_"):].lower() for name, number in Field.Type.items()}


def is_map(field):
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def type_name(field):
    if is_map(field):
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        return f"map<{type_name(key)}, {type_name(value)}>"
    if field.message_type is not None:
        return field.message_type.full_name
    if field.enum_type is not None:
        return field.enum_type.full_name
    return SCALAR_NAMES[field.type]


def with_comment(out, resolver, full_name):
    comment = resolver.comments.get(full_name)
    if comment:
        out["comment"] = comment
    return out


def describe_message(resolver, descriptor):
    proto = descriptor_pb2.DescriptorProto()
    descriptor.CopyToProto(proto)
    # proto3 `optional` fields sit in a synthetic oneof of their own, which is no oneof to the user.
    synthetic = {proto.field[i].oneof_index for i in range(len(proto.field)) if proto.field[i].proto3_optional}
    proto2 = descriptor.file.syntax == "proto2"
    fields = []
    for field in descriptor.fields:
        out = {"name": field.name, "json_name": field.json_name, "number": field.number, "type": type_name(field)}
        oneof = field.containing_oneof
        if is_map(field):
            out["label"] = "map"
        elif field.label == field.LABEL_REPEATED:
            out["label"] = "repeated"
        elif oneof is not None and oneof.index in synthetic:
            out["label"] = "optional"
        elif proto2:
            out["label"] = "required" if field.label == field.LABEL_REQUIRED else "optional"
        if oneof is not None and oneof.index not in synthetic:
            out["oneof"] = oneof.name
        fields.append(with_comment(out, resolver, f"{descriptor.full_name}.{field.name}"))
    described = with_comment({"name": descriptor.full_name, "kind": "message"}, resolver, descriptor.full_name)
    described["fields"] = fields
    oneofs = [
        with_comment({"name": o.name, "fields": [f.name for f in o.fields]}, resolver, f"{descriptor.full_name}.{o.name}")
        for o in descriptor.oneofs if o.index not in synthetic
    ]
    if oneofs:
        described["oneofs"] = oneofs
    return described


def describe_method(resolver, method):
    stream = {True: "stream ", False: ""}
    return with_comment({
        "name": method.full_name,
        "kind": "method",
        "signature": f"rpc {method.name}({stream[method.client_streaming]}{method.input_type.full_name}) "
                     f"returns ({stream[method.server_streaming]}{method.output_type.full_name})",
        "input": method.input_type.full_name,
        "output": method.output_type.full_name,
        "client_streaming": method.client_streaming,
        "server_streaming": method.server_streaming,
    }, resolver, method.full_name)


def describe(resolver, symbol):
    descriptor = resolver.resolve(symbol)
    if hasattr(descriptor, "input_type"):
        return describe_method(resolver, descriptor)
    if hasattr(descriptor, "fields"):
        return describe_message(resolver, descriptor)
    if hasattr(descriptor, "values"):
        out = with_comment({"name": descriptor.full_name, "kind": "enum"}, resolver, descriptor.full_name)
        out["values"] = [
            with_comment({"name": v.name, "number": v.number}, resolver, f"{descriptor.full_name}.{v.name}")
            for v in descriptor.values
        ]
        return out
    out = with_comment({"name": descriptor.full_name, "kind": "service"}, resolver, descriptor.full_name)
    out["methods"] = [
        {key: value for key, value in describe_method(resolver, m).items() if key not in ("kind", "signature")} | {"name": m.name}
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
    return out


def show(response):
    print(json_format.MessageToJson(response, indent=None), flush=True)


def call(resolver, channel, method_path, request_args, headers, timeout):
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
    path = f"/{service.full_name}/{method.name}"
    serializer, deserializer = request_class.SerializeToString, response_class.FromString

    from_stdin = request_args == ["@"]
    values = json_stream(sys.stdin) if from_stdin else iter(request_args or ["{}"])
    numbered = from_stdin or len(request_args) > 1

    def messages():
        index = 0
        while True:
            index += 1
            try:
                value = next(values, StopIteration)
                if value is StopIteration:
                    return
                yield to_message(value, request_class) if from_stdin else parse_request(value, request_class)
            except UsageError as error:
                if not numbered:
                    raise
                text = str(error)  # "request field …" becomes "request 2 field …"
                raise UsageError(f"request {index}{text[len('request'):]}" if text.startswith("request ") else f"request {index}: {text}") from None

    if not method.client_streaming:
        requests = list(messages())
        if len(requests) != 1:
            raise UsageError(f"{method_path} takes one request message, got {len(requests)}")
        if method.server_streaming:
            for response in channel.unary_stream(path, request_serializer=serializer, response_deserializer=deserializer)(
                requests[0], metadata=headers, timeout=timeout
            ):
                show(response)
        else:
            rpc = channel.unary_unary(path, request_serializer=serializer, response_deserializer=deserializer)
            show(rpc(requests[0], metadata=headers, timeout=timeout))
        return

    # Client-streaming and bidi: requests go out as they are read (responses print as they come);
    # command-line ones are all checked first. A bad one read from stdin cancels the call.
    requests = messages() if from_stdin else iter(list(messages()))
    failure, started, calls = [], threading.Event(), []

    def sent():
        started.wait()
        try:
            yield from requests
        except UsageError as error:
            failure.append(error)
            calls[0].cancel()

    if method.server_streaming:
        calls.append(channel.stream_stream(path, request_serializer=serializer, response_deserializer=deserializer)(
            sent(), metadata=headers, timeout=timeout))
    else:
        calls.append(channel.stream_unary(path, request_serializer=serializer, response_deserializer=deserializer).future(
            sent(), metadata=headers, timeout=timeout))
    started.set()
    try:
        for response in calls[0] if method.server_streaming else [calls[0].result()]:
            show(response)
    except grpc.RpcError:
        if failure:
            raise failure[0] from None
        raise
    if failure:
        raise failure[0]


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


USAGE = {
    "list": (0, 0, "list"),
    "describe": (1, 1, "describe SYMBOL"),
    "call": (1, None, "call SERVICE/METHOD [JSON ...|@]"),
}


def run(options, resolver, channel, headers):
    low, high, usage = USAGE[options.command]
    if not low <= len(options.args) <= (high if high is not None else len(options.args)):
        raise UsageError(f"usage: reflect.py --target HOST:PORT {usage}")
    if options.command == "list":
        print("\n".join(resolver.list_services()))
    elif options.command == "describe":
        print(json.dumps(describe(resolver, options.args[0]), indent=2))
    else:
        call(resolver, channel, options.args[0], options.args[1:], headers, options.timeout)


def report(error, options, message_class=None, hint=""):
    """A gRPC error on stderr, with its google.rpc details decoded (rpc_errors.py)."""
    try:
        import rpc_errors  # generates its google.rpc stubs on first use: only when there is an error to show
    except Exception as failure:  # noqa: BLE001 — no protoc or node_modules: the status line alone
        print(f"ERROR {error.code().name}: {error.details()}{hint}\n  (details not decoded: {failure})", file=sys.stderr)
        return
    if options.format_error:
        print(json.dumps(rpc_errors.status_json(error, message_class), indent=2, ensure_ascii=False), file=sys.stderr)
    else:
        print(rpc_errors.format_error(error, message_class, hint), file=sys.stderr)


def detail_classes(resolver):
    """Detail types resolved through the server's reflection, as grpcurl does (None when it cannot)."""
    def find(type_name):
        try:
            descriptor = resolver.resolve(type_name)
        except (UsageError, LookupError, RuntimeError, ReflectionRpcError):
            return None
        return message_class(descriptor) if hasattr(descriptor, "fields") else None
    return find


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--reflection", choices=["v1", "v1alpha"], default="v1")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("-H", dest="headers", action="append", default=[], help="metadata 'key: value', on every RPC")
    parser.add_argument("--format-error", action="store_true", help="a gRPC error as one JSON status object (grpcurl -format-error)")
    parser.add_argument("command", choices=list(USAGE))
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()

    try:
        headers = parse_headers(options.headers)
        with grpc.insecure_channel(options.target) as channel:
            resolver = ReflectionResolver(channel, options.reflection, headers)
            try:
                run(options, resolver, channel, headers)
            except grpc.RpcError as error:  # the called method's: its detail types come from reflection
                report(error, options, detail_classes(resolver))
                sys.exit(2)
    except UsageError as error:
        print(f"reflect.py: {error}", file=sys.stderr)
        sys.exit(2)
    except ReflectionRpcError as failure:
        error = failure.error
        hint = ""
        if error.code() == grpc.StatusCode.UNAUTHENTICATED and not any(key == "authorization" for key, _ in headers):
            # Health is open without the token, but reflect.py needs reflection to call even that.
            hint = " (server reflection needs the token too: pass -H 'authorization: Bearer <token>')"
        report(error, options, hint=hint)
        sys.exit(2)
    except BrokenPipeError:
        # The reader went away (reflect.py call … | head): no traceback. Point stdout at /dev/null so
        # that flushing it at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
