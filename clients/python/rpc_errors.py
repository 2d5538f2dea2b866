"""gRPC errors with google.rpc details, the rich error model the Node services use (lib/grpc/errors.ts).

A handler raises an RpcFailure; `abort` ends the call with its status and puts a google.rpc.Status
holding the details in the `grpc-status-details-bin` trailer, where any gRPC client can decode it:
BadRequest names each offending field, ResourceInfo what was not found, ErrorInfo a reason a program
can switch on. A caller reads them back with `details_of` / `format_error` (chat.py, reflect.py).
"""
import base64
import json
import random

import grpc
from google.protobuf import json_format
from google.protobuf.message import DecodeError

from generated_stubs import load

status_pb2 = load("google.rpc.status_pb2")
error_details_pb2 = load("google.rpc.error_details_pb2")


class RpcFailure(Exception):
    """A call's outcome as a gRPC status code, a message and google.rpc detail messages."""

    def __init__(self, code, message, *details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def status_details_bin(self):
        status = status_pb2.Status(code=self.code.value[0], message=self.message)
        for detail in self.details:
            status.details.add().Pack(detail)  # a google.protobuf.Any: type.googleapis.com/google.rpc.…
        return status.SerializeToString()


def invalid_argument(violations, message=None):
    """INVALID_ARGUMENT with a BadRequest naming each field: violations are [(field, description), …]."""
    message = message or "; ".join(f"{field}: {description}" for field, description in violations)
    bad_request = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field=field, description=description) for field, description in violations
    ])
    return RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, message, bad_request)


def not_found(resource_type, resource_name, message):
    resource = error_details_pb2.ResourceInfo(resource_type=resource_type, resource_name=resource_name, description=message)
    return RpcFailure(grpc.StatusCode.NOT_FOUND, message, resource)


def with_reason(code, message, reason, domain, **metadata):
    """Any status with an ErrorInfo, e.g. UNAUTHENTICATED / TOKEN_MISSING / auth.tracemesh."""
    return RpcFailure(code, message, error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=metadata))


def abort(context, failure, extra_trailers=()):
    """Ends the call with `failure`'s status and details (raises, as grpc's context.abort does)."""
    context.set_trailing_metadata([("grpc-status-details-bin", failure.status_details_bin()), *extra_trailers])
    context.abort(failure.code, failure.message)


STATUS_DETAILS_KEY = "grpc-status-details-bin"
# Every google.rpc error detail type (BadRequest, ErrorInfo, ResourceInfo, RetryInfo…) by full name.
DETAIL_CLASSES = {
    descriptor.full_name: getattr(error_details_pb2, descriptor.name)
    for descriptor in error_details_pb2.DESCRIPTOR.message_types_by_name.values()
}


def status_of(error):
    """The google.rpc.Status in a grpc.RpcError's trailers, or None when it has none."""
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY:
            try:
                return status_pb2.Status.FromString(value)
            except DecodeError:
                return None
    return None


def details_of(error, message_class=None):
    """The error's details as grpcurl shows them: each its proto3 JSON with an "@type".

    `message_class(type_name)` may supply the classes (reflect.py resolves them through the server's
    reflection, as grpcurl does); the google.rpc types generated here are the fallback. A type that
    neither knows keeps its bytes, in base64, as "value"."""
    status = status_of(error)
    out = []
    for detail in status.details if status else ():
        type_name = detail.type_url.rpartition("/")[2]
        cls = (message_class(type_name) if message_class else None) or DETAIL_CLASSES.get(type_name)
        try:
            decoded = json_format.MessageToDict(cls.FromString(detail.value)) if cls else None
        except DecodeError:
            decoded = None
        if decoded is None:
            decoded = {"value": base64.b64encode(detail.value).decode("ascii")}
        out.append({"@type": detail.type_url, **decoded})
    return out


def retry_info_seconds(error):
    """The delay of the error's google.rpc.RetryInfo, in seconds, or None when it has none."""
    status = status_of(error)
    for detail in status.details if status else ():
        if detail.type_url.rpartition("/")[2] == "google.rpc.RetryInfo":
            try:
                delay = error_details_pb2.RetryInfo.FromString(detail.value).retry_delay
            except DecodeError:
                return None
            return delay.seconds + delay.nanos / 1e9
    return None


# The first backoff without a RetryInfo; it doubles with each retry, up to the cap (as the Node client).
FIRST_BACKOFF_S = 0.25
MAX_BACKOFF_S = 5.0


def retry_delay_seconds(error, retry):
    """How long to wait before trying a failed call again, or None when another try cannot help.

    Passing failures only: the service unavailable, a busy conversation (ABORTED), and a
    RESOURCE_EXHAUSTED that says when to come back (a full replica, a provider's rate limit). The
    service's RetryInfo delay when it sent one, else a jittered backoff. `retry` counts the retries so far."""
    delay = retry_info_seconds(error)
    code = error.code()
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return delay
    if code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED):
        return None
    backoff = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** retry)
    return delay if delay is not None else backoff * random.uniform(0.5, 1.0)


def format_error(error, message_class=None, hint=""):
    """`ERROR <CODE>: <message>`, then the details, numbered, one JSON object a line:

        ERROR INVALID_ARGUMENT: calculate_clinical_metrics: arguments.weight must be > 0
          Details:
          1) {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [...]}
    """
    lines = [f"ERROR {error.code().name}: {error.details()}{hint}"]
    details = details_of(error, message_class)
    if details:
        lines.append("  Details:")
        lines.extend(f"  {index}) {json.dumps(detail, ensure_ascii=False)}" for index, detail in enumerate(details, 1))
    return "\n".join(lines)


def status_json(error, message_class=None):
    """The status as one JSON object, the shape of grpcurl -format-error: code, message, details."""
    out = {"code": error.code().value[0], "message": error.details() or ""}
    details = details_of(error, message_class)
    if details:
        out["details"] = details
    return out
