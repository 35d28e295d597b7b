"""`custreg serve` as an operator starts it (the installed command, as `make run` does), in a
process of its own, with the environment given."""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

CUSTREG = str(Path(sys.executable).parent / "custreg")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    base: str
    log: IO[bytes]

    def output(self) -> str:
        """What the command printed so far (stdout and stderr)."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@contextmanager
def custreg_serve(env: dict[str, str], cwd: Path, log_level: str = "warning") -> Iterator[Served]:
    """`custreg serve` with `env` (its CUSTREG_PORT chosen here), until /health answers."""
    port = free_port()
    env = {**env, "CUSTREG_HOST": "127.0.0.1", "CUSTREG_PORT": str(port), "CUSTREG_LOG_LEVEL": log_level}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([CUSTREG, "serve"], env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}", log)
        try:
            deadline = time.monotonic() + 180  # a busy machine imports slowly
            while True:
                try:
                    if httpx.get(f"{served.base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {served.output()[-2000:]}")
                time.sleep(0.2)
            yield served
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
