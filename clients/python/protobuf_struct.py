"""google.protobuf.Struct <-> plain Python (what lib/grpc/struct.ts is for the Node services):
tool arguments and results travel as Structs."""
from google.protobuf import struct_pb2


def to_struct(mapping):
    struct = struct_pb2.Struct()
    struct.update(mapping)
    return struct


def from_struct(struct):
    """A Struct as a dict. (json_format.MessageToDict would refuse NaN and Infinity; this keeps
    them, so that the tool can reject them with a BadRequest naming the field.)"""
    def plain(value):
        kind = value.WhichOneof("kind")
        if kind == "struct_value":
            return from_struct(value.struct_value)
        if kind == "list_value":
            return [plain(item) for item in value.list_value.values]
        return None if kind in (None, "null_value") else getattr(value, kind)
    return {key: plain(value) for key, value in struct.fields.items()}
