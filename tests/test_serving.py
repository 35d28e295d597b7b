"""`custreg serve`: every connection gets TCP_NODELAY (custreg/serving.py says why), and
`--workers 2` serves with that protocol."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from conftest import ADMIN
from custreg import serving


class _Probe(serving.NoDelayHTTPProtocol):
    nodelay: list[int] = []

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        _Probe.nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_connections_of_a_socket_made_as_uvicorns_workers_share_it_get_tcp_nodelay(app):
    # uvicorn's socket for --workers N: socket.socket(AF_INET), proto 0, on which asyncio
    # leaves Nagle's algorithm on.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=_Probe, loop="asyncio", lifespan="off",
                                           log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        host, port = sock.getsockname()
        with httpx.Client(base_url=f"http://{host}:{port}") as client:
            assert client.get("/health").status_code == 200
            assert client.get("/health").status_code == 200  # the same connection
    finally:
        server.should_exit = True
        thread.join(30)
    assert _Probe.nodelay and all(_Probe.nodelay), _Probe.nodelay


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_two_workers_answers(database_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(CUSTREG_DATABASE_URL=database_url, CUSTREG_ADMIN_TOKEN=ADMIN, CUSTREG_HOST="127.0.0.1",
               CUSTREG_PORT=str(port), CUSTREG_LOG_LEVEL="warning")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("custreg")), "serve", "--workers", "2",
                             "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 120, None
        while answer is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v1/companies",
                                   headers={"Authorization": f"Bearer {ADMIN}"}, timeout=2)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer is not None, (tmp_path / "serve.log").read_text()[-2000:]
        assert answer.status_code == 200, answer.text
    finally:
        proc.terminate()
        proc.wait(30)
