"""The customer list's own work, in-process: CPU a page of 25 (query + JSON), no HTTP.

    .venv/bin/python bench/list_cpu.py --database-url sqlite:////tmp/r.db [--company bench] [--pages 100]

Calls `customers.queries.list_page` and `customers.read.page_json` as GET /customers does,
one thread, and prints the least CPU a page (process time, best of 7 rounds of --pages
calls: the machine is shared) for: the plain list (pages rotated through $skip 0-2475),
`$filter=lastName eq 'Virtanen'`, `searchWord` (ten name prefixes), and `$select` of a field
outside the summary. Runs on the code before session 12 too (then the rows are of the
old SUMMARY_COLUMNS, every field): `git archive 0ae5871 src | tar -x -C /tmp/before` and
`PYTHONPATH=/tmp/before/src`.
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import custreg.tables  # noqa: F401  (every model mapped)
from custreg.companies.models import Company
from custreg.customers import queries, read, shape
from custreg.paging import ListParams

WORDS = ["virta", "korho", "mäkin", "johans", "anders", "hanse", "sørens", "pöllä", "lindst", "nyströ"]
LIST = [
    "customerType",
    "fullName",
    "firstName",
    "middleName",
    "lastName",
    "companyName",
    "vatNumber",
    "idNumber",
    "city",
    "zipCode",
    "countryCode",
    "homePhone",
    "workPhone",
    "cellularPhone",
    "email",
    "status",
    "excluded",
    "customerGuid",
    "customerNumber",
    "lastUpdatedAt",
    "version",
    "links",
]
SELECT = ("customerGuid", "customerNumber", "lastName", "customerGroup", "version", "links")


def page(session: Session, company: Company, kind: str, i: int) -> bytes:
    word, select_ = None, None
    params = ListParams(filter=None, orderby=None, top=25, skip=0)
    if kind == "list":
        params.skip = (i % 100) * 25
    elif kind == "lastName eq":
        params.filter = "lastName eq 'Virtanen'"
    elif kind == "searchWord":
        word = WORDS[i % len(WORDS)]
    else:
        select_ = SELECT
    query = {"search_word": word, "from_date": None, "include_excluded": False}
    if hasattr(shape, "LIST_FIELDS"):  # session 12: the summary's columns unless $select names others
        view = shape.SUMMARY_FIELDS if select_ else shape.LIST_FIELDS
        total, rows = queries.list_page(session, company, params, fields=view, **query)
        return read.page_json(rows, view, company.cuid, skip=params.skip, total=total, select=select_)
    total, rows = queries.list_page(session, company, params, columns=shape.SUMMARY_COLUMNS, **query)
    return read.page_json(rows, company.cuid, skip=params.skip, total=total, select=select_ or tuple(LIST))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--company", default="bench")
    p.add_argument("--pages", type=int, default=100)
    args = p.parse_args()
    engine = create_engine(args.database_url)
    with Session(engine) as session:
        company = session.scalars(select(Company).where(Company.cuid == args.company)).one()
        for kind in ("list", "lastName eq", "searchWord", "$select outside the summary"):
            body = b""
            for i in range(20):  # warm: statement caches, file pages
                body = page(session, company, kind, i)
            best = float("inf")
            for _ in range(7):
                t = time.process_time()
                for i in range(args.pages):
                    page(session, company, kind, i)
                best = min(best, (time.process_time() - t) / args.pages)
            load = os.getloadavg()[0]
            print(f"{kind}: {best * 1e3:.2f} ms CPU a page, {len(body)} bytes (last page), load {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
