"""Spans from Python processes to the trace backend, as OTLP/JSON (standard library only).

`trace_backend()` says where spans go: Braintrust when BRAINTRUST_API_KEY is set, else the local
trace store — the choice the Node services make. `export_spans` posts one batch synchronously and
never raises: what chat.py uses at the end of a conversation. `SpanExporter` is for servers:
`export()` only puts a span on a bounded queue, and a background thread posts what is queued about
once a second, so an RPC never waits for the trace backend. A backend that is down or hung costs
queued spans (dropped and counted once the queue is full) and one warning line on stderr — never a
failed or slow call.

Spans are OTLP/JSON span objects (hex ids, nanosecond times as strings), e.g.

    {"traceId": "…32 hex…", "spanId": "…16 hex…", "parentSpanId": "…", "name": "lookup_lab_reference",
     "kind": 1, "startTimeUnixNano": "…", "endTimeUnixNano": "…",
     "attributes": [attribute("braintrust.input_json", "{…}")], "status": {"code": 0}}

They are posted to `<backend url>/otel/v1/traces` with `authorization: Bearer <token>`, and
`x-bt-parent: project_name:<project>` files them under the project.
"""
import json
import os
import queue
import sys
import threading
import time
import typing
import urllib.error
import urllib.request

DEFAULT_SERVICE_NAME = "tracemesh-python-client"
DEFAULT_SCOPE_NAME = "tracemesh.clients.python"
DEFAULT_BRAINTRUST_API_URL = "https://api.braintrust.dev"
DEFAULT_TRACESTORE_PORT = 8790


class TraceBackend(typing.NamedTuple):
    kind: str      # "braintrust" or "local" (the trace store)
    url: str       # spans go to <url>/otel/v1/traces
    token: str     # the Bearer token
    project: str   # the Braintrust project the spans are filed under


def trace_backend(environ=os.environ):
    """Where spans go, decided as lib/config.ts tracingConfig() decides it for the Node services.

    With BRAINTRUST_API_KEY: Braintrust at BRAINTRUST_API_URL (default https://api.braintrust.dev),
    the key as token. Otherwise the local trace store: TRACESTORE_URL, else this machine on
    TRACESTORE_PORT (default 8790), token TRACESTORE_TOKEN (default "local"). The project is
    BRAINTRUST_PROJECT (default "tracemesh"). Raises ValueError for a TRACESTORE_PORT that is no port.
    """
    def setting(name):
        return environ.get(name, "").strip() or None

    project = setting("BRAINTRUST_PROJECT") or "tracemesh"
    api_key = setting("BRAINTRUST_API_KEY")
    if api_key:
        return TraceBackend("braintrust", setting("BRAINTRUST_API_URL") or DEFAULT_BRAINTRUST_API_URL, api_key, project)
    url = setting("TRACESTORE_URL")
    if url is None:
        port = setting("TRACESTORE_PORT") or str(DEFAULT_TRACESTORE_PORT)
        if not (port.isascii() and port.isdigit() and int(port) <= 65535):
            raise ValueError(f'TRACESTORE_PORT must be a port number (0–65535), got "{port}"')
        # 0 (a store started on any free port) names nothing to connect to.
        url = f"http://127.0.0.1:{int(port) or DEFAULT_TRACESTORE_PORT}"
    return TraceBackend("local", url, setting("TRACESTORE_TOKEN") or "local", project)


def attribute(key, value):
    """One OTLP attribute: {"key": …, "value": {"stringValue" | "boolValue" | "intValue" | "doubleValue": …}}."""
    if isinstance(value, bool):
        typed = {"boolValue": value}
    elif isinstance(value, int):
        typed = {"intValue": str(value)}  # int64 travels as a string in OTLP/JSON
    elif isinstance(value, float):
        typed = {"doubleValue": value}
    else:
        typed = {"stringValue": str(value)}
    return {"key": key, "value": typed}


def _request_body(spans, service_name, scope_name, resource_attributes):
    resource = [attribute("service.name", service_name)]
    resource += [attribute(key, value) for key, value in (resource_attributes or {}).items() if key != "service.name"]
    return {
        "resourceSpans": [{
            "resource": {"attributes": resource},
            "scopeSpans": [{"scope": {"name": scope_name}, "spans": spans}],
        }]
    }


def _post_spans(backend_url, token, project, spans, service_name, scope_name, resource_attributes, timeout):
    """Posts one batch; raises on any failure (the callers decide how loudly to report it)."""
    body = _request_body(spans, service_name, scope_name, resource_attributes)
    request = urllib.request.Request(
        backend_url.rstrip("/") + "/otel/v1/traces",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}", "x-bt-parent": f"project_name:{project}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


def export_spans(backend_url, token, project, spans, service_name=DEFAULT_SERVICE_NAME, scope_name=DEFAULT_SCOPE_NAME,
                 resource_attributes=None, timeout=5.0, warn=True):
    """Sends finished spans to the trace backend's OTLP/JSON endpoint (best effort: never raises).

    Returns True when the backend took them (or there was nothing to send). On failure a warning goes
    to stderr unless `warn` is false.
    """
    if not backend_url or not spans:
        return True
    try:
        _post_spans(backend_url, token, project, spans, service_name, scope_name, resource_attributes, timeout)
        return True
    except Exception as error:  # noqa: BLE001 — a tracing failure must never fail the caller, whatever it is
        if warn:
            print(f"warning: spans not exported: {error}", file=sys.stderr)
        return False


def _worth_retrying(error):
    """A batch is sent again after a network failure, a timeout, 408, 429 or a 5xx — not after another 4xx."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code in (408, 429) or error.code >= 500
    return True


def _stderr_warning(message):
    print(f"warning: {message}", file=sys.stderr, flush=True)


class SpanExporter:
    """Exports spans in the background: bounded queue, a batch about every `interval_s`, flush on close().

    `export(span)` never blocks: past `max_queued` waiting spans new ones are dropped and counted.
    While the backend is unreachable, slow or failing (5xx), spans wait (up to the bound) and the
    next round sends them again; a batch it refuses outright (4xx) is dropped. One warning is
    printed when it starts failing and one line when it answers again.
    """

    def __init__(self, backend_url, token, project, service_name, *, scope_name=DEFAULT_SCOPE_NAME, resource_attributes=None,
                 max_queued=10_000, batch_size=512, interval_s=1.0, request_timeout_s=5.0, warn=_stderr_warning, info=None):
        self._post = lambda spans, timeout: _post_spans(backend_url, token, project, spans, service_name, scope_name,
                                                        resource_attributes, timeout)
        self._backend_url = backend_url
        self._queue = queue.Queue(maxsize=max_queued)
        self._max_queued = max_queued
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._request_timeout_s = request_timeout_s
        self._warn = warn
        self._info = info or warn
        self._lock = threading.Lock()
        self._dropped = 0          # spans lost: queue full, a failed batch, or still queued at close
        self._exported = 0
        self._failing = False      # the backend's last answer was a failure (so we warned already)
        self._dropped_at_failure = 0
        self._batch = []           # the batch being sent, kept until the backend takes it (or refuses it)
        self._stop = threading.Event()
        self._close_deadline = None
        self._thread = threading.Thread(target=self._run, name="span-exporter", daemon=True)
        self._thread.start()

    @property
    def dropped(self):
        with self._lock:
            return self._dropped

    @property
    def exported(self):
        with self._lock:
            return self._exported

    def export(self, span):
        """Queues one finished span; never blocks and never raises."""
        if self._stop.is_set():
            self._count_dropped(1)
            return
        try:
            self._queue.put_nowait(span)
        except queue.Full:
            self._count_dropped(1)

    def close(self, timeout_s=2.0):
        """Stops the thread after one last attempt to send what is queued, waiting at most `timeout_s`."""
        if self._stop.is_set():
            return
        self._close_deadline = time.monotonic() + timeout_s
        self._stop.set()
        self._thread.join(timeout_s + 0.5)
        left = self._queue.qsize() + len(self._batch)
        if left:
            self._count_dropped(left)
        if self.dropped:
            self._warn(f"{self.dropped} spans were not exported to {self._backend_url} (backend unreachable or too slow)")

    def _count_dropped(self, count):
        with self._lock:
            self._dropped += count

    def _run(self):
        while True:
            closing = self._stop.wait(self._interval_s)
            self._send_queued(closing)
            if closing:
                return

    def _take_batch(self):
        batch = []
        while len(batch) < self._batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _send_queued(self, closing):
        """Sends everything queued, batch by batch; stops at the first failure (the rest waits)."""
        while True:
            timeout = self._request_timeout_s
            if closing:
                timeout = min(timeout, self._close_deadline - time.monotonic())
                if timeout <= 0:
                    return
            if not self._batch:
                self._batch = self._take_batch()
            if not self._batch:
                return
            try:
                self._post(self._batch, timeout)
            except Exception as error:  # noqa: BLE001 — see export_spans: never let tracing escape
                self._backend_failed(error)
                if not _worth_retrying(error):
                    self._count_dropped(len(self._batch))
                    self._batch = []
                return
            self._backend_answered(len(self._batch))
            self._batch = []

    def _backend_failed(self, error):
        if self._failing:
            return
        self._failing = True
        self._dropped_at_failure = self.dropped
        self._warn(f"trace backend {self._backend_url} is not taking spans ({error}); up to {self._max_queued} spans wait for it "
                   "and later ones are dropped — calls are not affected")

    def _backend_answered(self, count):
        with self._lock:
            self._exported += count
        if self._failing:
            self._failing = False
            self._info(f"trace backend {self._backend_url} answers again ({self.dropped - self._dropped_at_failure} spans dropped meanwhile)")
