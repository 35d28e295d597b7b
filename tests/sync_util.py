"""Helpers of the sync/export/import tests: a real uvicorn server (threaded units, so
requests really run concurrently), the CLI as a subprocess, CSV parsing."""

import csv
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import httpx
from conftest import ADMIN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(database_url: str, *, workers: int = 1):
    """`uvicorn custreg.main:app` on the test database with CUSTREG_DB_EXECUTION=thread."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        CUSTREG_DATABASE_URL=database_url,
        CUSTREG_ADMIN_TOKEN=ADMIN,
        CUSTREG_DB_EXECUTION="thread",
        CUSTREG_RATE_LIMIT_PER_SECOND="0",
    )
    # The server's log goes to a file: a pipe nobody reads would fill up and block it.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "custreg.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180  # a busy machine imports slowly
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.seek(0)
            errors = log.read().decode(errors="replace")
            if "Traceback" in errors:
                print(f"server log:\n{errors[-5000:]}", file=sys.stderr)


def http(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60)


def custreg_cli(database_url: str, *args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "custreg.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
