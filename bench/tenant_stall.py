"""Does a long import in one company make another company's reads wait? (issue 23: "during a
60,000-row import in company A, two writes to A made company B's GET wait 17-20 s").

    .venv/bin/python bench/tenant_stall.py [--rows 60000] [--csv bench-data/customers.csv]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--mode all-or-nothing]
        [--workers 1] [--src src]

`custreg serve` on a fresh SQLite file or a fresh PostgreSQL database (made beside the URL's,
dropped afterwards). Company B gets one customer. Then `POST /v1/companies/A/customers/import`
of `--rows` rows (from `--csv`, a bench/generate.py file, else made up); 2 s after it starts,
two creates in A are sent at once (each on its own connection), and until the import answers
B's customer is read (GET) every 50 ms, and `/health` every 50 ms, each on its own connection.
Printed: the import's status and time, the two writes' statuses and times, B's reads (count,
median, worst, how many took over 1 s) and `/health`'s worst. Loopback only; the server is
ended by its id.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-tenant-stall"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _rows_csv(path: str | None, rows: int) -> bytes:
    if path:
        with open(path, encoding="utf-8") as f:
            lines = [next(f)]
            for line, _ in zip(f, range(rows), strict=False):
                lines.append(line)
        return "".join(lines).encode()
    head = "lastName,firstName,email,city\n"
    return (head + "".join(f"Name{i % 997},First{i},p{i}@example.com,City{i % 50}\n" for i in range(rows))).encode()


def _database(postgres: str | None, tmp: str):
    if not postgres:
        return f"sqlite:///{tmp}/bench.db", None
    url = make_url(postgres)
    name = f"tenant_stall_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def _poll(base: str, path: str, stop: threading.Event, took: list[float], headers: dict) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
        while not stop.is_set():
            start = time.perf_counter()
            r = c.get(path)
            took.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, r.text
            time.sleep(0.05)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--csv")
    ap.add_argument("--postgres")
    ap.add_argument("--mode", default="all-or-nothing", choices=["all-or-nothing", "valid-rows"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--src", default="src")
    args = ap.parse_args()
    body = _rows_csv(args.csv, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = _database(args.postgres, tmp)
        port = 20000 + (os.getpid() + 7) % 20000
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(
            PYTHONPATH=str((ROOT / args.src).resolve()),
            CUSTREG_DATABASE_URL=database_url,
            CUSTREG_ADMIN_TOKEN=TOKEN,
            CUSTREG_PORT=str(port),
            CUSTREG_WORKERS=str(args.workers),
            CUSTREG_LOG_LEVEL="warning",
            CUSTREG_ACCESS_LOG="false",
            CUSTREG_RATE_LIMIT_PER_SECOND="0",
            CUSTREG_SERVE_WORKER="false",
        )
        proc = subprocess.Popen([sys.executable, "-m", "custreg.cli", "serve"], env=env, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
            c = httpx.Client(base_url=base, headers=AUTH, timeout=3600)
            a, b = (f"co-{uuid.uuid4().hex[:8]}" for _ in range(2))
            for cuid in (a, b):
                c.post("/v1/companies", json={"cuid": cuid, "name": cuid, "countryCode": "FI"}).raise_for_status()
            n = c.post(f"/v1/companies/{b}/customers", json={"lastName": "Bee"}).json()["customerNumber"]
            answers: dict[str, tuple[int, float]] = {}

            def send(name: str, method: str, path: str, **kw) -> None:
                with httpx.Client(base_url=base, headers=AUTH, timeout=3600) as own:
                    start = time.perf_counter()
                    r = own.request(method, path, **kw)
                    answers[name] = (r.status_code, time.perf_counter() - start)

            imp = threading.Thread(
                target=send,
                args=("import", "POST", f"/v1/companies/{a}/customers/import"),
                kwargs={"content": body, "headers": {"content-type": "text/csv"}, "params": {"mode": args.mode}},
            )
            stop = threading.Event()
            reads: list[float] = []
            health: list[float] = []
            pollers = [
                threading.Thread(target=_poll, args=(base, f"/v1/companies/{b}/customers/{n}", stop, reads, AUTH)),
                threading.Thread(target=_poll, args=(base, "/health", stop, health, {})),
            ]
            imp.start()
            for p in pollers:
                p.start()
            time.sleep(2)
            writes = [
                threading.Thread(
                    target=send,
                    args=(f"write {i}", "POST", f"/v1/companies/{a}/customers"),
                    kwargs={"json": {"lastName": f"Ay{i}"}},
                )
                for i in (1, 2)
            ]
            for w in writes:
                w.start()
            imp.join()
            stop.set()
            for t in (*writes, *pollers):
                t.join()
            engine = database_url.split("://")[0]
            status, took = answers["import"]
            print(
                f"{engine}, {args.workers} worker(s), {args.rows:,} rows ({args.mode}): import {status} in {took:,.1f} s; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            for name in ("write 1", "write 2"):
                status, took = answers[name]
                print(f"  A {name}: {status} in {took:,.1f} s")
            print(
                f"  B GET one customer: {len(reads)} reads, median {statistics.median(reads):,.0f} ms, "
                f"worst {max(reads):,.0f} ms, {sum(t > 1000 for t in reads)} over 1 s"
            )
            print(
                f"  /health: {len(health)} probes, median {statistics.median(health):,.0f} ms, worst {max(health):,.0f} ms"
            )
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if drop is not None:
                drop()


if __name__ == "__main__":
    main()
