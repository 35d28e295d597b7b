"""`custreg serve`: every connection gets TCP_NODELAY, and `--workers 2` serves from two
processes with a listening socket each (custreg/serving.py says why for both)."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx
import uvicorn
from conftest import ADMIN

from custreg import serving


class _Probe(serving.NoDelayHTTPProtocol):
    nodelay: ClassVar[list[int]] = []

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        _Probe.nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_connections_of_a_socket_made_as_uvicorns_workers_share_it_get_tcp_nodelay(app):
    # uvicorn's socket for --workers N: socket.socket(AF_INET), proto 0, on which asyncio
    # leaves Nagle's algorithm on.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=_Probe, loop="asyncio", lifespan="off", log_level="warning"))
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


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _held(pid: int, port: int, state: str) -> int:
    """Sockets on local `port` in `state` (01 established, 0A listening) that process `pid`
    holds (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == state and f[9] in inodes:
                count += 1
    return count


def test_serve_with_two_workers_answers(database_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(
        CUSTREG_DATABASE_URL=database_url,
        CUSTREG_ADMIN_TOKEN=ADMIN,
        CUSTREG_HOST="127.0.0.1",
        CUSTREG_PORT=str(port),
        CUSTREG_LOG_LEVEL="warning",
    )
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("custreg")), "serve", "--workers", "2", "--no-migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, answer = time.monotonic() + 120, None
        while answer is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/v1/companies", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=2
                )
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer is not None, (tmp_path / "serve.log").read_text()[-2000:]
        assert answer.status_code == 200, answer.text
        if sys.platform == "linux":
            # 16 keep-alive connections opened in a burst are spread over both workers
            # (a socket each, SO_REUSEPORT); with one shared socket one worker took them all.
            deadline = time.monotonic() + 60
            while sum(_held(w, port, "0A") for w in _children(proc.pid)) < 2:  # both listening
                assert time.monotonic() < deadline, "the second worker did not start"
                time.sleep(0.1)
            conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
            try:
                for c in conns:  # every one answered: accepted by some worker
                    c.sendall(b"GET /health HTTP/1.1\r\nHost: custreg\r\n\r\n")
                    assert c.recv(64).startswith(b"HTTP/1.1 200")
                held = [_held(w, port, "01") for w in _children(proc.pid)]
                assert sum(held) == 16 and sorted(held)[-2] > 0, held
            finally:
                for c in conns:
                    c.close()
    finally:
        proc.terminate()
        proc.wait(30)
