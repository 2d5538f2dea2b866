"""The spans of a tool service: each call's SERVER span, and under ExecuteTool's the tool's own span.

Each call continues the caller's W3C `traceparent` (a call without one, or with a malformed one,
starts a new trace). A caller whose sampled flag is off — the mesh's own tool-list refreshes — gets
no spans at all. Finished spans go to a SpanExporter (otlp_spans.py), which sends them from a
background thread: a trace backend that is down costs spans, never a call.
"""
import json
import re
import secrets
import time

from otlp_spans import attribute

TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
MAX_TRACEPARENT_LENGTH = 512
# Statuses that mean this service failed (the caller's mistakes — INVALID_ARGUMENT, NOT_FOUND… — do not).
SERVER_FAULTS = {"UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS"}
SPAN_KIND_INTERNAL, SPAN_KIND_SERVER = 1, 2


class IncomingContext:
    """The caller's W3C span context: where this call's spans hang, and whether to record them at all."""

    def __init__(self, trace_id=None, parent_span_id=None, sampled=True, rejected=None):
        self.trace_id = trace_id or _random_id(16)
        self.parent_span_id = parent_span_id
        self.sampled = sampled
        self.source = "traceparent" if parent_span_id else "none"
        self.rejected = rejected


def _random_id(size):
    while True:
        value = secrets.token_hex(size)
        if value.strip("0"):  # all zeros is the W3C "invalid" id
            return value


def parse_traceparent(value):
    """The context in a `traceparent` header (W3C Trace Context level 1), or a new trace."""
    if value is None:
        return IncomingContext()
    value = value.strip()
    if len(value) > MAX_TRACEPARENT_LENGTH:
        return IncomingContext(rejected=f"traceparent: longer than {MAX_TRACEPARENT_LENGTH} characters")
    match = TRACEPARENT.fullmatch(value)
    if not match:
        return IncomingContext(rejected="traceparent: malformed")
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or not trace_id.strip("0") or not span_id.strip("0"):
        return IncomingContext(rejected="traceparent: malformed")
    return IncomingContext(trace_id, span_id, sampled=bool(int(flags, 16) & 1))


class Span:
    """One OTLP span being recorded; end() hands it to the exporter (never blocks the call)."""

    def __init__(self, exporter, name, kind, trace_id, parent_span_id, attributes):
        self._exporter = exporter
        self.trace_id = trace_id
        self.span_id = _random_id(8)
        self._body = {"traceId": trace_id, "spanId": self.span_id, "name": name, "kind": kind, "startTimeUnixNano": str(time.time_ns())}
        if parent_span_id:
            self._body["parentSpanId"] = parent_span_id
        self._attributes = dict(attributes)

    def set(self, key, value):
        self._attributes[key] = value

    def set_json(self, key, value):
        self._attributes[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def end(self, error_message=None):
        self._body["endTimeUnixNano"] = str(time.time_ns())
        self._body["attributes"] = [attribute(key, value) for key, value in self._attributes.items() if value is not None]
        self._body["status"] = {"code": 2, "message": error_message} if error_message is not None else {"code": 0}
        self._exporter.export(self._body)


class NoSpan:
    """What an unrecorded call gets (tracing off, or a caller that is not sampled): records nothing."""

    trace_id = span_id = None

    def set(self, key, value):
        pass

    def set_json(self, key, value):
        pass

    def end(self, error_message=None):
        pass


class Tracer:
    """Makes a tool service's spans. With `redact` (TRACEMESH_REDACT_PHI), tool input, output and
    error messages stay out of them. `exporter` None: tracing is off."""

    def __init__(self, exporter, service_name, instance_id, redact, log):
        self.exporter = exporter
        self.service_name = service_name
        self.instance_id = instance_id
        self.redact = redact
        self.log = log

    def server_span(self, method, traceparent, peer):
        """The call's SERVER span, under the caller's span when `traceparent` (the header's value) names one."""
        incoming = parse_traceparent(traceparent)
        if incoming.rejected:
            self.log.warning("ignoring malformed trace headers; this call starts a new trace",
                             extra={"method": method, "rejected": [incoming.rejected]})
        if self.exporter is None or not incoming.sampled:
            return NoSpan()
        return Span(self.exporter, method, SPAN_KIND_SERVER, incoming.trace_id, incoming.parent_span_id, {
            "rpc.system.name": "grpc",
            "rpc.method": method,
            **peer_attributes(peer),
            "service.name": self.service_name,
            "service.instance.id": self.instance_id,
            "tracemesh.parent_source": incoming.source,
        })

    def end_server_span(self, span, failure=None):
        """Ends it with the call's status: OK, or `failure` (an rpc_errors.RpcFailure)."""
        code = failure.code.name if failure else "OK"
        span.set("rpc.status_code", code)
        if code in SERVER_FAULTS:
            span.set("error.type", code)
            span.end(code if self.redact else failure.message)
        else:
            span.end()

    def tool_span(self, parent, tool_name, tool_call_id, arguments):
        """The tool's span, under the ExecuteTool SERVER span `parent`."""
        if isinstance(parent, NoSpan):
            return parent
        span = Span(self.exporter, tool_name, SPAN_KIND_INTERNAL, parent.trace_id, parent.span_id, {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool_name,
            "gen_ai.tool.call.id": tool_call_id or None,
        })
        # braintrust.* attributes become the row's fields in the trace store (and in Braintrust): the
        # span shows as a "tool" span with its input, output, metadata and scores.
        span.set_json("braintrust.span_attributes", {"type": "tool"})
        if not self.redact:
            span.set_json("braintrust.input_json", arguments)
        return span

    def end_tool_span(self, span, metadata, output=None, scores=None, duration_ms=None, failure=None):
        if self.redact:
            metadata = {**metadata, "payload_redacted": True}
        elif output is not None:
            span.set_json("braintrust.output_json", output)
        span.set_json("braintrust.metadata", metadata)
        if scores:
            span.set_json("braintrust.scores", scores)
        if duration_ms is not None:
            span.set_json("braintrust.metrics", {"duration_ms": duration_ms})
        span.end(None if failure is None else failure.code.name if self.redact else failure.message)


def peer_attributes(peer):
    """grpcio's peer ("ipv4:127.0.0.1:51234", "ipv6:[::1]:51234", "unix:…") as the conventions'
    network.peer.address and network.peer.port."""
    match = re.match(r"^(?:ipv4:|ipv6:)?(?:\[([^\]]+)\]|([^:\[\]]+)):(\d+)$", peer or "")
    if not match:
        return {"network.peer.address": peer or ""}
    return {"network.peer.address": match.group(1) or match.group(2), "network.peer.port": int(match.group(3))}
