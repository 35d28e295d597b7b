"""The import's floor (issue 21): a minimal importer of the same CSV with the same validation,
so that `make bench` can say how far `custreg import` is above it.

    .venv/bin/python bench/import_floor.py CSV --database-url URL [--jobs 2] [--json FILE]

Validates each row of a bench/generate.py CSV with the calls custreg's import makes, to the
same values: cells read as the import reads them (csv_format), CustomerCreate.model_validate,
validation.normalize (python-stdnum, phonenumbers, email-validator), the company's register
codes (rows.Codes), the external id pair, derive_full_name. Nothing else: no stored documents,
CSV lines, audit or change-log entries, search text (NULL) or external id rows.

--jobs worker processes (default 2; 0: none) get byte blocks of whole records and return
driver-ready tuples for `customers` and their main LEGAL `addresses`; this process writes
them in one transaction: executemany INSERTs on SQLite (custreg's PRAGMAs), COPY on
PostgreSQL. A database without custreg's migrations or the company (--company) is migrated
and given it first, outside the figures (`--prepare`: only that).

Prints rows/s (reading to COMMIT), CPU µs a row (user + sys of this process and its workers,
same span; not PostgreSQL's server), rows refused, peak RSS; --json writes them. bench/run.py
runs it beside the real import (`beside`) and reports the ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import resource
import subprocess
import sys
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON
from sqlalchemy.dialects import sqlite

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.rows import Codes
from custreg.customers.schemas import CustomerCreate
from custreg.customers.shape import ADDRESS_FIELDS, VALUE_FIELDS
from custreg.customers.validation import derive_full_name, normalize
from custreg.db.columns import snake
from custreg.errors import DomainError, FieldErrors
from custreg.external_ids.schemas import pair as external_pair
from custreg.sync import csv_format

BLOCK = 256 * 1024  # bytes of CSV per task: ≈ 1,150 generated rows, one INSERT/COPY round each
ERRORS_KEPT = 10
# The columns written; the writer puts the first two (customers) or the first (addresses).
CUSTOMER_COLUMNS = ("id", "customer_number", "company_id", "customer_guid", *(snake(f) for f in VALUE_FIELDS))
CUSTOMER_COLUMNS += ("excluded", "full_name_given", "search_text", "reg_date", "last_updated_at", "version")
ADDRESS_COLUMNS = ("customer_id", "address_guid", "address_type", "default_address", "last_updated_at")
ADDRESS_COLUMNS += tuple(snake(f) for f in ADDRESS_FIELDS)
SKIPPED, WRITABLE = frozenset(csv_format.READ_ONLY_COLUMNS), frozenset(csv_format.WRITABLE_COLUMNS)
NONE_FIELDS = dict.fromkeys(csv_format.FIELD_COLUMNS)


# ---------------------------------------------------------------- validation (workers)

_W: dict[str, Any] = {}


def _converter(table, names: tuple[str, ...], postgres: bool):
    """Makes a tuple of Python values driver-ready for these columns: on SQLite what the
    column types' own bind processors make (the stored form SQLAlchemy writes); COPY takes
    Python values, JSON wrapped for psycopg."""
    from psycopg.types.json import Json

    convert = []
    dialect = sqlite.dialect()
    for i, name in enumerate(names):
        t = table.c[name].type
        p = (Json if isinstance(t, JSON) else None) if postgres else t.dialect_impl(dialect).bind_processor(dialect)
        if p is not None:
            convert.append((i, p))

    def apply(values: tuple) -> tuple:
        out = list(values)
        for i, p in convert:
            if out[i] is not None:
                out[i] = p(out[i])
        return tuple(out)

    return apply


def init_worker(header: list[str], company_id: int, country: str, known: dict, postgres: bool) -> None:
    _W.update(
        header=header,
        company_id=company_id,
        country=country,
        codes=Codes(known),
        now=datetime.now(UTC),
        customer=_converter(Customer.__table__, CUSTOMER_COLUMNS[2:], postgres),
        address=_converter(Address.__table__, ADDRESS_COLUMNS[1:], postgres),
    )


class Refused(Exception):
    """A row the import would refuse: "field: message"."""


def check_row(cells: list[str]) -> tuple[tuple, tuple | None]:
    """One row's (customer values, main address values or None), validated with the calls
    custreg's import makes for a new customer (sync/import_rows.py, customers/rows.py)."""
    w = _W
    header = w["header"]
    if len(cells) != len(header):
        raise Refused(f"row: has {len(cells)} cells, the header has {len(header)}")
    values: dict[str, Any] = {}
    for name, cell in zip(header, cells):
        if name in SKIPPED:
            continue
        if csv_format.is_formula(cell):
            raise Refused(f"{name}: looks like a spreadsheet formula")
        text = csv_format.unneutralize(cell)
        value: Any = text if text != "" else None
        if name == "dimensions" and value is not None:
            try:
                value = json.loads(value)
            except ValueError:
                raise Refused(f"{name}: not a JSON object of code → value") from None
        values[name] = value
    try:  # an empty cell is "no value": validated as absent
        body = CustomerCreate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        e = exc.errors()[0]
        raise Refused(f"{'.'.join(str(p) for p in e.get('loc', ())) or 'row'}: {e.get('msg')}") from None
    except (TypeError, ValueError) as exc:
        raise Refused(f"row: {exc}") from None
    full = dict(NONE_FIELDS)
    full.update({k: getattr(body, k) for k in values if k in WRITABLE})
    if full.get("fullName") and full["fullName"] == derive_full_name(full):
        full["fullName"] = None  # derived from the name parts: stays derived
    given = bool(full.get("fullName"))
    try:
        v = normalize(full, default_country=w["country"])
        errors = FieldErrors()
        w["codes"].check_customer(v, errors)
        ext = external_pair(v.get("externalSystemId"), v.get("externalSystemIdentifier"))
        if ext is not None:
            w["codes"].check("externalSystems", str(ext[0]), "externalSystemId", errors)
        errors.raise_if_any()
    except DomainError as exc:
        first = (exc.errors or [{"field": "row", "message": exc.detail}])[0]
        raise Refused(f"{first.get('field') or 'row'}: {first.get('message') or exc.detail}") from None
    if not given:
        v["fullName"] = derive_full_name(v)
    now, guid = w["now"], body.customerGuid or uuid.uuid4()
    fields = (v.get(f) for f in VALUE_FIELDS)
    customer = w["customer"]((w["company_id"], guid, *fields, bool(v.get("excluded")), given, None, now, now, 1))
    address = None
    if any(v.get(f) for f in ADDRESS_FIELDS):
        address = w["address"]((uuid.uuid4(), "LEGAL", True, now, *(v.get(f) for f in ADDRESS_FIELDS)))
    return customer, address


def check_block(block: bytes) -> tuple[list[tuple[tuple, tuple | None]], int, list[str]]:
    """A block of whole CSV records: (rows ready to write, rows refused, some errors)."""
    ready: list[tuple[tuple, tuple | None]] = []
    refused, errors = 0, []
    try:
        reader = csv.reader(io.StringIO(block.decode("utf-8"), newline=""), strict=True)
    except UnicodeDecodeError as exc:
        return [], block.count(b"\n"), [f"block not UTF-8: {exc}"]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            refused += 1
            errors.append(f"row cannot be read: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank line
        try:
            ready.append(check_row(cells))
        except Refused as exc:
            refused += 1
            if len(errors) < ERRORS_KEPT:
                errors.append(str(exc))
    return ready, refused, errors


# ---------------------------------------------------------------- reading


def blocks(f, size: int = BLOCK):
    """Byte blocks of whole records: cut after a line end outside quotes."""
    carry = b""
    while True:
        data = f.read(size)
        if not data:
            break
        data = carry + data
        cut = data.rfind(b"\n")
        while cut >= 0 and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut)  # that line end is inside a quoted cell
        if cut < 0:
            carry = data
            continue
        yield data[: cut + 1]
        carry = data[cut + 1 :]
    if carry:
        yield carry


def read_header(f) -> list[str]:
    header = [h.strip() for h in next(csv.reader([f.readline().decode("utf-8-sig")]))]
    unknown = [h for h in header if h not in csv_format.COLUMNS]
    if unknown or len(set(header)) != len(header):
        raise SystemExit(f"unusable header: unknown {unknown}, or a column twice")
    return header


# ---------------------------------------------------------------- writing (this process)


class SQLiteWriter:
    """One connection, one IMMEDIATE transaction, executemany INSERTs."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None)
        # custreg's engine (db/engine.py), then its CLI import's connection (cli/transfer.py)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("PRAGMA cache_size=-16384")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("BEGIN IMMEDIATE")
        self.top: int | None = None

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.conn.execute(sql.replace("%s", "?"), params).fetchall()

    def ids(self, n: int) -> range:
        """The next rowids (this transaction holds the write lock)."""
        if self.top is None:
            self.top = self.query("SELECT coalesce(max(id), 0) FROM customers")[0][0]
        first, self.top = self.top + 1, self.top + n
        return range(first, first + n)

    def write(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" * len(cols))
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


class PostgresWriter:
    """One connection, one transaction, a COPY per block and table."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)
        self.cur = self.conn.cursor()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        self.cur.execute(sql, params)
        return self.cur.fetchall() if self.cur.description else []

    def ids(self, n: int) -> list[int]:
        sql = "SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, %s)"
        return [r[0] for r in self.query(sql, (n,))]

    def write(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if rows:
            with self.cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)

    def commit(self) -> None:
        self.conn.commit()
        self.conn.close()


def connect(url: str) -> SQLiteWriter | PostgresWriter:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresWriter(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise SystemExit(f"not a SQLite file or PostgreSQL URL: {url}")
    return SQLiteWriter(parsed.database)


def prepare(url: str, cuid: str) -> None:
    """Migrate the database with custreg's migrations and create the company (with the
    default register codes, as POST /companies does) if it is not there."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from custreg.companies import service
    from custreg.companies.models import Company
    from custreg.companies.schemas import CompanyCreate
    from custreg.db.engine import make_engine
    from custreg.db.migrate import upgrade

    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        if s.scalar(select(Company.id).where(Company.cuid == cuid)) is None:
            service.create(s, data=CompanyCreate(cuid=cuid, name="Bench Oy", countryCode="FI"))
    engine.dispose()


def cpu_seconds(*who: int) -> float:
    """User + sys seconds of RUSAGE_SELF / RUSAGE_CHILDREN (those waited for, their trees too)."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, who))


def run(csv_file: Path, url: str, jobs: int, cuid: str) -> dict[str, Any]:
    """Import `csv_file` into the company (migrating the database and creating the company
    first, outside the figures, when it is not there): the figures."""
    started, cpu_start = time.monotonic(), cpu_seconds(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    db = connect(url)
    postgres = isinstance(db, PostgresWriter)
    sql = "SELECT id, country_code, next_customer_number FROM companies WHERE cuid = %s"
    try:
        found = db.query(sql + (" FOR UPDATE" if postgres else ""), (cuid,))
    except Exception:  # no companies table: not migrated
        found = []
    if not found:
        db.conn.close()
        prepare(url, cuid)
        return run(csv_file, url, jobs, cuid)
    company_id, country, number = found[0]
    known: dict[tuple[str, str], set[str]] = {}
    for category, parent, code in db.query(
        "SELECT category, parent, code FROM register_codes WHERE company_id = %s", (company_id,)
    ):
        known.setdefault((category, parent), set()).add(code)
    written = refused = 0
    errors: list[str] = []

    def write(result) -> None:
        nonlocal written, refused, number
        ready, bad, errs = result
        refused += bad
        errors.extend(errs[: ERRORS_KEPT - len(errors)])
        if not ready:
            return
        customers, addresses = [], []
        for id_, (customer, address) in zip(db.ids(len(ready)), ready):
            customers.append((id_, number, *customer))
            number += 1
            if address is not None:
                addresses.append((id_, *address))
        db.write("customers", CUSTOMER_COLUMNS, customers)
        db.write("addresses", ADDRESS_COLUMNS, addresses)
        written += len(customers)

    with open(csv_file, "rb") as f:
        initargs = (read_header(f), company_id, country, known, postgres)
        if jobs < 1:
            init_worker(*initargs)
            for block in blocks(f):
                write(check_block(block))
        else:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            pool = multiprocessing.get_context(method).Pool(jobs, initializer=init_worker, initargs=initargs)
            try:
                flight: deque = deque()
                for block in blocks(f):  # at most 2 blocks a worker in flight: memory stays flat
                    flight.append(pool.apply_async(check_block, (block,)))
                    if len(flight) >= 2 * jobs:
                        write(flight.popleft().get())
                while flight:
                    write(flight.popleft().get())
                pool.close()
            finally:
                pool.terminate()
                pool.join()
    db.query("UPDATE companies SET next_customer_number = %s WHERE id = %s", (number, company_id))
    db.commit()
    seconds = time.monotonic() - started
    cpu = cpu_seconds(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) - cpu_start
    rows = written + refused
    return {
        "scenario": f"import floor (bench/import_floor.py, {jobs} jobs)",
        "engine": "PostgreSQL" if postgres else "SQLite",
        "rows": rows,
        "written": written,
        "refused": refused,
        "refused_examples": errors,
        "seconds": seconds,
        "rows_s": rows / seconds if seconds else None,
        "cpu_s": cpu,
        "cpu_us_row": 1e6 * cpu / rows if rows else None,
        "cpu_workers_us_row": 1e6 * cpu_seconds(resource.RUSAGE_CHILDREN) / rows if rows else None,
        "peak_rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "jobs": jobs,
    }


# ---------------------------------------------------------------- beside the real import (bench/run.py)


def children_cpu() -> float:
    return cpu_seconds(resource.RUSAGE_CHILDREN)


def beside(args, csv_file: Path, work: Path, imported: dict, make_database, sampler, log) -> dict:
    """bench/run.py: the floor on the same CSV into a fresh database of the same engine
    (migrated and given the company first, outside the timing), timed as run.py times the
    CLI import (process start to exit); `imported` (run_import's result) gets the ratio."""
    url, drop = make_database(args, work, "_floor")
    here = [sys.executable, str(Path(__file__).resolve())]
    try:
        subprocess.run([*here, str(csv_file), "--database-url", url, "--prepare"], check=True, timeout=600)
        out = work / "floor.json"
        cpu, t = children_cpu(), time.monotonic()
        argv = [*here, str(csv_file), "--database-url", url, "--jobs", str(args.floor_jobs), "--json", str(out)]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watch = sampler(proc.pid)
        watch.start()
        text = proc.communicate(timeout=4 * 3600)[0]
        seconds = time.monotonic() - t
        watch.stop()
        cpu = children_cpu() - cpu
        if proc.returncode != 0:
            log("import floor failed:\n" + text[-4000:])
            raise SystemExit(1)
    finally:
        if not args.keep:
            drop()
    own = json.loads(out.read_text())
    rows = own["rows"]
    result = {**own, "own_rows_s": own["rows_s"], "own_seconds": own["seconds"], "own_cpu_us_row": own["cpu_us_row"]}
    result.update(
        rows_s=rows / seconds, seconds=seconds, cpu_us_row=1e6 * cpu / rows, peak_rss_mb=watch.peak_pss / 1024
    )
    result["note"] = (
        f"{1e6 * cpu / rows:.0f} µs CPU a row ({own['rows_s']:,.0f} rows/s and {own['cpu_us_row']:.0f} µs a row "
        f"from reading to COMMIT); {own['refused']} refused; "
        f"{watch.processes} processes: peak PSS summed {watch.peak_pss / 1024:.0f} MB"
    )
    imported["floor_ratio"] = imported["rows_s"] / result["rows_s"]
    imported["note"] += f"; {imported['floor_ratio']:.2f}× the floor's rows/s"
    log(f"import floor: {result['note']}")
    log(f"import / floor: {imported['rows_s']:,.0f} / {result['rows_s']:,.0f} = {imported['floor_ratio']:.2f}")
    return result


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="The import's floor (issue 21)")
    p.add_argument("csv", type=Path, help="a CSV of bench/generate.py (the export's columns)")
    p.add_argument("--database-url", required=True, help="sqlite:///FILE or postgresql+psycopg://...")
    p.add_argument("--jobs", type=int, default=2, help="validating worker processes (0: in this process)")
    p.add_argument("--company", default="bench", help="cuid of the company (created if missing)")
    p.add_argument("--json", type=Path, help="also write the figures as JSON here")
    p.add_argument("--prepare", action="store_true", help="only migrate and create the company")
    args = p.parse_args(argv)
    if args.prepare:
        prepare(args.database_url, args.company)
        return 0
    r = run(args.csv, args.database_url, args.jobs, args.company)
    print(
        f"import floor ({r['engine']}, {r['jobs']} jobs): {r['rows']:,} rows ({r['refused']:,} refused) in "
        f"{r['seconds']:.1f} s = {r['rows_s']:,.0f} rows/s; CPU {r['cpu_us_row']:.0f} µs a row "
        f"(user+sys of this process and its workers, the workers {r['cpu_workers_us_row']:.0f}); "
        f"peak RSS {r['peak_rss_main_mb']:.0f} MB, largest worker {r['peak_rss_worker_mb']:.0f} MB"
    )
    for e in r["refused_examples"]:
        print(f"  refused: {e}")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
