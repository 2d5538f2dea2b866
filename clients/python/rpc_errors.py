"""gRPC errors with google.rpc details, the rich error model the Node services use (lib/grpc/errors.ts).

A handler raises an RpcFailure; `abort` ends the call with its status and puts a google.rpc.Status
holding the details in the `grpc-status-details-bin` trailer, where any gRPC client can decode it:
BadRequest names each offending field, ResourceInfo what was not found, ErrorInfo a reason a program
can switch on.
"""
import grpc

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
