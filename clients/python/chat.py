#!/usr/bin/python3
"""Stream a chat turn from tracemesh to stdout — a Python caller with generated stubs.

    chat.py [--target HOST:PORT] [--conversation ID] [--retries N] MESSAGE [MESSAGE ...]

Each message is one StreamChat turn of the same conversation. A turn that fails for a passing
reason (UNAVAILABLE, a busy conversation, a RetryInfo) is tried again, up to --retries times (5 by
default), with the same request_id: the service runs it at most once. The caller starts a W3C trace, sends
its `traceparent` with every call (the mesh continues it), and reports its own `python_client_turn`
spans to the trace backend as OTLP/JSON (Braintrust with BRAINTRUST_API_KEY, else the local trace
store), so its spans and the mesh's form one trace. Needs Debian's python3-grpcio, python3-protobuf,
protobuf-compiler and protobuf-compiler-grpc.
"""
import argparse
import json
import secrets
import sys
import time
import uuid

import grpc
from google.protobuf import json_format

from generated_stubs import load
from otlp_spans import export_spans, trace_backend
from rpc_errors import format_error, retry_delay_seconds
from settings import ConfigError, local_port, setting, yes_no_setting

conversation_pb2 = load("tracemesh.conversation.v1.conversation_pb2")
conversation_pb2_grpc = load("tracemesh.conversation.v1.conversation_pb2_grpc")


class TraceContext:
    """One W3C trace for the whole conversation: a root span, and a child span per turn."""

    def __init__(self):
        self.trace_id = secrets.token_hex(16)
        self.root_span_id = secrets.token_hex(8)
        self.started = time.time_ns()

    def new_span_id(self):
        return secrets.token_hex(8)

    def traceparent(self, span_id):
        return f"00-{self.trace_id}-{span_id}-01"


def stream_turn(stub, trace, message, conversation_id, deadline_s, token, redact, retries):
    span_id = trace.new_span_id()
    metadata = [("traceparent", trace.traceparent(span_id))]
    if token:
        metadata.append(("authorization", f"Bearer {token}"))
    started = time.time_ns()
    # One key for every try of this turn: a retry gets the turn that ran, never a second run.
    request = conversation_pb2.StreamChatRequest(conversation_id=conversation_id, message=message, request_id=str(uuid.uuid4()))
    deadline = time.monotonic() + deadline_s
    tries = 0
    while True:
        tries += 1
        result, error = try_turn(stub, request, metadata, deadline - time.monotonic())
        delay = retry_delay_seconds(error, tries - 1) if error is not None and tries <= retries else None
        # A wait that would end past the deadline leaves no time for the try it waits for.
        if delay is None or time.monotonic() + delay >= deadline:
            break
        print(f"\n↻ {error.code().name}: {error.details()} — trying again in {delay:.1f} s ({tries} of {retries})", file=sys.stderr)
        time.sleep(delay)
    status = "OK"
    if error is not None:
        status = error.code().name
        # ERROR <CODE>: <message>, then the google.rpc details (field violations, ErrorInfo reason,
        # ResourceInfo) one JSON object a line, as grpcurl lists them.
        print(f"\n{format_error(error)}", file=sys.stderr)
    span = {
        "traceId": trace.trace_id,
        "spanId": span_id,
        "parentSpanId": trace.root_span_id,
        "name": "python_client_turn",
        "kind": 3,
        "startTimeUnixNano": str(started),
        "endTimeUnixNano": str(time.time_ns()),
        "attributes": [
            {"key": "rpc.system.name", "value": {"stringValue": "grpc"}},
            {"key": "rpc.method", "value": {"stringValue": "tracemesh.conversation.v1.ConversationService/StreamChat"}},
            {"key": "rpc.status_code", "value": {"stringValue": status}},
            {"key": "tracemesh.request_id", "value": {"stringValue": request.request_id}},
            {"key": "tracemesh.tries", "value": {"intValue": str(tries)}},
            # With TRACEMESH_REDACT_PHI set, the message (which may name the patient) stays out of the
            # trace: the services redact what they log, but this client has no redaction of its own.
            {"key": "tracemesh.message", "value": {"stringValue": "[REDACTED]" if redact else message}},
        ],
        "status": {"code": 1 if status == "OK" else 2},
    }
    return result, span


def try_turn(stub, request, metadata, timeout_s):
    """One StreamChat call, its events printed as they come: (the result, None) or (None, the error)."""
    result = None
    try:
        for event in stub.StreamChat(request, metadata=metadata, timeout=timeout_s):
            kind = event.WhichOneof("event")
            if kind == "text_delta":
                sys.stdout.write(event.text_delta.text)
                sys.stdout.flush()
            elif kind == "tool_call_started":
                args = json_format.MessageToDict(event.tool_call_started.arguments)
                print(f"\n▸ {event.tool_call_started.tool_name} {json.dumps(args)}", file=sys.stderr)
            elif kind == "tool_call_finished":
                call = event.tool_call_finished.tool_call
                outcome = f"✗ {call.error_code}: {call.error_message}" if call.is_error else "✓"
                print(f"{outcome} {call.tool_name} ({call.duration_ms:.1f} ms)", file=sys.stderr)
            elif kind == "turn_completed":
                result = event.turn_completed.result
                if result.replayed:
                    # A repeated request_id: the answer comes whole, from the try that ran it.
                    sys.stdout.write(result.text)
    except grpc.RpcError as error:
        return None, error
    return result, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # As the Node client: the *_TARGET / *_URL settings, else this machine on the services' ports.
    parser.add_argument("--target", default=setting("CONVERSATION_TARGET") or f"127.0.0.1:{local_port('CONVERSATION_PORT', '50051')}")
    parser.add_argument("--conversation", default="")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds per turn, every try included")
    parser.add_argument("--retries", type=int, default=5, help="tries again a turn that failed for a passing reason, with the same request_id (default 5: waits of 4-8 s in all, enough for a service restart)")
    try:
        # With TRACEMESH_REDACT_PHI on, the message (which may name the patient) stays out of this client's span.
        redact = yes_no_setting("TRACEMESH_REDACT_PHI", False)
        backend = trace_backend()  # as the services: Braintrust with BRAINTRUST_API_KEY, else the local trace store
    except (ConfigError, ValueError) as error:
        parser.error(str(error))
    parser.add_argument("--trace-backend", default=backend.url, help=f"where spans go (default: {backend.url}, the {backend.kind} backend)")
    parser.add_argument("--project", default=backend.project)
    parser.add_argument("messages", nargs="+")
    options = parser.parse_args()
    token = setting("TRACEMESH_AUTH_TOKEN") or ""

    trace = TraceContext()
    spans = []
    conversation_id = options.conversation
    failed = False
    with grpc.insecure_channel(options.target) as channel:
        stub = conversation_pb2_grpc.ConversationServiceStub(channel)
        for message in options.messages:
            result, span = stream_turn(stub, trace, message, conversation_id, options.deadline, token, redact, max(0, options.retries))
            spans.append(span)
            if result is None:
                failed = True
                break
            conversation_id = result.conversation_id
            stop = conversation_pb2.StopReason.Name(result.stop_reason)
            usage = result.usage
            cached = f" ({usage.cache_read_input_tokens} from the prompt cache)" if usage.cache_read_input_tokens else ""
            replayed = " · replayed: the stored answer of an earlier try" if result.replayed else ""
            print(
                f"\n— conversation {conversation_id} · turn {result.turn_index} · {stop} · "
                f"{usage.input_tokens} in{cached} / {usage.output_tokens} out tokens · trace {result.trace.root_span_id}{replayed}",
                file=sys.stderr,
            )
    spans.append({
        "traceId": trace.trace_id,
        "spanId": trace.root_span_id,
        "name": "python_client_conversation",
        "kind": 1,
        "startTimeUnixNano": str(trace.started),
        "endTimeUnixNano": str(time.time_ns()),
        "attributes": [
            {"key": "tracemesh.conversation_id", "value": {"stringValue": conversation_id}},
            {"key": "tracemesh.total_turns", "value": {"intValue": str(len(spans))}},
        ],
        "status": {"code": 2 if failed else 1},
    })
    export_spans(options.trace_backend, backend.token, options.project, spans)
    print(f"trace: {trace.trace_id}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
