"""CPU per POST /customers, in-process (the ASGI app in one event loop, no network).

The bench's POST scenario gives throughput under wrk; this gives the server's own CPU per
create (the httpx client's share included, ≈ 1 ms here), robust on a busy machine. The
bodies are bench/post.lua's (a webshop sign-up: names, e-mail, phone, main address).

    .venv/bin/python bench/post_cpu.py                         # SQLite in a temp dir
    BENCH_URL=sqlite:////path/bench.db CUID=bench .venv/bin/python bench/post_cpu.py
    BENCH_URL=postgresql+psycopg://... .venv/bin/python bench/post_cpu.py
"""

import asyncio
import os
import resource
import tempfile
import time

import httpx

from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings

URL = os.environ.get("BENCH_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
CUID = os.environ.get("CUID", "post-cpu")
N, WARM = int(os.environ.get("N", "1000")), 200
FIRSTS = ["Aino", "Väinö", "Åsa", "Bjørn", "Søren", "Märta", "Øystein", "Jääkko"]
LASTS = ["Mäkinen", "Åström", "Ødegård", "Søndergaard", "Jääskeläinen", "Löfgren"]


def body(n: int, tag: int) -> dict:
    return {
        "firstName": FIRSTS[n % 8],
        "lastName": LASTS[n % 6],
        "customerReference": f"cpu-{tag}-{n}",
        "email": f"cpu{tag}.{n}@example.fi",
        "cellularPhone": f"+35840{(1000003 + n) % 10000000:07d}",
        "street": "Hämeenkatu",
        "houseNo": str(n % 120 + 1),
        "zipCode": "33100",
        "city": "Tampere",
        "countryCode": "FI",
        "languageCode": "fi",
        "preferredChannel": "EMAIL",
    }


async def main() -> None:
    upgrade(URL)
    app = create_app(Settings(database_url=URL, admin_token="bench-admin", rate_limit_per_second=0))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", headers={"Authorization": "Bearer bench-admin"}
    ) as c:
        await c.post("/v1/companies", json={"cuid": CUID, "name": "Bench", "countryCode": "FI"})
        path, tag = f"/v1/companies/{CUID}/customers", os.getpid()
        for i in range(WARM):
            r = await c.post(path, json=body(i, tag))
            assert r.status_code == 201, r.text
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(WARM, WARM + N):
            assert (await c.post(path, json=body(i, tag))).status_code == 201
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    blocks = resource.getrusage(resource.RUSAGE_SELF).ru_inblock
    print(
        f"{N} POSTs: {cpu / N * 1e3:.2f} ms CPU, {wall / N * 1e3:.2f} ms wall per POST "
        f"(httpx client included); {blocks} blocks read"
    )


if __name__ == "__main__":
    asyncio.run(main())
