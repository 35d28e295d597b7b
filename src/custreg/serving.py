"""How `custreg serve` serves: uvicorn's HTTP protocol (httptools, else h11) with
TCP_NODELAY on every connection, and several workers with a listening socket each
(`run_workers`, below).

asyncio turns Nagle's algorithm off by itself only on connections of a listening socket made
with proto=IPPROTO_TCP. uvicorn makes the socket it shares between `--workers N` with
proto 0, so every worker's connections kept Nagle, and the second part of a response waited
for the client's delayed ACK (≈ 40 ms): on PostgreSQL, 1M customers, 2 workers answered
GETs at 700 req/s, 44 ms each, with the CPU 80 % idle, where 1 worker answered 1,050 req/s
(bench/RESULTS.md, session 5). One worker's own socket was never affected."""

import copy
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import DefaultFormatter
from uvicorn.protocols.http.auto import AutoHTTPProtocol

PROTOCOL = "custreg.serving:NoDelayHTTPProtocol"  # what `custreg serve` gives uvicorn


def scrubbed_trace(exc: BaseException | None) -> str:
    """A traceback with the frames and exception types of the chain but not the messages:
    a database error's message carries the statement's values (a customer's data)."""
    chain: list[BaseException] = []
    while exc is not None and all(exc is not seen for seen in chain):
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    lines: list[str] = []
    for e in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(e.__traceback__))
        lines.append(f"{type(e).__module__}.{type(e).__qualname__} (message withheld)\n")
    return "".join(lines).rstrip("\n")


class ScrubbedFormatter(logging.Formatter):
    """custreg's log lines; exceptions without their messages (`scrubbed_trace`)."""

    def formatException(self, ei) -> str:
        return scrubbed_trace(ei[1])


class ScrubbedUvicornFormatter(DefaultFormatter):
    """uvicorn's own lines ("Exception in ASGI application"), exceptions scrubbed too."""

    def formatException(self, ei) -> str:
        return scrubbed_trace(ei[1])


def log_config(level: str) -> dict:
    """uvicorn's logging, and custreg's: the access log (`custreg.access`, one line per
    request: observe.py) on stdout, other custreg messages on stderr, at CUSTREG_LOG_LEVEL.
    No exception's message is logged, only its type and frames (`scrubbed_trace`)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = "custreg.serving.ScrubbedUvicornFormatter"
    config["formatters"]["custreg"] = {
        "()": "custreg.serving.ScrubbedFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }
    config["handlers"]["custreg"] = {
        "class": "logging.StreamHandler",
        "formatter": "custreg",
        "stream": "ext://sys.stderr",
    }
    config["handlers"]["custreg.access"] = {
        "class": "logging.StreamHandler",
        "formatter": "custreg",
        "stream": "ext://sys.stdout",
    }
    level = level.upper()
    config["loggers"]["custreg"] = {"handlers": ["custreg"], "level": level, "propagate": False}
    config["loggers"]["custreg.access"] = {"handlers": ["custreg.access"], "level": level, "propagate": False}
    return config


# uvicorn picks AutoHTTPProtocol at import time (httptools or h11) and types it as a variable.
class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the connection is already gone; the protocol will see that
                pass
        super().connection_made(transport)


# ---------------------------------------------------------------- several workers


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _listen_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


STARTUP_FAILURE_S = 10  # a worker that ends sooner than this after its start stops them all


def run_workers(count: int, host: str, port: int, loop: str, log_level: str) -> int:
    """`count` worker processes, each listening on host:port with a socket of its own
    (SO_REUSEPORT), so the kernel spreads new connections over them by address. uvicorn's
    `--workers` shares one socket, and asyncio accepts every pending connection at once, so
    the worker that woke first took a whole burst of keep-alive connections (all 32 of wrk's
    in docs/concurrency.md). A worker that dies is started again; one that fails at startup
    ends the server. SIGINT/SIGTERM stop the workers. Returns the exit code."""
    holder = _listen_socket(host, port)  # the port is ours now (an error here, not per worker)
    argv = [sys.executable, "-m", "custreg.serving", host, str(port), loop, log_level]
    stopping: list[int] = []

    def stop(signum, _frame) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    workers = [(subprocess.Popen(argv), time.monotonic()) for _ in range(count)]
    code = 0
    try:
        while not stopping:
            for i, (proc, started) in enumerate(workers):
                if proc.poll() is None:
                    continue
                if time.monotonic() - started < STARTUP_FAILURE_S:
                    code = 3  # uvicorn's STARTUP_FAILURE
                    stopping.append(0)
                    break
                workers[i] = (subprocess.Popen(argv), time.monotonic())
            time.sleep(0.2)
    finally:
        for proc, _started in workers:
            if proc.poll() is None:
                proc.terminate()
        for proc, _started in workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        holder.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


class Companion:
    """`custreg worker` (events: docs/events.md) beside the API, started again when it dies,
    as the API's workers are. `stop` ends it (SIGTERM, then SIGKILL after 30 s); it also ends
    by itself when this process is gone (uvicorn ends it by re-raising SIGTERM, past any
    `finally`)."""

    def __init__(self) -> None:
        self.argv = (sys.executable, "-m", "custreg.cli", "worker", "--parent", str(os.getpid()))

        self._stopping = threading.Event()
        self._proc: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._supervise, name="custreg-worker", daemon=True)

    def start(self) -> "Companion":
        self._thread.start()
        return self

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(self.argv)
            self._stopping.wait(1.0)  # at most one start a second, should it keep failing

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _worker(host: str, port: int, loop: str, log_level: str) -> None:
    sock = _listen_socket(host, port)
    config = uvicorn.Config(
        "custreg.main:app",
        http=PROTOCOL,
        loop=loop,
        log_level=log_level,
        log_config=log_config(log_level),
        access_log=False,  # custreg's own (observe.py) names the route template, not the path
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    _worker(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
