"""Helpers of the reliability tests (issue 9): the service as a real uvicorn subprocess
that can be started, killed with SIGKILL (its whole process group, workers included)
and started again on the same database."""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import httpx
import psycopg
from conftest import ADMIN
from sqlalchemy.engine import make_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m uvicorn custreg.main:app` with CUSTREG_* env on a given database."""

    def __init__(self, database_url: str, *, workers: int = 1, **settings: str) -> None:
        self.database_url = database_url
        self.workers = workers
        self.settings = {f"CUSTREG_{k.upper()}": str(v) for k, v in settings.items()}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        # The server's log goes to a file: a pipe nobody reads would block it once full.
        # Each start appends to it; the child keeps its own descriptor, ours is closed at once.
        with tempfile.NamedTemporaryFile(prefix="custreg-server-", suffix=".log", delete=False) as log:
            self.log_path = log.name

    def start(self, timeout: float = 60) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(
            CUSTREG_DATABASE_URL=self.database_url,
            CUSTREG_ADMIN_TOKEN=ADMIN,
            CUSTREG_RATE_LIMIT_PER_SECOND="0",
            **self.settings,
        )
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "custreg.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the server and its workers: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._reap()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            try:  # workers of a killed supervisor: same process group
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc = None

    def log_tail(self, chars: int = 3000) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()[-chars:]

    def http(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=timeout)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def lock_held_elsewhere(database_url: str, cuid: str):
    """Another process's lock that a write in `cuid` must wait for: SQLite's one write lock
    (`BEGIN IMMEDIATE` on the same file), or on PostgreSQL the company row's lock (a create
    takes its customer number by updating that row)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        conn.execute("SELECT 1 FROM companies WHERE cuid = %s FOR UPDATE", (cuid,))
    try:
        yield
    finally:
        conn.rollback()
        conn.close()
