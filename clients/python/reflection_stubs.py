"""Message classes of the gRPC reflection protocol, generated on first use with protoc from Debian's
grpc-proto into a cache directory under a private package prefix (generated under their real
`grpc.` name, they would shadow the grpcio package)."""
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

GRPC_PROTO_DIR = pathlib.Path("/usr/share/grpc-proto")
CACHE = pathlib.Path(os.environ.get("TRACEMESH_PY_STUBS", pathlib.Path(tempfile.gettempdir()) / "tracemesh-python-stubs"))
PREFIX = "tmext"


def load_reflection_module(version):
    module_name = f"{PREFIX}.grpc.reflection.{version}.reflection_pb2"
    target = CACHE / PREFIX / "grpc" / "reflection" / version / "reflection_pb2.py"
    if not target.exists():
        source_root = CACHE / "src"
        proto = source_root / PREFIX / "grpc" / "reflection" / version / "reflection.proto"
        proto.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(GRPC_PROTO_DIR / "grpc" / "reflection" / version / "reflection.proto", proto)
        subprocess.run(
            ["protoc", f"-I{source_root}", f"--python_out={CACHE}", str(proto.relative_to(source_root))],
            check=True,
        )
        for directory in [CACHE / PREFIX, *target.parents]:
            if CACHE in directory.parents or directory == CACHE / PREFIX:
                (directory / "__init__.py").touch()
    if str(CACHE) not in sys.path:
        sys.path.insert(0, str(CACHE))
    return importlib.import_module(module_name)
