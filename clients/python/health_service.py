"""grpc.health.v1 for a Python tool service: Check and Watch, as the Node services serve them
(lib/grpc/server.ts), without Debian's missing grpc_health package.

The message classes are generated on first use with protoc from Debian's grpc-proto
(/usr/share/grpc-proto/grpc/health/v1/health.proto) into the stub cache, under a private package
prefix (generated under their real `grpc.` name they would shadow the grpcio package), in a
directory keyed by the proto's content and renamed into place, so processes starting at once never
import half-written files. The service itself is a generic handler: its full name on the wire is
grpc.health.v1.Health whatever the Python module is called.

    health = HealthService(["tracemesh.toolworker.v1.ToolWorkerService"])   # "" (the server) is always there
    server.add_generic_rpc_handlers((health.handler(),))
    health.set_serving()       # SERVING: every name
    health.enter_shutdown()    # NOT_SERVING for good; open Watch streams get it and then end

Check answers a name it does not know NOT_FOUND. Watch sends the current status at once and every
change after it (SERVICE_UNKNOWN for a name it does not know, and keeps the stream open). A Watch
stream holds no thread of the server's pool while it waits (grpcio's experimental_non_blocking
streaming), and at most MAX_WATCHERS are open at once (more are RESOURCE_EXHAUSTED), so probes
can never take the slots tool calls need. Once shutdown begins, a Watch stream gets NOT_SERVING and
ends (status OK: the protocol's "retry with backoff"), so it does not hold up the server's grace
period. No authentication and no spans: health stays open for probes, like the Node services'.
"""
import hashlib
import importlib
import pathlib
import shutil
import subprocess
import sys
import threading

import grpc

from generated_stubs import STUB_CACHE, build_in_place

HEALTH_PROTO = pathlib.Path("/usr/share/grpc-proto/grpc/health/v1/health.proto")
PREFIX = "tmhealth"
SERVICE = "grpc.health.v1.Health"
MAX_WATCHERS = 100
# How long enter_shutdown() waits for open Watch streams to take their last message.
SHUTDOWN_NOTIFY_TIMEOUT_S = 1.0


def load_health_module():
    """The generated `health_pb2` (HealthCheckRequest, HealthCheckResponse), generating it first if needed."""
    if not HEALTH_PROTO.exists():
        raise RuntimeError(f"{HEALTH_PROTO} is missing: apt-get install grpc-proto")
    digest = hashlib.sha256(HEALTH_PROTO.read_bytes()).hexdigest()[:16]
    out = STUB_CACHE / f"health-{digest}"
    if not (out / PREFIX / "grpc" / "health" / "v1" / "health_pb2.py").exists():
        _generate(out)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(f"{PREFIX}.grpc.health.v1.health_pb2")


def _generate(out):
    def build(work):
        # protoc reads the proto from a copy under the private prefix, and writes beside it.
        proto = work / PREFIX / "grpc" / "health" / "v1" / "health.proto"
        proto.parent.mkdir(parents=True)
        shutil.copy(HEALTH_PROTO, proto)
        subprocess.run(["protoc", f"-I{work}", f"--python_out={work}", str(proto.relative_to(work))], check=True)
        proto.unlink()
        for directory in [work / PREFIX, work / PREFIX / "grpc", work / PREFIX / "grpc" / "health", work / PREFIX / "grpc" / "health" / "v1"]:
            (directory / "__init__.py").touch()

    build_in_place(out, build)


class HealthService:
    """The serving status of the server ("") and of each named service, and the Health RPCs over it."""

    def __init__(self, services):
        self.pb = load_health_module()
        self._status = {name: self.pb.HealthCheckResponse.NOT_SERVING for name in ["", *services]}
        self._watchers = {}  # service name -> set of send callbacks
        self._watcher_count = 0
        self._shutting_down = False
        self._lock = threading.Lock()

    # -- state

    def set_serving(self):
        self._set_all(self.pb.HealthCheckResponse.SERVING)

    def enter_shutdown(self):
        """NOT_SERVING from now on (set_serving no longer changes it); Watch streams get it, then end."""
        self._set_all(self.pb.HealthCheckResponse.NOT_SERVING, final=True)

    def status(self, service=""):
        with self._lock:
            return self._status.get(service)

    def _set_all(self, status, final=False):
        with self._lock:
            if self._shutting_down:
                return
            self._shutting_down = final
            for name in self._status:
                self._status[name] = status
            sends = [(send, name) for name, watchers in self._watchers.items() if name in self._status for send in watchers]
            if final:
                # Every stream ends, those watching unknown names too.
                sends = [(send, name) for name, watchers in self._watchers.items() for send in watchers]
                self._watchers.clear()
        response = self.pb.HealthCheckResponse(status=status)
        if not final:
            for send, _ in sends:
                send(response)
            return
        # A watcher that does not read could block a send: deliver from a helper thread, waiting a bounded time.
        def deliver():
            for send, name in sends:
                send(response if name in self._status else self.pb.HealthCheckResponse(status=self.pb.HealthCheckResponse.SERVICE_UNKNOWN))
                send(None)  # ends the stream with OK
        helper = threading.Thread(target=deliver, name="health-shutdown", daemon=True)
        helper.start()
        helper.join(SHUTDOWN_NOTIFY_TIMEOUT_S)

    # -- RPCs

    def check(self, request, context):
        status = self.status(request.service)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f'unknown service "{request.service[:200]}"')
        return self.pb.HealthCheckResponse(status=status)

    def watch(self, request, context, send_response_callback):
        service = request.service
        with self._lock:
            # The first message goes out under the lock, so no change can slip in before it (as grpc_health does).
            if self._watcher_count >= MAX_WATCHERS:
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, f"too many health watchers (at most {MAX_WATCHERS})")
            send_response_callback(self.pb.HealthCheckResponse(status=self._status.get(service, self.pb.HealthCheckResponse.SERVICE_UNKNOWN)))
            if self._shutting_down:
                send_response_callback(None)  # ends the stream (OK): this server is going away
                return
            self._watchers.setdefault(service, set()).add(send_response_callback)
            self._watcher_count += 1
        if not context.add_callback(lambda: self._forget(service, send_response_callback)):
            self._forget(service, send_response_callback)  # the call ended already

    def _forget(self, service, send):
        with self._lock:
            watchers = self._watchers.get(service)
            if watchers is not None and send in watchers:
                watchers.discard(send)
                if not watchers:
                    del self._watchers[service]
            self._watcher_count -= 1

    def handler(self):
        """The generic handler to add to a grpc.server."""
        def watch(request, context, send_response_callback):
            self.watch(request, context, send_response_callback)
        # grpcio then calls it with a send callback and frees the pool thread when it returns.
        watch.experimental_non_blocking = True
        return grpc.method_handlers_generic_handler(SERVICE, {
            "Check": grpc.unary_unary_rpc_method_handler(
                self.check, request_deserializer=self.pb.HealthCheckRequest.FromString,
                response_serializer=self.pb.HealthCheckResponse.SerializeToString),
            "Watch": grpc.unary_stream_rpc_method_handler(
                watch, request_deserializer=self.pb.HealthCheckRequest.FromString,
                response_serializer=self.pb.HealthCheckResponse.SerializeToString),
        })
