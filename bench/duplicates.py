"""`custreg duplicates --company bench` on a large register (issue 26; never part of the product).

    .venv/bin/python bench/duplicates.py --customers 200000 [--database-url URL]
    .venv/bin/python bench/duplicates.py --customers 1000000 --database-url sqlite:////tmp/d.db --fill-only
    .venv/bin/python bench/duplicates.py --database-url sqlite:////tmp/d.db --company bench-xxxxxx

Fills a fresh SQLite file (or the database URL given, migrated) with a company of N synthetic
Nordic customers — names with å/ä/ö, e-mails, E.164 phones, streets and postal codes — of which
about 2 % are seeded duplicates of another (same e-mail; same phone; same name in other case
and accents at the same street), written straight into the tables (a bench fixture: the import
would take an hour at this size; bench/RESULTS.md has its own figures). Then runs the real CLI
as a subprocess and prints its wall time, CPU time, peak memory and the pairs it stored.
With `--api`: then times the API on that register, in process (one request at a time; CPU: the process's, app thread included): pages of
`GET /customers/duplicates` at the start, middle and end of the stored pairs, and
`GET /customers/{c}/duplicates` of customers with stored pairs and of random ones.
"""

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from custreg import tables  # noqa: F401  (every table known)
from custreg.addresses.models import Address
from custreg.app import create_app
from custreg.companies import service as companies
from custreg.companies.models import Company
from custreg.companies.schemas import CompanyCreate
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.db.migrate import upgrade
from custreg.db.session import Database
from custreg.duplicates.models import DuplicateCandidate
from custreg.settings import Settings

FIRST = [
    "Matti",
    "Maija",
    "Åsa",
    "Björn",
    "Søren",
    "Pekka",
    "Liisa",
    "Jörg",
    "Anna",
    "Erik",
    "Sofia",
    "Lars",
    "Ingrid",
    "Mikko",
    "Päivi",
    "Jonas",
    "Emma",
    "Oskar",
]
LAST = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Lindström",
    "Andersson",
    "Johansson",
    "Nielsen",
    "Hansen",
    "Ødegård",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Berg",
    "Dahl",
    "Sørensen",
    "Åberg",
    "Öberg",
    "Strand",
    "Lund",
    "Holm",
]
STREETS = [
    "Storgatan",
    "Kirkkokatu",
    "Hämeenkatu",
    "Østergade",
    "Kungsgatan",
    "Aleksanterinkatu",
    "Bygdøy",
    "allé",
    "Rantatie",
]
CHUNK = 20_000
ADMIN = "bench-admin-token-" + "x" * 24


def _people(n: int, rng: random.Random):
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = {
            "first_name": first,
            "last_name": f"{last}{i % 997}" if rng.random() < 0.9 else last,
            "email": f"{first.lower()}.{i}@example.fi",
            "cellular_phone": f"+35840{i:07d}",
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
            "zip_code": f"{rng.randint(0, 99999):05d}",
        }
        if i and rng.random() < 0.02:  # a duplicate of an earlier customer
            kind = rng.randrange(3)
            row["_dup"] = kind
        yield row


def fill(db: Database, cuid: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with db.session(write=True) as session:
        company = companies.create(session, data=CompanyCreate(cuid=cuid, name="Bench", countryCode="FI"))
        session.flush()
        cid = company.id
        company.next_customer_number = n + 1
        session.commit()
    now = utcnow()
    earlier: list[dict] = []
    customers, addresses = [], []
    start = time.monotonic()
    with db.engine.begin() as conn:
        top = conn.execute(select(func.max(Customer.id))).scalar() or 0
        for i, row in enumerate(_people(n, rng)):
            dup = row.pop("_dup", None)
            if dup is not None and earlier:
                source = rng.choice(earlier)
                if dup == 0:
                    row["email"] = source["email"]
                elif dup == 1:
                    row["cellular_phone"] = source["cellular_phone"]
                else:
                    row["first_name"], row["last_name"] = source["first_name"].upper(), source["last_name"].lower()
                    row["street"] = source["street"].upper()
            if len(earlier) < 10_000:
                earlier.append(row)
            elif rng.random() < 0.01:
                earlier[rng.randrange(len(earlier))] = row
            id_ = top + i + 1
            customers.append(
                {
                    "id": id_,
                    "company_id": cid,
                    "customer_guid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_number": i + 1,
                    "customer_type": "PERSON",
                    "first_name": row["first_name"],
                    "last_name": row["last_name"],
                    "full_name": f"{row['first_name']} {row['last_name']}",
                    "email": row["email"],
                    "cellular_phone": row["cellular_phone"],
                    "excluded": False,
                    "full_name_given": False,
                    "reg_date": now,
                    "last_updated_at": now,
                    "version": 1,
                }
            )
            addresses.append(
                {
                    "customer_id": id_,
                    "address_guid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "address_type": "LEGAL",
                    "default_address": True,
                    "street": row["street"],
                    "zip_code": row["zip_code"],
                    "city": "Helsinki",
                    "last_updated_at": now,
                }
            )
            if len(customers) >= CHUNK:
                conn.execute(insert(Customer.__table__), customers)
                conn.execute(insert(Address.__table__), addresses)
                customers, addresses = [], []
        if customers:
            conn.execute(insert(Customer.__table__), customers)
            conn.execute(insert(Address.__table__), addresses)
    print(f"filled {n:,} customers in {time.monotonic() - start:.1f} s", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=26)
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temporary directory")
    p.add_argument("--fill-only", action="store_true", help="fill the register and stop (keep it for --company)")
    p.add_argument("--company", default=None, help="run on this company of a register filled before (no fill)")
    p.add_argument("--api", action="store_true", help="then time the API's answers on the register")
    p.add_argument("--no-run", action="store_true", help="with --api: the pairs stored before, no CLI run")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="custreg-dups-")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'dups.db'}"
    upgrade(url)
    db = Database.from_url(url)
    cuid = args.company or f"bench-{uuid.uuid4().hex[:6]}"
    try:
        if args.company is None:
            fill(db, cuid, args.customers, args.seed)
            print(f"register: {url} company {cuid}", flush=True)
        if args.fill_only:
            return
        with db.session(write=False) as session:
            company_id = session.scalar(select(Company.id).where(Company.cuid == cuid))
            customers = session.scalar(select(func.count(Customer.id)).where(Customer.company_id == company_id)) or 0
        if not args.no_run:
            run_cli(db, url, cuid, company_id, customers)
        if args.api:
            api(url, cuid, company_id, db)
    finally:
        db.engine.dispose()


def run_cli(db: Database, url: str, cuid: str, company_id: int, customers: int) -> None:
    load = os.getloadavg()[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env["CUSTREG_DATABASE_URL"] = url
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "custreg.cli", "duplicates", "--company", cuid], env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        sys.exit(run.stderr)
    with db.session(write=False) as session:
        stored = session.scalar(
            select(func.count(DuplicateCandidate.id)).where(DuplicateCandidate.company_id == company_id)
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"custreg duplicates: {customers:,} customers, {stored:,} pairs stored, "
        f"wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {after.ru_maxrss / 1024:.0f} MiB "
        f"({make_engine_name(url)}, load average {load:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end)"
    )


def _ms(times: list[float], cpus: list[float]) -> str:
    return (
        f"wall p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
        f"CPU p50 {statistics.median(cpus) * 1000:.0f} ms, max {max(cpus) * 1000:.0f} ms"
    )


def api(url: str, cuid: str, company_id: int, db: Database) -> None:
    base = f"/v1/companies/{cuid}/customers"
    rng = random.Random(1)
    with db.session(write=False) as session:
        top = session.scalar(select(func.max(Customer.customer_number)).where(Customer.company_id == company_id)) or 1
        paired = list(
            session.scalars(
                select(Customer.customer_number)
                .join(DuplicateCandidate, DuplicateCandidate.first_id == Customer.id)
                .where(Customer.company_id == company_id)
                .limit(2000)
            )
        )
    app = create_app(Settings(database_url=url, admin_token=ADMIN))
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as client:
        total = client.get(f"{base}/duplicates", params={"$top": 1}).json()["total"]
        pages: list[float] = []
        page_cpus: list[float] = []
        for skip in (0, total // 2, max(total - 100, 0)) * 5:
            start, cpu = time.perf_counter(), time.process_time()
            r = client.get(f"{base}/duplicates", params={"$top": 100, "$skip": skip})
            pages.append(time.perf_counter() - start)
            page_cpus.append(time.process_time() - cpu)
            assert r.status_code == 200, r.text
        print(
            f"GET /customers/duplicates ($top 100; $skip 0, {total // 2:,}, {max(total - 100, 0):,}; x5): {_ms(pages, page_cpus)}"
        )
        for kind, numbers in (
            ("with stored pairs", rng.sample(paired, min(20, len(paired)))),
            ("random", [rng.randint(1, top) for _ in range(20)]),
        ):
            times, cpus, found = [], [], 0
            for number in numbers:
                start, cpu = time.perf_counter(), time.process_time()
                r = client.get(f"{base}/{number}/duplicates")
                times.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
                assert r.status_code == 200, r.text
                found += len(r.json()["value"])
            print(
                f"GET /customers/{{c}}/duplicates, 20 customers {kind}: {_ms(times, cpus)}, {found} candidates in all"
            )


def make_engine_name(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


if __name__ == "__main__":
    main()
