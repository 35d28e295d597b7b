"""Per-request cost of the operational layer (request id, RateLimit-* headers, access log,
metrics: `observe.Observe`; docs/operations.md), CPU time per request (robust on a shared,
busy machine):

1. the middleware alone around a trivial ASGI app, 100,000 requests, without and with the
   access log written (to /dev/null through Python's logging);
2. GET of one customer with a client token through the whole app in one event loop, with
   the layer and with it taken out of the same app's middleware, one request of each in
   turn (a GET costs hundreds of µs: the difference is near the noise of a busy machine).

    .venv/bin/python bench/ops_overhead.py          # SQLite in a temp dir
    ACCESS_LOG=1 .venv/bin/python bench/ops_overhead.py   # part 2 with the access log written
"""

import asyncio
import logging
import os
import statistics
import tempfile
import time

import httpx

from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.metrics import RequestStats
from custreg.observe import Observe
from custreg.settings import Settings

URL = os.environ.get("BENCH_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
N = int(os.environ.get("N", "5000"))


def _app(observe: bool):
    app = create_app(Settings(database_url=URL, admin_token="bench-admin", rate_limit_per_second=1e6))
    if not observe:  # the same app without the layer (the stack is built on the first request)
        app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ != "Observe"]
    return app


async def _token(c: httpx.AsyncClient, cuid: str, admin: dict) -> str:
    body = {"name": "bench", "companies": [cuid], "scopes": ["customers:read"]}
    made = (await c.post("/v1/clients", json=body, headers=admin)).json()
    form = {"grant_type": "client_credentials", "client_id": made["clientId"], "client_secret": made["clientSecret"]}
    return (await c.post("/oauth/token", data=form)).json()["access_token"]


async def _bare(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _alone(app, n: int = 100_000) -> float:
    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message) -> None:
        pass

    t0 = time.process_time()
    for _ in range(n):
        headers = [(b"host", b"bench"), (b"authorization", b"Bearer x"), (b"accept", b"*/*")]
        await app({"type": "http", "method": "GET", "path": "/x", "headers": headers, "state": {}}, receive, send)
    return (time.process_time() - t0) / n * 1e6


def _log_to_devnull() -> None:
    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("custreg.access").addHandler(handler)
    logging.getLogger("custreg.access").setLevel(logging.INFO)


async def main() -> None:
    observed = Observe(_bare, RequestStats())
    for written in (False, True):
        if written:
            _log_to_devnull()
        bare = min([await _alone(_bare) for _ in range(3)])
        alone = min([await _alone(observed) for _ in range(3)])
        print(f"middleware alone: {alone - bare:.1f} us per request (access log {'' if written else 'not '}written)")
    if not os.environ.get("ACCESS_LOG"):
        logging.getLogger("custreg.access").setLevel(logging.WARNING)
    upgrade(URL)
    apps = {"with the layer": _app(True), "without": _app(False)}
    admin = {"Authorization": "Bearer bench-admin"}
    clients = {
        k: httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://bench") for k, a in apps.items()
    }
    first = clients["with the layer"]
    cuid = f"bench-{os.getpid()}"
    await first.post("/v1/companies", json={"cuid": cuid, "name": "Bench", "countryCode": "FI"}, headers=admin)
    customer = (await first.post(f"/v1/companies/{cuid}/customers", json={"lastName": "X"}, headers=admin)).json()
    path = f"/v1/companies/{cuid}/customers/{customer['customerNumber']}"
    token = {"Authorization": f"Bearer {await _token(first, cuid, admin)}"}
    for c in clients.values():  # warm up
        for _ in range(100):
            await c.get(path, headers=token)
    # One request of each in turn, so a change of the machine's load hits both alike; the
    # CPU time of each request, compared by median and by the mean of the middle 80 %
    # (a request preempted by another process counts its cache misses, not its work).
    results: dict[str, list[int]] = {k: [] for k in clients}
    pairs = list(clients.items())
    for i in range(N):
        for kind, c in pairs if i % 2 else pairs[::-1]:
            t0 = time.process_time_ns()
            r = await c.get(path, headers=token)
            results[kind].append(time.process_time_ns() - t0)
            assert r.status_code == 200
    for c in clients.values():
        await c.aclose()
    summary = {}
    for kind, ns in results.items():
        ns.sort()
        cut = len(ns) // 10
        summary[kind] = (statistics.median(ns) / 1000, statistics.fmean(ns[cut:-cut]) / 1000)
        print(f"{kind:16s} median {summary[kind][0]:6.1f} us CPU  trimmed mean {summary[kind][1]:6.1f} us")
    (m1, t1), (m0, t0_) = summary.values()
    print(f"overhead: {m1 - m0:.1f} us (medians), {t1 - t0_:.1f} us (trimmed means); {N} GETs each, client token")


if __name__ == "__main__":
    asyncio.run(main())
