#!/usr/bin/python3
"""A tracemesh tool service written in Python: a ToolWorkerService with one tool, `lookup_lab_reference`.

    lab_reference_worker.py [--host HOST] [--port PORT] [--no-trace] [--data LABS_JSON]

A team's own tools can live in a service in another language and still land in the one trace. Name
it in the conversation service's TOOL_SERVICES (e.g. `labs=127.0.0.1:50060`) and the model is
offered its tool next to the built-in ones. One job per file:

  lab_reference_worker.py  this file: settings, the two RPCs, starting and stopping the server
  lab_reference.py         the tool itself: lab data, units, answers (plain Python, no gRPC)
  rpc_errors.py            gRPC errors with google.rpc details (BadRequest, ResourceInfo, ErrorInfo)
  protobuf_struct.py       tool arguments and results (google.protobuf.Struct) <-> Python dicts
  tool_tracing.py          the spans: the call's SERVER span and the tool's, in the caller's trace
  otlp_spans.py            where spans go, and sending them in the background
  settings.py              settings from the environment, read as the Node services read them
  generated_stubs.py       the protobuf and gRPC classes, generated from the protos at run time
  health_service.py        grpc.health.v1 (Check and Watch), its messages generated from Debian's grpc-proto

Once listening it prints exactly one line on stdout, then logs JSON lines on stderr only:

    {"service":"lab-reference-worker","address":"127.0.0.1:50060","port":50060}

Settings (besides the options; TLS, auth and redaction as for the Node services):
  TRACEMESH_HOST, LAB_WORKER_PORT   defaults of --host (127.0.0.1) and --port (50060; 0 = any free port)
  TRACEMESH_TRACING=off             no spans, as --no-trace; otherwise they go to Braintrust with
                                    BRAINTRUST_API_KEY, else to the local trace store (otlp_spans.py)
  TRACEMESH_AUTH_TOKEN              every call needs `authorization: Bearer <token>`
  TRACEMESH_TLS_CERT, _KEY, _CA, TRACEMESH_TLS_CLIENT_AUTH=require   TLS, and mTLS
  TRACEMESH_REDACT_PHI=1            tool input, output and error messages stay out of spans and logs
  TRACEMESH_SHUTDOWN_GRACE_MS       how long calls in flight may finish after SIGTERM (default 10000)
  TRACEMESH_INSTANCE_ID             names this replica on its spans (default host:pid)
  LOG_LEVEL                         debug, info (default), warn, error or silent

Health: grpc.health.v1 Check and Watch, for the server ("") and for
tracemesh.toolworker.v1.ToolWorkerService: SERVING from the moment it listens (the data is loaded
by then), NOT_SERVING once shutdown begins (SIGTERM or SIGINT); open Watch streams get NOT_SERVING
and end, and from then on the server takes no new calls. Like the Node services' health, it needs
no token (probes have none) and makes no spans. Debian's python3-grpcio has no grpc_health package,
so health_service.py generates the messages from /usr/share/grpc-proto (package grpc-proto).

    grpcurl -plaintext -import-path /usr/share/grpc-proto -proto grpc/health/v1/health.proto \\
      127.0.0.1:50060 grpc.health.v1.Health/Check

Not served: server reflection (Debian's python3-grpcio has no grpc_reflection); grpcurl needs
`-import-path proto -proto tracemesh/toolworker/v1/toolworker.proto`.
"""
import argparse
import concurrent.futures
import hmac
import json
import logging
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc

from generated_stubs import load
from health_service import HealthService
from lab_reference import InvalidArguments, LabDataError, LabReference, LabReferenceTool, UnknownLabTest
from otlp_spans import SpanExporter, trace_backend
from protobuf_struct import from_struct, to_struct
from settings import ConfigError, setting, yes_no_setting
from rpc_errors import RpcFailure, abort, invalid_argument, not_found, with_reason
from tool_tracing import Tracer

toolworker_pb2 = load("tracemesh.toolworker.v1.toolworker_pb2")
toolworker_pb2_grpc = load("tracemesh.toolworker.v1.toolworker_pb2_grpc")

SERVICE_NAME = "lab-reference-worker"
GRPC_SERVICE = "tracemesh.toolworker.v1.ToolWorkerService"
DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[2] / "data" / "lab-references" / "labs.json"
DEFAULT_PORT = 50060
MAX_TOOL_NAME_LENGTH = 128
log = logging.getLogger(SERVICE_NAME)


class ToolWorkerServicer(toolworker_pb2_grpc.ToolWorkerServiceServicer):
    """ListTools and ExecuteTool. Every call goes through _serve: trace, authenticate, run, and turn a
    failure into the call's status with google.rpc details."""

    def __init__(self, tool, tracer, auth_token, redact):
        self.tool = tool
        self.tracer = tracer
        self.auth_token = auth_token
        self.redact = redact
        self.tool_list = toolworker_pb2.ListToolsResponse(tools=[
            toolworker_pb2.Tool(name=tool.name, description=tool.description, input_schema=to_struct(tool.input_schema))])

    def ListTools(self, request, context):
        return self._serve("ListTools", context, lambda span: self.tool_list)

    def ExecuteTool(self, request, context):
        return self._serve("ExecuteTool", context, lambda span: self._execute(request, context, span), retry_pushback=True)

    def _execute(self, request, context, server_span):
        check_deadline(context)
        tool_name = request.tool_name.strip()
        if not tool_name:
            raise invalid_argument([("tool_name", "is required")])
        if len(tool_name) > MAX_TOOL_NAME_LENGTH:
            raise invalid_argument([("tool_name", f"is longer than {MAX_TOOL_NAME_LENGTH} characters")])
        if tool_name != self.tool.name:
            raise not_found("tool", tool_name, f'unknown tool "{tool_name}" (this worker has: {self.tool.name})')
        arguments = from_struct(request.arguments)
        span = self.tracer.tool_span(server_span, tool_name, request.tool_call_id, arguments)
        span_metadata = {"tool_call_id": request.tool_call_id, "data_version": self.tool.reference.version}
        started = time.perf_counter()
        try:
            output, scores = self.tool.execute(arguments)
        except Exception as error:  # noqa: BLE001 — every failure becomes a status; see tool_failure
            failure = tool_failure(tool_name, error)
            self.tracer.end_tool_span(span, span_metadata, failure=failure)
            raise failure from error
        duration_ms = (time.perf_counter() - started) * 1000
        self.tracer.end_tool_span(span, span_metadata, output, scores, duration_ms)
        # The work is instant, but a caller that gave up meanwhile gets no answer made for nobody.
        check_deadline(context)
        return toolworker_pb2.ExecuteToolResponse(tool_name=tool_name, tool_call_id=request.tool_call_id,
                                                  result=to_struct(output), scores=scores, duration_ms=duration_ms)

    def _serve(self, method_name, context, handle, retry_pushback=False):
        method = f"{GRPC_SERVICE}/{method_name}"
        metadata = context.invocation_metadata() or ()
        span = self.tracer.server_span(method, metadata_value(metadata, "traceparent"), peer_address(context))
        try:
            self._authenticate(metadata)
            response = handle(span)
            if not context.is_active():
                raise RpcFailure(grpc.StatusCode.CANCELLED, "the caller cancelled the call")
        except RpcFailure as error:
            failure = error
        except Exception as error:  # noqa: BLE001 — a bug must not end the call (or the server) without a status
            log.error("call failed", extra={"method": method, "error": repr(error)})
            failure = RpcFailure(grpc.StatusCode.INTERNAL, f"{method_name} failed: {error.__class__.__name__}")
        else:
            self.tracer.end_server_span(span)
            return response
        self.tracer.end_server_span(span, failure)
        trailers = []
        if failure.code != grpc.StatusCode.UNAUTHENTICATED:
            shown = {} if self.redact else {"status_message": failure.message}
            log.warning("call failed", extra={"method": method, "code": failure.code.name, **shown})
            if retry_pushback:
                # This worker answered: the caller's retry policy must not try again (lib/grpc: NO_RETRY_PUSHBACK).
                trailers.append(("grpc-retry-pushback-ms", "-1"))
        abort(context, failure, trailers)

    def _authenticate(self, metadata):
        """With TRACEMESH_AUTH_TOKEN set, the call must carry `authorization: Bearer <token>` (lib/grpc/auth.ts)."""
        if not self.auth_token:
            return
        presented = metadata_value(metadata, "authorization")
        match = re.fullmatch(r"Bearer\s+(.+)", presented.strip(), re.IGNORECASE) if presented else None
        if not match:
            raise with_reason(grpc.StatusCode.UNAUTHENTICATED, 'missing "authorization: Bearer <token>" metadata',
                              "TOKEN_MISSING", "auth.tracemesh")
        if not hmac.compare_digest(match.group(1).encode(), self.auth_token.encode()):
            raise with_reason(grpc.StatusCode.UNAUTHENTICATED, "the bearer token is not valid", "TOKEN_INVALID", "auth.tracemesh")


def tool_failure(tool_name, error):
    """The status for what the tool raised: the caller's mistake, or INTERNAL for a bug in the tool."""
    if isinstance(error, InvalidArguments):
        return invalid_argument(error.violations, str(error))
    if isinstance(error, UnknownLabTest):
        return not_found("lab_test", error.name, str(error))
    log.error("tool failed", extra={"tool": tool_name, "error": repr(error)})
    return with_reason(grpc.StatusCode.INTERNAL, f"{tool_name} failed: {error.__class__.__name__}",
                       "TOOL_FAILED", "lab-reference-worker.tracemesh", tool=tool_name)


def check_deadline(context):
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise RpcFailure(grpc.StatusCode.DEADLINE_EXCEEDED, "the caller's deadline passed")
    if not context.is_active():
        raise RpcFailure(grpc.StatusCode.CANCELLED, "the caller cancelled the call")


def metadata_value(metadata, key):
    return next((value for name, value in metadata if name == key and isinstance(value, str)), None)


def peer_address(context):
    return context.peer() or ""


# ------------------------------------------------------------------------------------------ settings




class JsonLogLines(logging.Formatter):
    """Log records as JSON lines shaped like the Node services' pino logs; `extra` fields join the line."""

    PINO_LEVELS = {logging.DEBUG: 20, logging.INFO: 30, logging.WARNING: 40, logging.ERROR: 50, logging.CRITICAL: 60}
    STANDARD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message"}

    def format(self, record):
        line = {"level": self.PINO_LEVELS.get(record.levelno, 30), "time": int(record.created * 1000), "pid": record.process,
                "service": SERVICE_NAME, "msg": record.getMessage()}
        line.update((key, value) for key, value in vars(record).items() if key not in self.STANDARD_FIELDS)
        if record.exc_info:
            line["err"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR, "silent": logging.CRITICAL + 1}


def port_argument(text):
    if not re.fullmatch(r"\d{1,5}", text.strip()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f'the port (--port or LAB_WORKER_PORT) must be a port number (0–65535), got "{text}"')
    return int(text)


def server_credentials():
    """TLS as lib/grpc/transport-security.ts serves it, or None for plaintext."""
    cert, key, ca, client_auth = (setting(f"TRACEMESH_TLS_{name}") for name in ("CERT", "KEY", "CA", "CLIENT_AUTH"))
    if (cert is None) != (key is None):
        raise ConfigError("TRACEMESH_TLS_CERT and TRACEMESH_TLS_KEY must be set together")
    if client_auth not in (None, "require", "none"):
        raise ConfigError(f'TRACEMESH_TLS_CLIENT_AUTH must be "require" or "none", got "{client_auth}"')
    if client_auth == "require" and ca is None:
        raise ConfigError("TRACEMESH_TLS_CLIENT_AUTH=require needs TRACEMESH_TLS_CA")
    if cert is None:
        if ca is not None:
            raise ConfigError("a TLS server needs TRACEMESH_TLS_CERT and TRACEMESH_TLS_KEY")
        return None
    try:
        read = lambda path: pathlib.Path(path).read_bytes()  # noqa: E731
        return grpc.ssl_server_credentials([(read(key), read(cert))], root_certificates=read(ca) if ca else None,
                                           require_client_auth=client_auth == "require")
    except OSError as error:
        raise ConfigError(f"cannot read a TLS file: {error}") from error


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=setting("TRACEMESH_HOST") or "127.0.0.1", help="listen address")
    parser.add_argument("--port", type=port_argument, default=setting("LAB_WORKER_PORT") or str(DEFAULT_PORT), help="listen port")
    parser.add_argument("--no-trace", action="store_true", help="export no spans")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the lab reference data (JSON)")
    return parser.parse_args(argv)


def host_port(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# ---------------------------------------------------------------------------------------------- main


def main(argv=None):
    options = parse_options(sys.argv[1:] if argv is None else argv)
    try:
        level = (setting("LOG_LEVEL") or "info").lower()
        if level not in LOG_LEVELS:
            raise ConfigError(f'LOG_LEVEL must be one of {", ".join(LOG_LEVELS)}, got "{setting("LOG_LEVEL")}"')
        redact = yes_no_setting("TRACEMESH_REDACT_PHI", False)
        tracing = yes_no_setting("TRACEMESH_TRACING", True) and not options.no_trace
        grace_ms = setting("TRACEMESH_SHUTDOWN_GRACE_MS") or "10000"
        if not grace_ms.isdigit():
            raise ConfigError(f'TRACEMESH_SHUTDOWN_GRACE_MS must be a non-negative integer, got "{grace_ms}"')
        credentials = server_credentials()
        tool = LabReferenceTool(LabReference(options.data))
        backend = trace_backend() if tracing else None
        health = HealthService([GRPC_SERVICE])
    except (ConfigError, LabDataError, ValueError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"{SERVICE_NAME}: {error}", file=sys.stderr)
        return 1

    # Everything on stderr, grpc's own records included, is one JSON object per line.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogLines())
    logging.basicConfig(level=LOG_LEVELS[level], handlers=[handler])

    instance_id = setting("TRACEMESH_INSTANCE_ID") or f"{socket.gethostname()}:{os.getpid()}"
    exporter = None
    if backend:
        exporter = SpanExporter(backend.url, backend.token, backend.project, SERVICE_NAME,
                                scope_name="tracemesh.clients.python.lab_reference_worker",
                                resource_attributes={"service.instance.id": instance_id}, warn=log.warning, info=log.info)
    servicer = ToolWorkerServicer(tool, Tracer(exporter, SERVICE_NAME, instance_id, redact, log), setting("TRACEMESH_AUTH_TOKEN"), redact)

    server = grpc.server(
        concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="rpc"),
        maximum_concurrent_rpcs=1024,
        options=[
            # Without it, grpc binds with SO_REUSEPORT and a port another process holds looks free.
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", 4 * 1024 * 1024),
            # The conversation service pings every 30 s to keep its channel alive; C-core's defaults
            # (one ping per 5 min, 2 strikes) would answer GOAWAY too_many_pings and fail long calls.
            ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_ping_strikes", 0),
            # Recycle connections (calls in flight finish) so a dns:/// pool of replicas finds new ones.
            ("grpc.max_connection_age_ms", 5 * 60_000),
        ],
    )
    toolworker_pb2_grpc.add_ToolWorkerServiceServicer_to_server(servicer, server)
    server.add_generic_rpc_handlers((health.handler(),))
    address = host_port(options.host, options.port)
    try:
        port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    except RuntimeError:
        port = 0
    if not port:
        print(f"{SERVICE_NAME}: cannot listen on {address}: the address is in use or not available here; "
              "use --port (or LAB_WORKER_PORT) or --host to choose another", file=sys.stderr)
        return 1
    health.set_serving()  # the data is loaded and the port is ours: the first Check already sees SERVING
    server.start()

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if stopping.is_set():
            log.warning("second signal: stopping now", extra={"signal": signal.Signals(signum).name})
            server.stop(0)
            os._exit(1)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    print(json.dumps({"service": SERVICE_NAME, "address": host_port(options.host, port), "port": port}, separators=(",", ":")), flush=True)
    log.info("listening", extra={"address": host_port(options.host, port), "tls": credentials is not None,
                                 "auth": bool(setting("TRACEMESH_AUTH_TOKEN")), "tracing": backend.url if backend else "off",
                                 "redact_phi": redact, "data_version": tool.reference.version, "tests": len(tool.reference.tests)})

    while not stopping.wait(3600):
        pass
    # NOT_SERVING first (Watch streams get it and end, so they do not hold up the grace period); then new
    # calls are refused, and calls in flight get up to the grace period before they are cancelled.
    health.enter_shutdown()
    log.info("stopping: calls in flight may finish", extra={"grace_ms": int(grace_ms)})
    server.stop(int(grace_ms) / 1000).wait()
    if exporter:
        exporter.close(2.0)
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
