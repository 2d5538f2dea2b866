"""Python message and client stubs, generated with protoc and grpc_python_plugin (Debian's
protobuf-compiler and protobuf-compiler-grpc) into a cache directory keyed by the protos' content,
so they are always current and never committed.

Two sets of protos: tracemesh's own (proto/), and google.rpc's Status and error details from the
npm package google-proto-files (node_modules/, there after `npm install`), because Debian ships no
googleapis-common-protos for Python.
"""
import hashlib
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO / "proto"
GOOGLE_PROTO_ROOT = REPO / "node_modules" / "google-proto-files"
TRACEMESH_PROTOS = ["tracemesh/conversation/v1/conversation.proto", "tracemesh/toolworker/v1/toolworker.proto"]
GOOGLE_RPC_PROTOS = ["google/rpc/status.proto", "google/rpc/error_details.proto"]


def _proto_files():
    if not (GOOGLE_PROTO_ROOT / GOOGLE_RPC_PROTOS[0]).exists():
        raise RuntimeError(f"{GOOGLE_PROTO_ROOT} is missing: run `npm install` in {REPO}")
    return [PROTO_ROOT / p for p in TRACEMESH_PROTOS] + [GOOGLE_PROTO_ROOT / p for p in GOOGLE_RPC_PROTOS]


# Where generated stubs are cached (one directory per content hash), shared by every generator here.
STUB_CACHE = pathlib.Path(os.environ.get("TRACEMESH_PY_STUBS", pathlib.Path(tempfile.gettempdir()) / "tracemesh-python-stubs"))


def _cache_dir():
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in _proto_files())).hexdigest()[:16]
    return STUB_CACHE / f"tracemesh-{digest}"


def build_in_place(out, build):
    """Runs build(directory) in a fresh directory beside `out` and renames it to `out`, so that
    processes starting at once never import half-written files (the first rename wins; the copies
    are the same)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(dir=out.parent, prefix=".generating-"))
    try:
        build(work)
        try:
            work.rename(out)
        except OSError:
            pass  # another process got there first
    finally:
        shutil.rmtree(work, ignore_errors=True)  # nothing left after the rename


def _generate(out):
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None:
        raise RuntimeError("grpc_python_plugin is missing: apt-get install protobuf-compiler-grpc")

    def build(work):
        # /usr/include before google-proto-files: google/protobuf/*.proto (struct, any, duration) then
        # come from Debian's protobuf, the version of the Python runtime that loads them.
        subprocess.run(
            ["protoc", f"-I{PROTO_ROOT}", "-I/usr/include", f"-I{GOOGLE_PROTO_ROOT}", f"--python_out={work}",
             f"--grpc_python_out={work}", f"--plugin=protoc-gen-grpc_python={plugin}", *TRACEMESH_PROTOS, *GOOGLE_RPC_PROTOS],
            check=True,
        )
        # tracemesh/… become regular packages. google/ gets no __init__.py: it must stay a namespace
        # package, or it would hide the installed google.protobuf.
        for directory in {work / pathlib.Path(p).parent for p in TRACEMESH_PROTOS}:
            for parent in [directory, *directory.parents]:
                if parent == work:
                    break
                (parent / "__init__.py").touch()

    build_in_place(out, build)


def load(module):
    """Imports e.g. 'tracemesh.conversation.v1.conversation_pb2_grpc' or 'google.rpc.status_pb2',
    generating the stubs first if needed."""
    out = _cache_dir()
    if not out.exists():
        _generate(out)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(module)
