"""custreg beside a real ERP's party register: Tryton 8.2's REST API (issue 22).

    .venv/bin/python bench/peer_tryton.py [--customers 5000] [--duration 15] [--custreg-postgres]

1. Installs trytond 8.2.x, trytond-party 8.2.x, gunicorn and psycopg (3, with its pool: trytond 8.2's driver) from PyPI into a
   throwaway venv (--venv, default /tmp/custreg-peer-tryton; reused when it is there). Nothing
   of Tryton is part of the project.
2. Generates the customers `make bench` uses (bench/generate.py, same seed), creates a fresh
   PostgreSQL database for Tryton (next to --pg-url's; dropped at the end), activates `party`
   with `trytond-admin`, and creates one party a customer with the ORM (name, code = the
   customer number, the main address's street/zip/city, e-mail and phones as contact
   mechanisms) and a REST key for the admin user (`res.user.application`, 'rest').
3. Serves Tryton with gunicorn, 2 workers (`trytond.application:app`), and custreg with
   `custreg serve`, 2 workers (CUSTREG_WORKERS=2), the same customers imported by
   `custreg import --mode valid-rows` (SQLite; --custreg-postgres: a fresh PostgreSQL
   database). Seed 8's first 5,000 rows hold one idNumber twice: custreg refuses that row,
   Tryton (no such rule) takes all 5,000.
4. wrk -t2 -c32 against both, each authenticated by its bearer key/token:
   - GET one by id: custreg `/customers/{number}`, Tryton `/rest/model/party.party/{id}`;
   - a list page of 25: `?$top=25&$skip=k` / `?s=25&p=k` (pages rotated);
   - a name search, 25 rows: `?searchWord=w&$top=25` / `?d=<[["name","ilike","%w%"]]>&s=25`.
   Tryton answers with the fields its REST API gives by default (`__json__`: id, __name__,
   rec_name) and, for the list, again with summary-like fields (`f=` code, name, e-mail,
   phone, mobile, addresses' city and postal code). custreg answers its summaries.
5. Prints req/s of each and the ratio custreg / Tryton, with the load average.

wrk must be installed (`apt-get install -y wrk`). Loopback only; every process started is
ended by its id.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run

TRYTON = ("trytond>=8.2,<8.3", "trytond-party>=8.2,<8.3", "gunicorn", "psycopg[binary,pool]")  # 8.2: psycopg 3
WORDS = ["virta", "korho", "mäkin", "johans", "anders", "hanse", "sørens", "pöllä", "lindst", "nyströ"]

# Run by the Tryton venv's python: the parties and the REST key (argv: config, db, csv, out).
LOAD = r"""
import csv, json, sys
from trytond.config import config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction

db, path, out = sys.argv[2], sys.argv[3], sys.argv[4]
Pool.start()
pool = Pool(db)
with Transaction().start(db, 0, readonly=True):
    pool.init()
ids = []
with Transaction().start(db, 0) as transaction:
    Party = pool.get('party.party')
    User = pool.get('res.user')
    Application = pool.get('res.user.application')
    admin, = User.search([('login', '=', 'admin')])
    rows = list(csv.DictReader(open(path, encoding='utf-8')))
    for start in range(0, len(rows), 500):
        values = []
        for i, r in enumerate(rows[start:start + 500], start + 1):
            name = r['companyName'] or ' '.join(p for p in (r['firstName'], r['lastName']) if p)
            mechanisms = [{'type': 'email', 'value': r['email']}] if r['email'] else []
            mechanisms += [{'type': 'phone', 'value': r['workPhone']}] if r['workPhone'] else []
            mechanisms += [{'type': 'mobile', 'value': r['cellularPhone']}] if r['cellularPhone'] else []
            street = ' '.join(p for p in (r['street'], r['houseNo']) if p)
            values.append({
                'name': name,
                'code': str(i),
                'addresses': [('create', [{'street': street, 'postal_code': r['zipCode'], 'city': r['city']}])],
                'contact_mechanisms': [('create', mechanisms)],
            })
        ids += [p.id for p in Party.create(values)]
    key, = Application.create([{'user': admin.id, 'application': 'rest'}])
    transaction.commit()
    json.dump({'ids': ids, 'key': key.key}, open(out, 'w'))
"""


def log(msg: str) -> None:
    run.log(msg)


def tryton_venv(venv: Path) -> Path:
    bin_ = venv / "bin"
    probe = [str(bin_ / "python"), "-c", "import trytond, psycopg_pool, gunicorn"]
    if not (bin_ / "python").exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        log(f"installing Tryton 8.2 into {venv} (pip)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_ / "pip"), "install", "-q", *TRYTON], check=True, timeout=1800)
    version = subprocess.run(
        [str(bin_ / "python"), "-c", "import trytond; print(trytond.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    if not version.startswith("8.2"):
        raise SystemExit(f"{venv} holds trytond {version!r}, not 8.2.x: remove it or pass another --venv")
    log(f"trytond {version}")
    return bin_


def tryton_database(args, work: Path, bin_: Path, csv_file: Path) -> tuple[Path, str, list[int], str, callable]:
    """A fresh PostgreSQL database with `party` activated and the customers as parties."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(args.pg_url)
    name = f"peer_tryton_{os.getpid()}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    server = base.set(drivername="postgresql", database=None).render_as_string(hide_password=False)
    try:
        return (*_tryton_setup(work, bin_, csv_file, server, name), drop)
    except BaseException:  # a failed setup leaves no database behind
        drop()
        raise


def _tryton_setup(work: Path, bin_: Path, csv_file: Path, server: str, name: str) -> tuple[Path, str, list[int], str]:
    """`party` activated in database `name` of `server`, the customers as parties, a REST key."""
    conf = work / "trytond.conf"
    conf.write_text(f"[database]\nuri = {server}\n\n[web]\nlisten = 127.0.0.1:0\n\n[session]\nsuper_pwd =\n")
    (work / "admin-password").write_text("admin-bench\n")
    env = {**os.environ, "TRYTONPASSFILE": str(work / "admin-password")}
    t = time.monotonic()
    subprocess.run(
        [str(bin_ / "trytond-admin"), "-c", str(conf), "-d", name, "--all", "--email", "admin@example.invalid"],
        env=env,
        check=True,
        timeout=1800,
    )
    subprocess.run(
        [str(bin_ / "trytond-admin"), "-c", str(conf), "-d", name, "-u", "party", "--activate-dependencies"],
        env=env,
        check=True,
        timeout=1800,
    )
    log(f"Tryton database {name}: party activated in {time.monotonic() - t:.0f}s")
    t = time.monotonic()
    out = work / "tryton-load.json"
    subprocess.run(
        [str(bin_ / "python"), "-c", LOAD, str(conf), name, str(csv_file), str(out)], env=env, check=True, timeout=3600
    )
    loaded = json.loads(out.read_text())
    log(f"Tryton: {len(loaded['ids'])} parties created in {time.monotonic() - t:.0f}s")
    return conf, name, loaded["ids"], loaded["key"]


def b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def scenario(name: str, url: str, paths: list[str], token: str, work: Path, duration: int) -> dict:
    f = work / f"paths-{len(list(work.glob('paths-*')))}.txt"
    f.write_text("\n".join(paths) + "\n", encoding="utf-8")
    env = {"BENCH_PATHS": str(f)}
    headers = {"Authorization": f"Bearer {token}"}
    check = httpx.get(url + paths[0], headers=headers, timeout=30)
    if check.status_code != 200:
        raise SystemExit(f"{name}: {paths[0]} answered {check.status_code}: {check.text[:300]}")
    run.wrk(url, "paths.lua", env, min(3, duration), headers)  # warm-up
    res = run.wrk(url, "paths.lua", env, duration, headers)
    load = os.getloadavg()[0]
    log(
        f"{name}: {res['rps']} req/s, p50 {res['p50']} ms, p99 {res['p99']} ms, {res['errors']} errors; load {load:.1f}"
    )
    return {"scenario": name, "bytes": len(check.content), "load": load, **res}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="custreg beside Tryton 8.2's REST API (issue 22)")
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    p.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "custreg-peer-tryton")
    p.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "custreg-bench-data")
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server for Tryton's database (and custreg's with --custreg-postgres)",
    )
    p.add_argument("--custreg-postgres", action="store_true", help="custreg on PostgreSQL too (default SQLite)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = p.parse_args(argv)
    if shutil.which("wrk") is None:
        log("wrk is not installed: apt-get install -y wrk")
        return 2
    args.postgres, args.sqlite_file = args.custreg_postgres, None  # for run.make_database
    bin_ = tryton_venv(args.venv)
    data = run.data_files(args)
    work = Path(tempfile.mkdtemp(prefix="custreg-peer-"))
    servers: list[run.Server] = []
    drops: list = []
    results: list[dict] = []
    try:
        conf, dbname, party_ids, key, drop = tryton_database(args, work, bin_, data / "customers.csv")
        drops.append(drop)
        url, drop = run.make_database(args, work)
        drops.append(drop)
        port, tport = run.free_port(), run.free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")},
            "CUSTREG_DATABASE_URL": url,
            "CUSTREG_ADMIN_TOKEN": run.TOKEN,
            "CUSTREG_PORT": str(port),
            "CUSTREG_HOST": "127.0.0.1",
            "CUSTREG_LOG_LEVEL": "warning",
            "CUSTREG_ACCESS_LOG": "false",
            "CUSTREG_WORKERS": "1",
        }
        product = run.Server("custreg-import", [str(run.VENV / "custreg"), "serve"], env, port, work)
        servers.append(product)
        product.wait_ready()
        httpx.post(
            product.url + "/v1/companies",
            headers=run.AUTH,
            timeout=30,
            json={"cuid": run.COMPANY, "name": "Bench Oy", "countryCode": "FI"},
        ).raise_for_status()
        # seed 8's 5,000 hold one duplicate idNumber: valid-rows skips it (and exits 1 for it)
        argv = [str(run.VENV / "custreg"), "import", str(data / "customers.csv"), "--company", run.COMPANY]
        out = subprocess.run([*argv, "--mode", "valid-rows"], env=env, capture_output=True, text=True, timeout=7200)
        created = re.search(r"created\s*│\s*(\d+)", out.stdout + out.stderr)  # the summary is on stderr
        if created is None or int(created.group(1)) < args.customers * 0.99:
            raise SystemExit("custreg import failed:\n" + out.stdout[-3000:] + out.stderr[-3000:])
        log(f"custreg: {created.group(1)} customers imported")
        product.stop()
        servers.remove(product)
        product = run.Server(
            "custreg", [str(run.VENV / "custreg"), "serve"], {**env, "CUSTREG_WORKERS": "2"}, port, work
        )
        servers.append(product)
        product.wait_ready()
        tryton = run.Server(
            "tryton",
            [
                str(bin_ / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{tport}",
                "--log-level",
                "warning",
                "trytond.application:app",
            ],
            {**os.environ, "TRYTOND_CONFIG": str(conf), "TRYTOND_LOGGING_LEVEL": "30"},
            tport,
            work,
        )
        servers.append(tryton)
        tryton.wait_ready("/")
        d, n, cpath, tpath = args.duration, args.customers, f"/v1/companies/{run.COMPANY}/customers", f"/{dbname}/rest"
        pages = range(0, min(n, 2500), 25)
        summary_fields = "&".join(
            "f=" + f for f in ("code", "name", "email", "phone", "mobile", "addresses.city", "addresses.postal_code")
        )
        sample = range(0, min(n, 1000))
        pairs = [
            (
                "GET one by id",
                [f"{cpath}/{i + 1}" for i in sample],
                [f"{tpath}/model/party.party/{party_ids[i]}" for i in sample],
            ),
            (
                "list page of 25",
                [f"{cpath}?$top=25&$skip={k}" for k in pages],
                [f"{tpath}/model/party.party?s=25&p={k}" for k in pages],
            ),
            (
                "list page of 25 (Tryton: summary-like fields)",
                [f"{cpath}?$top=25&$skip={k}" for k in pages],
                [f"{tpath}/model/party.party?s=25&p={k}&{summary_fields}" for k in pages],
            ),
            (
                "name search, 25 rows",
                [f"{cpath}?searchWord={quote(w)}&$top=25" for w in WORDS],
                [f"{tpath}/model/party.party?s=25&d={b64([['name', 'ilike', f'%{w}%']])}" for w in WORDS],
            ),
        ]
        for label, ours, theirs in pairs:
            a = scenario(f"custreg: {label}", product.url, ours, run.TOKEN, work, d)
            b = scenario(f"Tryton: {label}", tryton.url, theirs, key, work, d)
            results.append({"scenario": label, "custreg": a, "tryton": b})
    finally:
        for s in reversed(servers):
            s.stop()
        for drop in drops:
            drop()
        shutil.rmtree(work, ignore_errors=True)

    engine = "PostgreSQL" if args.custreg_postgres else "SQLite"
    print(
        f"\ncustreg ({engine}, 2 workers) beside Tryton 8.2 REST (PostgreSQL, gunicorn 2 workers): "
        f"{args.customers:,} customers, wrk -t2 -c32 -d{args.duration}s, {os.cpu_count()} cores\n"
    )
    print("| scenario | custreg req/s | Tryton req/s | ratio | custreg p99 ms | Tryton p99 ms | load |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        a, b = r["custreg"], r["tryton"]
        ratio = f"{a['rps'] / b['rps']:.1f}x" if a["rps"] and b["rps"] else "-"
        print(
            f"| {r['scenario']} | {a['rps'] or 0:,.0f} | {b['rps'] or 0:,.0f} | {ratio} | "
            f"{a['p99'] or 0:.1f} | {b['p99'] or 0:.1f} | {a['load']:.1f} / {b['load']:.1f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
