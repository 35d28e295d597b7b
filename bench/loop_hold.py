"""How long each kind of request holds a served worker's event loop (issue 23: "no request
holds the event loop for more than about 100 ms"), on SQLite or PostgreSQL.

    .venv/bin/python bench/loop_hold.py [--csv bench-data/customers.csv] [--rows 20000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--only WORD]

`custreg serve` (1 worker, no events worker, as `make run` serves) on a fresh SQLite file or
a fresh PostgreSQL database (made beside the URL's and dropped afterwards). Company A gets
`--rows` customers through `POST /customers/import` (from `--csv`, a file of
bench/generate.py, else made up), company B one customer. Then each request kind below, one
at a time, while a probe thread GETs `/health` every 10 ms. Printed per request: status, wall
time, the worst `/health` answer (and how many over 100 ms) among the probes sent while it ran, and the server's CPU time (user + system of the
serving process, /proc) spent meanwhile, probes included. The probe's worst answer is an upper
bound of the loop's longest hold (it adds the client's own scheduling on a loaded machine);
the CPU time bounds the work a request can have done on the loop. Loopback only; the
server is ended by its id.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import cast

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-loop-hold"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def _probe(base: str, stop: threading.Event, probes: list[tuple[float, float]]) -> None:
    """GET /health every 10 ms for the whole run, on one connection made beforehand: (start, ms)."""
    with httpx.Client(base_url=base, timeout=120) as c:
        c.get("/health")
        while not stop.is_set():
            start = time.perf_counter()
            c.get("/health")
            probes.append((start, (time.perf_counter() - start) * 1000))
            time.sleep(0.01)


def _rows_csv(path: str | None, rows: int) -> str:
    if path:
        with open(path, encoding="utf-8") as f:
            lines = [next(f)]
            for line, _ in zip(f, range(rows), strict=False):
                lines.append(line)
        return "".join(lines)
    head = "lastName,firstName,email,city\n"
    return head + "".join(f"Name{i % 997},First{i},p{i}@example.com,City{i % 50}\n" for i in range(rows))


def _kinds(a: str, guid: str, number: int) -> list[tuple[str, str, str, dict, object]]:
    """(name, method, path, params, body): body is str/bytes (raw), a JSON-able value, or None."""
    url = f"/v1/companies/{a}/customers"
    clvr = f"/compat/clvr/customers/{guid}/parameters"
    many_eq = " or ".join(f"lastName eq 'Nm{i:03d}'" for i in range(90))  # ~1,900 chars, 180 terms
    nots = "not (" * 20 + "lastName eq 'x'" + ")" * 20
    ins = "lastName in (" + ",".join(f"'N{i}'" for i in range(100)) + ")"
    small = json.dumps({"lastName": "B", "extra": [[1, 2.5, None, True]] * 47_000})  # 1 MiB of tokens
    return [
        ("GET /health alone", "GET", "/health", {}, None),
        ("list, first page of 100", "GET", url, {"$top": "100"}, None),
        ("list, page of 100 at $skip=10000", "GET", url, {"$top": "100", "$skip": "10000"}, None),
        ("list, $orderby lastName desc, 100", "GET", url, {"$top": "100", "$orderby": "lastName desc"}, None),
        (
            "list, $filter contains(email) (scans all)",
            "GET",
            url,
            {"$filter": "contains(email,'9@')", "$top": "100"},
            None,
        ),
        ("list, $filter 90 or'ed eq (180 terms)", "GET", url, {"$filter": many_eq, "$top": "100"}, None),
        ("list, $filter 20 nested not", "GET", url, {"$filter": nots, "$top": "100"}, None),
        ("list, $filter in (100 values)", "GET", url, {"$filter": ins, "$top": "100"}, None),
        ("list, $select 100 names (400)", "GET", url, {"$select": ",".join(["lastName"] * 101)}, None),
        ("searchWord one common word", "GET", url, {"searchWord": "virtanen", "$top": "100"}, None),
        ("searchWord 10 terms", "GET", url, {"searchWord": "a b c d e f g h i j", "$top": "100"}, None),
        ("searchWord 1 letter", "GET", url, {"searchWord": "a", "$top": "100"}, None),
        ("GET one customer", "GET", f"{url}/{number}", {}, None),
        ("lookup idNumber", "GET", f"{url}/lookup", {"idNumber": "820919-8038"}, None),
        ("POST search (lookups)", "POST", f"{url}/search", {}, {"email": "anna.karlsson1@example.se"}),
        ("POST check, 100 credentials", "POST", f"{url}/check", {}, {"credentials": [str(i) for i in range(1, 101)]}),
        ("export.csv, all of A (streamed)", "GET", f"{url}/export.csv", {}, None),
        (
            "export.csv of 10,000 keys (the limit)",
            "POST",
            f"{url}/export.csv",
            {},
            [str(uuid.uuid4()) for _ in range(10_000)],
        ),
        ("changes feed, first page", "GET", f"/v1/companies/{a}/changes", {}, None),
        (
            "CLVR parameters, 100 items (the limit)",
            "POST",
            clvr,
            {},
            [{"parameterCode": f"P{i}", "value": "x"} for i in range(100)],
        ),
        (
            "CLVR parameters, 101 items (413)",
            "POST",
            clvr,
            {},
            [{"parameterCode": f"P{i}", "value": "x"} for i in range(101)],
        ),
        (
            "CLVR parameters, 3,000 items (413)",
            "POST",
            clvr,
            {},
            [{"parameterCode": f"P{i}", "value": "x"} for i in range(3000)],
        ),
        (
            "CLVR parameters, 3,000 items again",
            "POST",
            clvr,
            {},
            [{"parameterCode": f"P{i}", "value": "x"} for i in range(3000)],
        ),
        (
            "create, 100 addresses",
            "POST",
            url,
            {},
            {"lastName": "B", "addresses": [{"city": "X", "addressType": "DELIVERY"}] * 100},
        ),
        ("JSON 1 MiB of small tokens (422)", "POST", url, {}, small),
        ("JSON 1 MiB + 1 (413 unread)", "POST", url, {}, " " * (1 << 20) + "{}"),
        ("CSV import, 10,000 rows", "POST", f"{url}/import", {"mode": "valid-rows"}, _rows_csv(None, 10_000)),
        ("CSV header 200,000 columns (413)", "POST", f"{url}/import", {}, ",".join(["lastName"] * 200_000) + "\nx\n"),
        (
            "Billmate CSV import, 1,000 rows (its limit)",
            "POST",
            "/compat/billmate/customers/import",
            {},
            "name,email,postcode,postoffice\n"
            + "".join(f"Bm Name{i},bm{i}@example.com,00100,Helsinki\n" for i in range(1000)),
        ),
        ("openapi.json", "GET", "/openapi.json", {}, None),
    ]


def _database(postgres: str | None, tmp: str) -> tuple[str, object]:
    if not postgres:
        return f"sqlite:///{tmp}/bench.db", None
    url = make_url(postgres)
    name = f"loop_hold_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", help="bench/generate.py's customers.csv (else made-up rows)")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--postgres", help="a PostgreSQL URL; a database is made beside it")
    ap.add_argument("--only", help="only kinds whose name contains this")
    ap.add_argument("--src", default="src", help="source tree first on PYTHONPATH")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = _database(args.postgres, tmp)
        port = 20000 + os.getpid() % 20000
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
        env.update(
            PYTHONPATH=str((ROOT / args.src).resolve()),
            CUSTREG_DATABASE_URL=database_url,
            CUSTREG_ADMIN_TOKEN=TOKEN,
            CUSTREG_PORT=str(port),
            CUSTREG_LOG_LEVEL="warning",
            CUSTREG_ACCESS_LOG="false",
            CUSTREG_RATE_LIMIT_PER_SECOND="0",
            CUSTREG_SERVE_WORKER="false",
        )
        log = Path(tmp) / "server.log"
        with open(log, "wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "custreg.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=sink
            )
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
            start = time.perf_counter()
            r = c.post(
                f"/v1/companies/{a}/customers/import",
                content=_rows_csv(args.csv, args.rows),
                headers={"content-type": "text/csv"},
                params={"mode": "valid-rows"},
            )
            r.raise_for_status()
            print(
                f"# {database_url.split('://')[0]}, A: {r.json()['created']:,} customers imported in "
                f"{time.perf_counter() - start:,.1f} s; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            guid = str(uuid.uuid4())
            made = c.post(f"/v1/companies/{a}/customers", json={"lastName": "Bench", "customerGuid": guid})
            number = made.json()["customerNumber"]
            stop, probes = threading.Event(), cast(list[tuple[float, float]], [])
            probe = threading.Thread(target=_probe, args=(base, stop, probes), daemon=True)
            probe.start()
            time.sleep(0.5)
            print("request\tstatus\twall ms\tworst /health ms\t/health >100 ms\tserver CPU ms")
            for name, method, path, params, body in _kinds(a, guid, number):
                if args.only and args.only not in name:
                    continue
                if body is None:
                    content, ctype = None, None
                elif isinstance(body, (str, bytes)):
                    content, ctype = body, "text/csv" if "import" in path else "application/json"
                else:
                    content, ctype = json.dumps(body), "application/json"
                headers = {"content-type": ctype} if ctype else {}
                if path.startswith("/compat/"):
                    headers["X-Company"] = a  # the admin token reaches every company
                time.sleep(0.05)
                cpu = _cpu_ms(proc.pid)
                start = time.perf_counter()
                try:
                    with c.stream(method, path, params=params, content=content, headers=headers) as r:
                        for _ in r.iter_bytes():
                            pass
                        status = str(r.status_code)
                except httpx.TimeoutException:
                    status = "no answer"
                took = (time.perf_counter() - start) * 1000
                cpu = _cpu_ms(proc.pid) - cpu
                time.sleep(0.05)
                during = [ms for at, ms in list(probes) if at <= start + took / 1000 and at + ms / 1000 >= start]
                seen = {"worst": max(during, default=0.0), "over": sum(ms > 100 for ms in during)}
                print(f"{name}\t{status}\t{took:,.0f}\t{seen['worst']:,.0f}\t{seen['over']}\t{cpu:,.0f}", flush=True)
            stop.set()
            probe.join()
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
