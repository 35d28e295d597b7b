"""Events' test tools (docs/events.md): a real webhook receiver on 127.0.0.1, `custreg worker`
in a process of its own, the test app that may send webhooks to 127.0.0.1."""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from access_util import bearer, own_app
from conftest import ADMIN
from cryptography.fernet import Fernet
from serve_util import CUSTREG

KEY = Fernet.generate_key().decode()  # this run's key of the signing secrets (app and workers)
# Fast retries, a short lease (a killed worker's deliveries come back soon), quick polling.
WORKER_ENV = {
    "CUSTREG_WEBHOOK_ALLOW_PRIVATE": "true",
    "CUSTREG_WEBHOOK_SECRET_KEY": KEY,
    "CUSTREG_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    "CUSTREG_WEBHOOK_RETRY_MAX_SECONDS": "1",
    "CUSTREG_WEBHOOK_DISABLE_AFTER": "5",
    "CUSTREG_WORKER_POLL_SECONDS": "0.1",
    "CUSTREG_WORKER_LEASE_SECONDS": "3",
    "CUSTREG_LOG_LEVEL": "warning",
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; `answer(path, body)` picks the status (200 unless told), `reply(path,
    body)` the body of a success (`{"ok": true}` unless told)."""

    url: str
    got: list[Received] = field(default_factory=list)
    answer: Callable[[str, bytes], int] = lambda _path, _body: 200
    reply: Callable[[str, bytes], bytes] = lambda _path, _body: b'{"ok": true}'
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.got if r.path == path]

    def wait(self, path: str, until: Callable[[list[Received]], bool], timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            seen = self.at(path)
            if until(seen):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(seen)} received: {[r.event['type'] for r in seen][-20:]}")
            time.sleep(0.05)


@contextmanager
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec = box[0]
            status = rec.answer(self.path, body)
            with rec.lock:
                rec.got.append(Received(self.path, dict(self.headers), body))
            answer = rec.reply(self.path, body) if status < 300 else b"try again later " * 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # 5 (the default) drops the worker's connects: 1 s SYN retries
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class WorkerProcess:
    proc: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def worker(database_url: str, **env: str) -> Iterator[Callable[[], WorkerProcess]]:
    """`start()` runs `custreg worker` (again after a kill); all are stopped at the end."""
    started: list[WorkerProcess] = []
    folder = Path(tempfile.mkdtemp(prefix="custreg-worker-"))

    def start() -> WorkerProcess:
        log = folder / f"worker-{len(started)}.log"
        environ = {
            **os.environ,
            **WORKER_ENV,
            "CUSTREG_DATABASE_URL": database_url,
            "CUSTREG_DATA_DIR": str(folder),
            **env,
        }
        with log.open("wb") as out:
            proc = subprocess.Popen([CUSTREG, "worker"], env=environ, stdout=out, stderr=subprocess.STDOUT)
        started.append(WorkerProcess(proc, log))
        return started[-1]

    try:
        yield start
    finally:
        for w in started:
            if w.proc.poll() is None:
                w.proc.send_signal(signal.SIGTERM)
        for w in started:
            try:
                w.proc.wait(30)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()


@pytest.fixture(scope="module")
def events_client(database_url):
    """The API with webhooks to 127.0.0.1 allowed and this run's key (as the workers have)."""
    with own_app(database_url, webhook_allow_private=True, webhook_secret_key=KEY) as http:
        http.headers.update(bearer(ADMIN))
        yield http


def add_webhook(client, cuid: str, url: str, **fields) -> dict:
    r = client.post(f"/v1/companies/{cuid}/webhooks", json={"url": url, **fields})
    assert r.status_code == 201, r.text
    return r.json()
