"""uvicorn's HTTP protocol (httptools, else h11) with TCP_NODELAY on every connection.

asyncio turns Nagle's algorithm off by itself only on connections of a listening socket made
with proto=IPPROTO_TCP. uvicorn makes the socket it shares between `--workers N` with
proto 0, so every worker's connections kept Nagle, and the second part of a response waited
for the client's delayed ACK (≈ 40 ms): on PostgreSQL, 1M customers, 2 workers answered
GETs at 700 req/s, 44 ms each, with the CPU 80 % idle, where 1 worker answered 1,050 req/s
(bench/RESULTS.md, session 5). One worker's own socket was never affected."""

import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

PROTOCOL = "custreg.serving:NoDelayHTTPProtocol"  # what `custreg serve` gives uvicorn


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the connection is already gone; the protocol will see that
                pass
        super().connection_made(transport)
