"""`make bench`: every benchmark of issue 8 in one run, one table at the end.

    .venv/bin/python bench/run.py [--postgres] [--customers N] [--duration S] [--json FILE] [--only import]

1. Generates N seeded Nordic customers (bench/generate.py; cached in --data-dir).
2. Starts the product exactly as `make run` does (`.venv/bin/custreg serve`, CUSTREG_*
   from the environment) on a fresh SQLite file, or with --postgres on a fresh PostgreSQL
   database created (and dropped at the end) next to --pg-url's.
3. Creates the company `bench` and imports the CSV through the CLI
   (`custreg import FILE --company bench`): rows/s, CPU a row and the peak RSS of the import
   process; then the import's floor (bench/import_floor.py) on the same CSV into a fresh
   database of the same engine, timed the same way, and the ratio of the two rows/s
   (`--only import`: the run stops here).
4. Adds the sub-records of a sample of customers (a bank account and a contact at least)
   through the records API, so that `GET /customers/{number}` reads full customers.
5. Starts the baselines (bench/baseline_app.py, uvicorn, 1 worker) on the same database,
   and runs wrk (-t2 -c32, --latency, bounded by --duration) against: baseline A and B,
   GET one customer, the list with `$filter=lastName eq`, `searchWord` (prefix, and
   accent-folded), and POST /customers (unique bodies).
6. Exports every customer (GET /customers/export.csv, read by curl): seconds and the
   server's RSS growth.
7. PostgreSQL: GET one customer again with `--workers 2` (throughput against 1 worker).

Only loopback traffic; every wait has a deadline; every process started is ended by its id.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV = ROOT / ".venv" / "bin"
TOKEN = "bench-" + uuid.uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COMPANY = "bench"
THREADS, CONNECTIONS = 2, 32

sys.path.insert(0, str(BENCH))
import generate  # noqa: E402
import import_floor  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- processes and memory


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def tree(pid: int) -> list[int]:
    """pid and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_rss_kb(pid: int) -> int:
    return sum(rss_kb(p) for p in tree(pid))


def pss_kb(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


class Sampler(threading.Thread):
    """Peaks of a process tree, sampled every 100 ms until stopped: `peak`, the RSS summed
    over the tree; `peak_pss`, the PSS summed (shared pages counted once; not read with
    pss=False); `peak_main`, the RSS of the process itself."""

    def __init__(self, pid: int, *, pss: bool = True) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt, self.pss = pid, 0, threading.Event(), pss
        self.peak_pss = self.peak_main = 0
        self.processes = 1

    def run(self) -> None:
        while not self._halt.is_set():
            pids = tree(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak = max(self.peak, sum(rss_kb(p) for p in pids))
            if self.pss:  # smaps_rollup walks the page tables: it slows a busy process
                self.peak_pss = max(self.peak_pss, sum(pss_kb(p) for p in pids))
            self.peak_main = max(self.peak_main, rss_kb(self.pid))
            self._halt.wait(0.1)

    def stop(self) -> int:
        self._halt.set()
        self.join(5)
        return self.peak


class Server:
    """A server process in a session of its own (ended with its whole group, by id)."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, log_dir: Path) -> None:
        self.name, self.port = name, port
        self.log = log_dir / f"{name}.log"
        # The child gets its own copy of the descriptor: ours can be closed once it has started.
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, path: str = "/health", timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)


# ---------------------------------------------------------------- wrk


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, script: str, env_extra: dict, duration: int, headers: dict) -> dict:
    argv = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / script),
    ]
    for k, v in headers.items():
        argv += ["-H", f"{k}: {v}"]
    out = subprocess.run(
        [*argv, url], env={**os.environ, **env_extra}, capture_output=True, text=True, timeout=duration + 60
    ).stdout
    res: dict = {"rps": None, "p50": None, "p99": None, "errors": 0, "requests": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else None
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        res[key] = _ms(*m.groups()) if m else None
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["errors"] += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] += sum(int(x) for x in m.groups())
    if res["rps"] is None:
        log("wrk printed no result:\n" + out)
    return res


def http_scenario(
    name: str,
    url: str,
    paths: list[str] | None,
    duration: int,
    work: Path,
    script: str = "paths.lua",
    extra_env: dict | None = None,
) -> dict:
    env = dict(extra_env or {})
    if paths is not None:
        f = work / f"paths-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.txt"
        f.write_text("\n".join(paths) + "\n", encoding="utf-8")
        env["BENCH_PATHS"] = str(f)
    wrk(url, script, env, min(3, duration), AUTH)  # warm-up: caches, pool, JIT-free paths
    res = wrk(url, script, env, duration, AUTH)
    log(
        f"{name}: {res['rps']} req/s, p50 {res['p50']} ms, p99 {res['p99']} ms, "
        f"{res['errors']} errors of {res['requests']}"
    )
    return {"scenario": name, **res}


# ---------------------------------------------------------------- database


def make_database(args, work: Path, suffix: str = "") -> tuple[str, callable]:
    if args.sqlite_file:
        return f"sqlite:///{args.sqlite_file.resolve()}", lambda: None
    if not args.postgres:
        url = f"sqlite:///{work / f'bench{suffix}.db'}"
        return url, lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(args.pg_url)
    name = f"custreg_bench_{os.getpid()}{suffix}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(hide_password=False), drop


# ---------------------------------------------------------------- steps


def data_files(args) -> Path:
    data = args.data_dir / f"n{args.customers}-s{args.seed}"
    done = data / ".complete"
    if not done.exists():
        log(f"generating {args.customers} customers (seed {args.seed}) into {data}")
        t = time.monotonic()
        generate.generate(args.customers, args.seed, data)
        done.write_text(f"{time.monotonic() - t:.1f}\n")
    return data


def run_import(env: dict, csv_file: Path, mode: str, rows: int) -> dict:
    argv = [str(VENV / "custreg"), "import", str(csv_file), "--company", COMPANY, "--mode", mode]
    cpu, t = import_floor.children_cpu(), time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    out = proc.communicate(timeout=4 * 3600)[0]
    seconds = time.monotonic() - t
    peak = sampler.stop()
    cpu = import_floor.children_cpu() - cpu  # user + sys of the import and its workers
    if proc.returncode != 0:
        log("import failed:\n" + out[-4000:])
        raise SystemExit(1)
    note = (
        f"{1e6 * cpu / rows:.0f} µs CPU a row; "
        f"{sampler.processes} processes: peak PSS summed {sampler.peak_pss / 1024:.0f} MB, "
        f"RSS summed {peak / 1024:.0f} MB, main process RSS {sampler.peak_main / 1024:.0f} MB"
    )
    log(f"import: {rows} rows in {seconds:.1f}s = {rows / seconds:,.0f} rows/s; {note}")
    tail = [line for line in out.splitlines() if "│" in line or "rows" in line][-8:]
    log("import summary:\n" + "\n".join(tail))
    return {
        "scenario": f"import CSV via CLI ({mode})",
        "rows_s": rows / seconds,
        "seconds": seconds,
        "peak_rss_mb": sampler.peak_pss / 1024,
        "cpu_us_row": 1e6 * cpu / rows,
        "note": note,
    }


def pick_sample(data: Path, size: int) -> list[dict]:
    """Up to `size` customers, evenly spread over the file, that have a bank account and a
    contact among their sub-records."""
    with open(data / "records.jsonl", encoding="utf-8") as f:
        fit = [i for i, line in enumerate(f) if '"bankAccounts":[{' in line and '"contacts":[{' in line]
    step = max(1, len(fit) / max(1, size))
    chosen = {fit[int(k * step)] for k in range(min(size, len(fit)))}
    with open(data / "records.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for i, line in enumerate(f) if i in chosen]


def load_records(base: str, sample: list[dict]) -> int:
    """The sample's sub-records through the records API (a few concurrent clients)."""
    todo = [
        (f"/v1/companies/{COMPANY}/customers/{r['customerGuid']}/{path}", body)
        for r in sample
        for key, path in (("addresses", "addresses"), ("bankAccounts", "bank-accounts"), ("contacts", "contacts"))
        for body in r[key]
    ]
    lock = threading.Lock()
    failures: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
            while True:
                with lock:
                    if not todo:
                        return
                    path, body = todo.pop()
                r = client.post(path, json=body)
                if r.status_code != 201:
                    failures.append(f"{path}: {r.status_code} {r.text[:200]}")

    total = len(todo)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(1800)
    if failures:
        log(f"{len(failures)} sub-records refused, e.g. {failures[0]}")
    return total - len(failures)


def disk_read_kb() -> int:
    """KB read from block devices since boot, all processes (/proc/vmstat pgpgin)."""
    with open("/proc/vmstat") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("pgpgin "))


def export(server: Server, rows: int, name: str = "export CSV (HTTP, streamed)") -> dict:
    before = tree_rss_kb(server.proc.pid)
    read_before = disk_read_kb()
    sampler = Sampler(server.proc.pid, pss=False)  # the target is RSS growth
    sampler.start()
    t = time.monotonic()
    url = f"{server.url}/v1/companies/{COMPANY}/customers/export.csv"
    if shutil.which("curl"):
        # A client as light as wrk: a Python client reading 1M rows took a share of the 2
        # cores the server needs (31 s with httpx where curl saw 23-25 s, same server).
        out = subprocess.run(
            ["bash", "-o", "pipefail", "-c", f"curl -sSf -H 'Authorization: Bearer {TOKEN}' '{url}' | wc -l"],
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        ).stdout
        lines = int(out.strip())
    else:
        lines = 0
        with httpx.Client(headers=AUTH, timeout=600) as client, client.stream("GET", url) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes(1 << 16):
                lines += chunk.count(b"\n")
    seconds = time.monotonic() - t
    peak = sampler.stop()
    # This machine's kernel drops cold file pages (DAMON reclaim), so a database file not
    # read for a while comes partly from disk: the figure says how much did.
    disk_mb = (disk_read_kb() - read_before) / 1024
    log(
        f"{name}: {lines - 1} rows in {seconds:.1f}s, server RSS {before / 1024:.0f} MB -> peak "
        f"{peak / 1024:.0f} MB (+{(peak - before) / 1024:.0f} MB), {disk_mb:,.0f} MB read from disk"
    )
    return {
        "scenario": name,
        "rows_s": (lines - 1) / seconds,
        "seconds": seconds,
        "peak_rss_mb": peak / 1024,
        "rss_growth_mb": (peak - before) / 1024,
        "rows": lines - 1,
        "note": f"{disk_mb:,.0f} MB read from disk meanwhile",
    }


def profile(server: Server, work: Path, out: Path, scenarios: dict[str, list[str]], seconds: int = 10) -> None:
    """py-spy (`.venv/bin/pip install py-spy`) samples the server while wrk loads it; writes
    the collapsed stacks and the functions with the largest share of samples."""
    spy = VENV / "py-spy"
    if not spy.exists():
        log("--profile needs py-spy: .venv/bin/pip install py-spy")
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, paths in scenarios.items():
        f = work / f"profile-{name}.txt"
        f.write_text("\n".join(paths) + "\n", encoding="utf-8")
        load = subprocess.Popen(
            [
                "wrk",
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{seconds + 4}s",
                "-s",
                str(BENCH / "paths.lua"),
                "-H",
                f"Authorization: Bearer {TOKEN}",
                server.url,
            ],
            env={**os.environ, "BENCH_PATHS": str(f)},
            stdout=subprocess.DEVNULL,
        )
        time.sleep(2)
        raw = out / f"{name}.collapsed"
        subprocess.run(
            [
                str(spy),
                "record",
                "-p",
                str(server.proc.pid),
                "-d",
                str(seconds),
                "-r",
                "250",
                "-f",
                "raw",
                "-o",
                str(raw),
                "--nonblocking",
            ],
            capture_output=True,
            timeout=seconds + 60,
        )
        load.wait(seconds + 30)
        (out / f"{name}.top.txt").write_text(summarize(raw), encoding="utf-8")
        log(f"profile {name}: {out / (name + '.top.txt')}")


_FRAMEWORK = (
    "typer/",
    "_click/",
    "click/",
    "uvicorn/",
    "asyncio/",
    "http/",
    "middleware/",
    "starlette/",
    "fastapi/applications",
    "fastapi/_body_limit",
    "fastapi/routing",
    "telemetry/",
    "custreg/cli/",
    "custreg/limits.py",
)


def summarize(raw: Path, limit: int = 45) -> str:
    """Inclusive share of samples per function (collapsed stacks of py-spy)."""
    from collections import Counter

    incl: Counter = Counter()
    total = 0
    if not raw.exists():
        return "no samples\n"
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        total += int(n)
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            key = f"{name} ({'/'.join(where.split(':')[0].split('/')[-2:])})"
            if key not in seen:
                seen.add(key)
                incl[key] += int(n)
    lines = [f"{total} samples; inclusive share of the functions below the ASGI stack"]
    for key, n in incl.most_common():
        if "<module>" in key or key.split("(")[-1].startswith(_FRAMEWORK):
            continue  # the server's and the ASGI stack's own frames
        lines.append(f"{100 * n / max(total, 1):5.1f}%  {key}")
        if len(lines) > limit:
            break
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- table


def fmt(v, spec: str) -> str:
    return "" if v is None else format(v, spec)


def table(results: list[dict], a: dict | None, b: dict | None) -> str:
    head = [
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "÷A req/s",
        "÷B req/s",
        "p99 ×B",
        "rows/s",
        "÷floor rows/s",
        "s",
        "peak memory MB",
        "RSS growth MB",
        "errors",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        rps = r.get("rps")
        cells = [
            r["scenario"],
            fmt(rps, ",.0f"),
            fmt(r.get("p50"), ".2f"),
            fmt(r.get("p99"), ".2f"),
            fmt(rps / a["rps"], ".2f") if rps and a and a.get("rps") else "",
            fmt(rps / b["rps"], ".2f") if rps and b and b.get("rps") else "",
            fmt(r["p99"] / b["p99"], ".2f") if rps and b and b.get("p99") and r.get("p99") else "",
            fmt(r.get("rows_s"), ",.0f"),
            fmt(r.get("floor_ratio"), ".2f"),
            fmt(r.get("seconds"), ".1f"),
            fmt(r.get("peak_rss_mb"), ".0f"),
            fmt(r.get("rss_growth_mb"), ".0f"),
            str(r["errors"]) if "errors" in r else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def http_steps(args, env: dict, url: str, data: Path, work: Path, servers: list, results: list, base_port: int):
    """Steps 4-7: sub-records, the baselines, the HTTP scenarios, the export (servers[0]: the
    product, started; servers started here are added to `servers`, which the caller stops)."""
    product = servers[0]
    port = int(env["CUSTREG_PORT"])
    sample = pick_sample(data, args.sample)
    first = httpx.get(
        f"{product.url}/v1/companies/{COMPANY}/customers/{sample[0]['customerGuid']}", headers=AUTH, timeout=30
    ).json()
    if not first.get("bankAccounts"):
        t = time.monotonic()
        n_records = load_records(product.url, sample)
        log(f"{n_records} sub-records of {len(sample)} customers through the API in {time.monotonic() - t:.0f}s")

    from sqlalchemy import create_engine, func, select

    from custreg.customers.models import Customer

    eng = create_engine(url)
    with eng.connect() as conn:
        guids = [uuid.UUID(r["customerGuid"]) for r in sample]
        t = Customer.__table__
        numbers = list(conn.execute(select(t.c.customer_number).where(t.c.customer_guid.in_(guids))).scalars())
        lo, hi = conn.execute(select(func.min(t.c.id), func.max(t.c.id))).one()
        top = conn.execute(select(func.max(t.c.customer_number))).scalar_one()
    eng.dispose()
    rng = random.Random(args.seed)
    row_ids = [rng.randint(lo, hi) for _ in range(2000)]
    taken = set(numbers)
    plain = [n for n in (rng.randint(1, top) for _ in range(2000)) if n not in taken]

    base_env = {**env, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    from custreg.settings import Settings

    # Same server settings as the product's: uvicorn, one worker, the same event loop.
    baseline = Server(
        "baseline",
        [
            str(VENV / "uvicorn"),
            "bench.baseline_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(base_port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            Settings().loop,
        ],
        base_env,
        base_port,
        work,
    )
    servers.append(baseline)
    baseline.wait_ready("/bare")

    d = args.duration
    cpath = f"/v1/companies/{COMPANY}/customers"
    a = http_scenario("baseline A: fixed JSON", baseline.url, ["/bare"], d, work)
    b = http_scenario("baseline B: one row by id (Core)", baseline.url, [f"/row/{i}" for i in row_ids], d, work)
    results += [a, b]
    results.append(
        http_scenario(
            "GET /customers/{number} (address+bank+contact)", product.url, [f"{cpath}/{n}" for n in numbers], d, work
        )
    )
    results.append(
        http_scenario(
            "GET /customers/{number} (as imported, no sub-records)",
            product.url,
            [f"{cpath}/{n}" for n in plain],
            d,
            work,
        )
    )
    last_names = sorted({n for names in generate.LAST.values() for n in names})
    results.append(
        http_scenario(
            "GET /customers?$filter=lastName eq '…'&$top=25",
            product.url,
            [f"{cpath}?$filter=" + quote(f"lastName eq '{n}'") + "&$top=25" for n in last_names],
            d,
            work,
        )
    )
    prefixes = [
        "virta",
        "korho",
        "mäkin",
        "johans",
        "anders",
        "hanse",
        "sørens",
        "pöllä",
        "lindst",
        "kristia",
        "nyströ",
        "møll",
    ]
    folded = [
        "jaaskelainen",
        "ostergaard",
        "bjorklund",
        "lofgren",
        "odegard",
        "sondergaard",
        "hamalainen",
        "astrom",
        "boedker",
        "aberg",
        "kaariainen",
        "saether",
    ]
    for label, words in (("prefix", prefixes), ("accent-folded", folded)):
        results.append(
            http_scenario(
                f"GET /customers?searchWord= ({label})&$top=25",
                product.url,
                [f"{cpath}?searchWord={quote(w)}&$top=25" for w in words],
                d,
                work,
            )
        )
    if args.profile:
        profile(
            product,
            work,
            args.profile,
            {
                "get-customer": [f"{cpath}/{n}" for n in numbers],
                "get-imported-customer": [f"{cpath}/{n}" for n in plain],
                "list-lastname": [f"{cpath}?$filter=" + quote(f"lastName eq '{n}'") + "&$top=25" for n in last_names],
                "search-prefix": [f"{cpath}?searchWord={quote(w)}&$top=25" for w in prefixes],
                "search-folded": [f"{cpath}?searchWord={quote(w)}&$top=25" for w in folded],
            },
        )
    results.append(export(product, args.customers))
    results.append(export(product, args.customers, "export CSV (again: file pages cached)"))
    results.append(
        http_scenario(
            "POST /customers (unique bodies)",
            product.url,
            None,
            d,
            work,
            script="post.lua",
            extra_env={"BENCH_POST_PATH": cpath},
        )
    )
    if args.postgres:
        # 1 worker measured again right before 2 workers: the ratio compares neighbours,
        # not a run right after the import with one after the POSTs and autovacuum.
        one = http_scenario(
            "GET /customers/{number}, 1 worker (again)", product.url, [f"{cpath}/{n}" for n in numbers], d, work
        )
        results.append(one)
        product.stop()
        servers.remove(product)
        product2 = Server("custreg-2w", [str(VENV / "custreg"), "serve", "--workers", "2"], env, port, work)
        servers.append(product2)
        product2.wait_ready()
        time.sleep(2)  # both workers up
        two = http_scenario(
            "GET /customers/{number}, 2 workers", product2.url, [f"{cpath}/{n}" for n in numbers], d, work
        )
        two["note"] = f"{two['rps'] / one['rps']:.2f}× 1 worker" if two["rps"] and one["rps"] else ""
        results.append(two)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="custreg benchmarks (issue 8)")
    p.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL URL whose server gets a fresh database for the run",
    )
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--sample", type=int, default=1000, help="customers given sub-records for GET")
    p.add_argument("--import-mode", default="all-or-nothing", choices=["all-or-nothing", "valid-rows"])
    p.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "custreg-bench-data")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument(
        "--keep", action="store_true", help="keep the work directory (logs, database; PostgreSQL: the database)"
    )
    p.add_argument(
        "--sqlite-file",
        type=Path,
        help="an existing SQLite database that already "
        "holds this run's customers (company bench, imported by an earlier run kept with "
        "--keep): no import, sub-records only if missing; the POST scenario adds to it",
    )
    p.add_argument(
        "--profile",
        type=Path,
        help="also sample the server with py-spy during the read "
        "scenarios (an extra pass) and write the profiles into this directory",
    )
    p.add_argument(
        "--only", choices=["import"], help="import: only generate, the CLI import and the import floor beside it"
    )
    p.add_argument("--floor-jobs", type=int, default=2, help="worker processes of bench/import_floor.py")
    args = p.parse_args(argv)
    if shutil.which("wrk") is None and args.only != "import":
        log("wrk is not installed (apt-get install wrk)")
        return 2

    data = data_files(args)
    work = Path(tempfile.mkdtemp(prefix="custreg-bench-"))
    url, drop = make_database(args, work)
    port, base_port = free_port(), free_port()
    env = {
        **os.environ,
        "CUSTREG_DATABASE_URL": url,
        "CUSTREG_ADMIN_TOKEN": TOKEN,
        "CUSTREG_PORT": str(port),
        "CUSTREG_HOST": "127.0.0.1",
        "CUSTREG_LOG_LEVEL": "warning",
        "CUSTREG_WORKERS": "1",
    }
    servers: list[Server] = []
    results: list[dict] = []
    floor = None
    engine_label = "PostgreSQL" if args.postgres else "SQLite"
    try:
        product = Server("custreg", [str(VENV / "custreg"), "serve"], env, port, work)
        servers.append(product)
        product.wait_ready()
        if not args.sqlite_file:
            r = httpx.post(
                product.url + "/v1/companies",
                headers=AUTH,
                timeout=30,
                json={"cuid": COMPANY, "name": "Bench Oy", "countryCode": "FI"},
            )
            r.raise_for_status()
            # The generated file repeats 0.5 % of its identity numbers (the generator's birthday
            # collisions: 5,237 of 1,000,000). A register with unique identity numbers (the
            # default since issue 26) refuses those rows, and an all-or-nothing import then
            # answers 422; the bench's company allows them, as sessions 2-9 loaded them.
            httpx.patch(
                product.url + f"/v1/companies/{COMPANY}/basic-details/settings",
                headers=AUTH,
                timeout=30,
                json={"uniqueIdentityNumbers": False},
            ).raise_for_status()
            results.append(run_import(env, data / "customers.csv", args.import_mode, args.customers))
            floor = import_floor.beside(args, data / "customers.csv", work, results[-1], make_database, Sampler, log)
            results.append(floor)
        if args.only != "import":
            http_steps(args, env, url, data, work, servers, results, base_port)
    finally:
        for s in reversed(servers):
            s.stop()
        if not args.keep:
            drop()
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work directory kept: {work} (and the database: {url.rsplit('/', 1)[-1]})")

    a = next((r for r in results if r["scenario"].startswith("baseline A")), None)
    b = next((r for r in results if r["scenario"].startswith("baseline B")), None)
    load = "import only" if args.only == "import" else f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s"
    title = f"custreg bench: {engine_label}, {args.customers:,} customers, {load}, {os.cpu_count()} cores"
    print(f"\n{title}\n")
    print(table(results, a, b))
    for r in results:
        if r.get("note"):
            print(f"- {r['scenario']}: {r['note']}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "title": title,
                    "engine": engine_label,
                    "customers": args.customers,
                    "duration": args.duration,
                    "import_floor_rows_s": floor["rows_s"] if floor else None,
                    "import_floor_ratio": results[0].get("floor_ratio") if floor else None,
                    "results": results,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
