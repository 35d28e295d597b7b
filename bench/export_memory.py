"""Server memory and time while exporting a large register (issue 7: growth must stay
< 100 MB; issue 8: 1M customers to CSV in ≤ 20 s).

    .venv/bin/python bench/export_memory.py [--customers 200000] [--format csv|xml|both]
    .venv/bin/python bench/export_memory.py --database-url sqlite:////tmp/copy/custreg.db \
        --cuid bench --import-rows 0 --repeat 3 --client curl

Starts `uvicorn custreg.main:app` on a temporary SQLite file, loads the customers through
a fast path (Core multi-row INSERTs of customers and their main addresses, straight into
the database: the API would take far longer and is not what is measured), then downloads
GET /customers/export.csv (and .xml) while sampling the server's RSS (/proc/<pid>/status)
every 50 ms. Prints the baseline, the peak and the growth, the rows and bytes received,
the seconds and rows/s, and the server's CPU seconds (utime + stime of /proc/<pid>/stat) for
each export. `--database-url` serves an existing database instead (a copy: the server
migrates it; nothing is loaded), `--client curl` downloads with curl to /dev/null (the
default httpx client shares the machine's cores with the server).
Then (--import-rows, default 20000) it imports that many exported rows into an empty
company through POST /customers/import (mode=valid-rows; every row validated by the API's
rules) and prints the server's RSS growth during the import the same way.
Exits 1 if a growth reaches --limit-mb. A script that prints figures, not a timed test.
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import insert, select, update

TOKEN = "bench-admin-token"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, cuid: str, n: int) -> float:
    from custreg.addresses.models import Address
    from custreg.companies.models import Company
    from custreg.customers.models import Customer
    from custreg.db.base import utcnow
    from custreg.db.engine import make_engine

    engine = make_engine(url)
    rng = random.Random(1)
    cities = ["Helsinki", "Espoo", "Tampere", "Oulu", "Turku", "Stockholm", "Oslo", "Århus"]
    last = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Andersson", "Hansen", "Öberg"]
    first = ["Matti", "Liisa", "Åsa", "Jørgen", "Aino", "Erik", "Sofia"]
    started = time.monotonic()
    with engine.begin() as conn:
        company_id = conn.scalar(select(Company.id).where(Company.cuid == cuid))
        base_id = (conn.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0) + 1
        batch = 5000
        for start in range(0, n, batch):
            now = utcnow()
            customers, addresses = [], []
            for i in range(start, min(n, start + batch)):
                fn, ln = rng.choice(first), rng.choice(last)
                customers.append(
                    {
                        "id": base_id + i,
                        "company_id": company_id,
                        "customer_guid": uuid.uuid4(),
                        "customer_number": i + 1,
                        "customer_type": "PERSON",
                        "first_name": fn,
                        "last_name": f"{ln} {i}",
                        "full_name": f"{fn} {ln} {i}",
                        "full_name_given": False,
                        "email": f"customer{i}@example.fi",
                        "cellular_phone": f"+35840{1000000 + i}",
                        "work_phone": f"+3589{1000000 + i}",
                        "notes": '=HYPERLINK("x") & <tag>',
                        "excluded": False,
                        "reg_date": now,
                        "last_updated_at": now,
                        "version": 1,
                        "search_text": f"{i + 1} {fn.lower()} {ln.lower()} {i}",
                    }
                )
                addresses.append(
                    {
                        "customer_id": base_id + i,
                        "address_guid": uuid.uuid4(),
                        "address_type": "LEGAL",
                        "default_address": True,
                        "street": f"Katu {i % 300}",
                        "house_no": str(i % 97 + 1),
                        "zip_code": f"{i % 99999:05d}",
                        "city": rng.choice(cities),
                        "country_code": "FI",
                        "last_updated_at": now,
                    }
                )
            conn.execute(insert(Customer), customers)
            conn.execute(insert(Address), addresses)
        conn.execute(update(Company).where(Company.id == company_id).values(next_customer_number=n + 1))
    engine.dispose()
    return time.monotonic() - started


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.samples, self.done = pid, [], threading.Event()
        self.before = rss_mb(pid)
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.samples.append(rss_mb(self.pid))
            time.sleep(0.05)

    def stop(self) -> tuple[float, float]:
        self.done.set()
        self.thread.join()
        return self.before, max([*self.samples, rss_mb(self.pid)])


def measure_import(base: str, pid: int, src: str, rows: int) -> dict:
    path = Path(tempfile.mkdtemp(prefix="custreg-bench-import-")) / "import.csv"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600) as h:
        with (
            open(path, "wb") as f,
            h.stream(
                "GET", f"/v1/companies/{src}/customers/export.csv", params={"$filter": f"customerNumber le {rows}"}
            ) as r,
        ):
            r.raise_for_status()
            for chunk in r.iter_bytes():
                f.write(chunk)
        h.post(
            "/v1/companies", json={"cuid": "bench-import", "name": "Import Oy", "countryCode": "FI"}
        ).raise_for_status()
        h.get("/v1/companies/bench-import/customers/count")
        size = path.stat().st_size
        sampler = Sampler(pid)
        started = time.monotonic()

        def body():
            with open(path, "rb") as f:
                while chunk := f.read(64 * 1024):
                    yield chunk

        r = h.post(
            "/v1/companies/bench-import/customers/import",
            params={"mode": "valid-rows"},
            content=body(),
            headers={"Content-Type": "text/csv"},
        )
        elapsed = time.monotonic() - started
        before, peak = sampler.stop()
    report = r.json()
    return {
        "status": r.status_code,
        "created": report.get("created"),
        "failed": report.get("failed"),
        "bytes": size,
        "seconds": elapsed,
        "before": before,
        "peak": peak,
        "growth": peak - before,
    }


def measure(base: str, pid: int, path: str, cuid: str, client: str = "httpx") -> dict:
    samples: list[float] = []
    done = threading.Event()

    def sampler():
        while not done.is_set():
            samples.append(rss_mb(pid))
            time.sleep(0.05)

    before = rss_mb(pid)
    cpu_before = cpu_seconds(pid)
    t = threading.Thread(target=sampler)
    t.start()
    started = time.monotonic()
    size = lines = 0
    first_byte = None
    if client == "curl":
        out = subprocess.run(
            [
                "curl",
                "-s",
                "-f",
                "-o",
                "/dev/null",
                "-w",
                "%{time_starttransfer} %{size_download}",
                "-H",
                f"Authorization: Bearer {TOKEN}",
                f"{base}/v1/companies/{cuid}/customers/{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        first_byte, size, lines = float(out[0]), int(out[1]), None
    else:
        with (
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600) as h,
            h.stream("GET", f"/v1/companies/{cuid}/customers/{path}") as r,
        ):
            r.raise_for_status()
            for chunk in r.iter_bytes():
                if first_byte is None:
                    first_byte = time.monotonic() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(pid) - cpu_before
    done.set()
    t.join()
    peak = max([*samples, rss_mb(pid)])
    return {
        "path": path,
        "before": before,
        "peak": peak,
        "growth": peak - before,
        "bytes": size,
        "lines": lines,
        "seconds": elapsed,
        "first_byte": first_byte or 0.0,
        "cpu": cpu,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--format", choices=["csv", "xml", "both"], default="both")
    ap.add_argument("--limit-mb", type=float, default=100.0)
    ap.add_argument("--import-rows", type=int, default=20_000, help="0: skip the import")
    ap.add_argument("--database-url", help="serve this existing database (a copy!) instead")
    ap.add_argument("--cuid", default="bench", help="company to export (with --database-url)")
    ap.add_argument("--client", choices=["httpx", "curl"], default="httpx")
    ap.add_argument("--repeat", type=int, default=1, help="exports per format")
    args = ap.parse_args()

    from custreg.db.migrate import upgrade

    tmp = tempfile.mkdtemp(prefix="custreg-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(CUSTREG_DATABASE_URL=url, CUSTREG_ADMIN_TOKEN=TOKEN, CUSTREG_RATE_LIMIT_PER_SECOND="0")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "custreg.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        h = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        cuid = args.cuid
        if args.database_url:
            rows = h.get(f"/v1/companies/{cuid}/customers/count").json()["count"]
            print(f"serving {url}: {rows} customers in {cuid!r}", flush=True)
        else:
            r = h.post("/v1/companies", json={"cuid": cuid, "name": "Bench Oy", "countryCode": "FI"})
            r.raise_for_status()
            print(f"loading {args.customers} customers (fast path) ...", flush=True)
            print(f"  loaded in {load(url, cuid, args.customers):.1f} s", flush=True)
            rows = args.customers
        # Warm up: imports, caches and the first page of every code path the export uses.
        h.get(f"/v1/companies/{cuid}/customers/export.csv", params={"$filter": "customerNumber le 100"})
        h.get(f"/v1/companies/{cuid}/customers/export.xml", params={"$filter": "customerNumber le 100"})
        paths = {"csv": ["export.csv"], "xml": ["export.xml"], "both": ["export.csv", "export.xml"]}
        print(f"server pid {server.pid}; RSS sampled every 50 ms during each export")
        for path in [p for p in paths[args.format] for _ in range(args.repeat)]:
            m = measure(base, server.pid, path, cuid, args.client)
            ok = m["growth"] < args.limit_mb
            failed |= not ok
            lines = "" if m["lines"] is None else f", {m['lines']} lines"
            print(
                f"{path}: {m['bytes'] / 1e6:.1f} MB{lines} in {m['seconds']:.1f} s "
                f"({rows / m['seconds']:,.0f} rows/s; first byte after {m['first_byte']:.2f} s; "
                f"server CPU {m['cpu']:.1f} s; load {os.getloadavg()[0]:.1f}); server RSS "
                f"{m['before']:.1f} MB → peak {m['peak']:.1f} MB: growth {m['growth']:.1f} MB "
                f"({'OK' if ok else 'OVER'} the {args.limit_mb:.0f} MB limit)",
                flush=True,
            )
        if args.import_rows:
            m = measure_import(base, server.pid, cuid, min(args.import_rows, args.customers))
            ok = m["growth"] < args.limit_mb and m["status"] == 200
            failed |= not ok
            print(
                f"import (valid-rows): {m['bytes'] / 1e6:.1f} MB CSV → HTTP {m['status']}, "
                f"{m['created']} created, {m['failed']} failed in {m['seconds']:.1f} s; server RSS "
                f"{m['before']:.1f} MB → peak {m['peak']:.1f} MB: growth {m['growth']:.1f} MB "
                f"({'OK' if ok else 'OVER'})",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
