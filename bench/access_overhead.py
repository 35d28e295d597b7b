"""Per-request cost of authentication on the hot path (docs/access.md).

GET of one customer through the ASGI app in one event loop (no TestClient thread hops),
with the admin token, a client token, and a client token with the per-request read of the
client's current grants (revocation, scopes, companies: `clients.current_grants`) stubbed out. Reports CPU time per request (robust on a shared, busy machine).

    .venv/bin/python bench/access_overhead.py          # SQLite in a temp dir
    BENCH_URL=postgresql+psycopg://... .venv/bin/python bench/access_overhead.py
"""

import asyncio
import os
import statistics
import tempfile
import time

import httpx

from custreg.access import clients as clients_mod
from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings

URL = os.environ.get("BENCH_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
N, ROUNDS = int(os.environ.get("N", "300")), int(os.environ.get("ROUNDS", "5"))


async def main() -> None:
    upgrade(URL)
    app = create_app(Settings(database_url=URL, admin_token="bench-admin", rate_limit_per_second=0))
    real_check = clients_mod.current_grants
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers={"Authorization": "Bearer bench-admin"}
    ) as c:
        cuid = f"bench-{os.getpid()}"
        await c.post("/v1/companies", json={"cuid": cuid, "name": "Bench", "countryCode": "FI"})
        customer = (await c.post(f"/v1/companies/{cuid}/customers", json={"lastName": "X"})).json()
        path = f"/v1/companies/{cuid}/customers/{customer['customerNumber']}"
        made = (
            await c.post("/v1/clients", json={"name": "bench", "companies": [cuid], "scopes": ["customers:read"]})
        ).json()
        token = (
            await c.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": made["clientId"],
                    "client_secret": made["clientSecret"],
                },
            )
        ).json()["access_token"]
        kinds = {"admin": ("bench-admin", True), "client": (token, True), "client, no grants read": (token, False)}
        held = (frozenset({"customers:read"}), frozenset({cuid}))
        results: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(ROUNDS):  # interleaved, so load changes hit every kind alike
            for kind, (tok, check) in kinds.items():
                clients_mod.current_grants = real_check if check else (lambda s, cid: held)
                headers = {"Authorization": f"Bearer {tok}"}
                for _ in range(30):
                    await c.get(path, headers=headers)
                t0 = time.process_time()
                for _ in range(N):
                    assert (await c.get(path, headers=headers)).status_code == 200
                results[kind].append((time.process_time() - t0) / N * 1e6)
        clients_mod.current_grants = real_check
    for kind, values in results.items():
        print(f"{kind:28s} median {statistics.median(values):6.0f} us CPU  min {min(values):6.0f} us")


if __name__ == "__main__":
    asyncio.run(main())
