"""tracemesh's message and client stubs, generated from proto/ with protoc and grpc_python_plugin
(Debian's protobuf-compiler and protobuf-compiler-grpc) into a cache directory keyed by the protos'
content, so they are always current and never committed."""
import hashlib
import importlib
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO / "proto"
PROTOS = ["tracemesh/conversation/v1/conversation.proto", "tracemesh/toolworker/v1/toolworker.proto"]


def _cache_dir():
    digest = hashlib.sha256(b"".join((PROTO_ROOT / p).read_bytes() for p in PROTOS)).hexdigest()[:16]
    base = pathlib.Path(os.environ.get("TRACEMESH_PY_STUBS", pathlib.Path(tempfile.gettempdir()) / "tracemesh-python-stubs"))
    return base / f"tracemesh-{digest}"


def load(module):
    """Imports e.g. 'tracemesh.conversation.v1.conversation_pb2_grpc', generating the stubs first if needed."""
    out = _cache_dir()
    if not (out / ".complete").exists():
        out.mkdir(parents=True, exist_ok=True)
        plugin = subprocess.run(["which", "grpc_python_plugin"], capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run(
            ["protoc", f"-I{PROTO_ROOT}", "-I/usr/include", f"--python_out={out}", f"--grpc_python_out={out}",
             f"--plugin=protoc-gen-grpc_python={plugin}", *PROTOS],
            check=True,
        )
        for directory in {out / pathlib.Path(p).parent for p in PROTOS}:
            for parent in [directory, *directory.parents]:
                if parent == out or out not in parent.parents:
                    break
                (parent / "__init__.py").touch()
        (out / ".complete").touch()
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(module)
