"""Where an import's time goes, per row, in CPU microseconds (evidence for bench/RESULTS.md).

    .venv/bin/python bench/import_costs.py [--rows 20000] [--csv customers.csv]

Runs the import's own code (sync/import_rows.py, customers/rows.py, customers/writer.py) stage by stage on generated
customers (bench/generate.py, or --csv) and a fresh SQLite database built by the
migrations, each stage timed with time.process_time over all rows:

worker side (what `--jobs N` spreads over N processes), per row:
 1. CSV parse and cells → values (csv module, formula check, unneutralize)
 2. the API's schema, as the import runs it (import_rows.Schema: CustomerCreate.model_validate
    with cells that validated before taken from a cache), and without the cache
 3. the API's rules: customers.validation.normalize (phones, e-mail, identifiers), and
    within it phonenumbers, email-validator and python-stdnum alone
 4. search text (customers.rows.search_text)
 5. the stored document (customers.document.NewDocuments.render: read.detail of a stand-in)
 6. all of it: import_rows.prepare_row (1-5 plus codes and the external id rules)
 7. pickling a prepared row to the writing process and back
writing process, per row:
 8. customers.writer.create of batches of 1000 (customers with their document, main address,
    external id, change log, audit, CSV line; one transaction) with the search index's triggers, and the
    same with its triggers dropped (the share of searchWord's index)
"""

import argparse
import csv
import pickle
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rows(path: Path, n: int) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for cells in reader:
            rows.append(cells)
            if len(rows) >= n:
                break
    return header, rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--csv", type=Path, help="a generated customers.csv (default: generate)")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="custreg-costs-"))
    if a.csv is None:
        import generate

        generate.generate(a.rows, 8, work, progress=False)
        a.csv = work / "customers.csv"
    header, cells = _rows(a.csv, a.rows)
    text = a.csv.read_text(encoding="utf-8-sig").split("\n", len(cells) + 1)
    text = "\n".join(text[: len(cells) + 1])

    import io
    import os

    db_path = work / "costs.db"
    url = f"sqlite:///{db_path}"
    os.environ["CUSTREG_DATABASE_URL"] = url
    os.environ["CUSTREG_ADMIN_TOKEN"] = token = "costs-token-0123456789abcdef"
    from fastapi.testclient import TestClient

    from custreg.db.migrate import upgrade
    from custreg.main import app

    upgrade(url)
    with TestClient(app) as client:  # the company as the API makes it (its default codes)
        for cuid in ("c", "c2"):  # c2: the second write round
            r = client.post(
                "/v1/companies",
                headers={"Authorization": f"Bearer {token}"},
                json={"cuid": cuid, "name": cuid, "countryCode": "FI"},
            )
            assert r.status_code == 201, r.text

    from custreg import bootstrap
    from custreg.customers import document, hooks, identifiers, rows, validation, writer
    from custreg.customers.schemas import CustomerCreate
    from custreg.db.session import Database
    from custreg.sync import import_rows

    bootstrap.wire()

    db = Database.from_url(url)

    out: dict[str, float] = {}
    n = len(cells)

    def timed(label, fn):
        t = time.process_time()
        result = fn()
        out[label] = time.process_time() - t
        return result

    def parse():
        report = import_rows.Report(mode="x")
        rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
        return [import_rows.row_values(header, r, i, report) for i, r in enumerate(rows)]

    values = timed("1. CSV parse + cells → values", parse)
    present = [{k: v for k, v in d.items() if v is not None} for d in values]
    schema = import_rows.Schema()
    given = timed("2. schema (cached per column and cell)", lambda: [schema(d) for d in present])
    timed("2'. schema without the cache (model_validate)", lambda: [CustomerCreate.model_validate(d) for d in present])
    full = []
    for g, d in zip(given, values):
        f = dict(import_rows.NONE_FIELDS)
        f.update({k: g.get(k) for k in d if k in import_rows.WRITABLE})
        full.append(f)
    normalized = timed("3. validation.normalize", lambda: [validation.normalize(f, default_country="FI") for f in full])
    phones = [(f.get("cellularPhone") or f.get("workPhone"), f.get("countryCode")) for f in full]
    timed("3a. of it: phonenumbers (one phone)", lambda: [validation.normalize_phone(x, c) for x, c in phones if x])
    timed(
        "3b. of it: email-validator (domain cached)",
        lambda: [validation.normalize_email(f["email"]) for f in full if f.get("email")],
    )
    timed(
        "3c. of it: python-stdnum (idNumber)",
        lambda: [
            identifiers.validate_id_number(
                f["idNumber"],
                country=f.get("countryCode") or "FI",
                person=(f.get("customerType") or "PERSON") == "PERSON",
            )
            for f in full
            if f.get("idNumber")
        ],
    )
    timed("4. search text (rows.search_text)", lambda: [rows.search_text(1, v) for v in normalized])
    codes = rows.Codes.of(db.session(write=False), _company(db))
    docs = document.NewDocuments("c", rows.VALUE_FIELDS, rows.ADDRESS_FIELDS)
    args = []
    for v in normalized:  # what prepare hands the renderer: the stored values
        if not v.get("fullName"):
            v["fullName"] = validation.derive_full_name(v)
        address = (uuid.uuid4(), *(v.get(f) for f in rows.ADDRESS_FIELDS))
        args.append(
            (uuid.uuid4(), tuple(v.get(f) for f in rows.VALUE_FIELDS), bool(v.get("excluded")), False, address, None)
        )
    timed("5. document (NewDocuments.render: read.detail + dump)", lambda: [docs.render(*r) for r in args])
    import_rows.init_worker(header, "FI", dict(codes.known), "c", "sqlite", tuple(hooks.COPIES))
    prepared = timed(
        "6. whole row in the worker (prepare_row)", lambda: import_rows.prepare_rows(list(enumerate(cells, start=2)))
    )
    blob = timed("7. pickle out", lambda: [pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL) for x in prepared])
    timed("7'. unpickle in the writer", lambda: [pickle.loads(b) for b in blob])

    for label, drop, cuid in (
        ("8. write (writer.create), search triggers on", False, "c"),
        ("8'. write, search triggers dropped", True, "c2"),
    ):
        session = db.session(write=True)
        company = _company(db, session, cuid)
        prepared = import_rows.prepare_rows(list(enumerate(cells, start=2)))  # new record GUIDs
        if drop:
            for (name,) in (
                session.connection()
                .exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='customers'")
                .all()
            ):
                session.connection().exec_driver_sql(f"DROP TRIGGER {name}")
        batch = [p[4] for p in prepared if isinstance(p[4], rows.New)]
        t = time.process_time()
        for i in range(0, len(batch), 1000):
            writer.create(session, company, batch[i : i + 1000])
        session.commit()
        out[label] = time.process_time() - t
        session.close()

    print(f"{n} customers from {a.csv}; CPU microseconds per row (time.process_time)")
    for label, seconds in out.items():
        print(f"  {label:52s} {seconds / n * 1e6:8.1f}")


def _company(db, session=None, cuid: str = "c"):
    from custreg.companies import service as companies

    return companies.get(session or db.session(write=False), cuid)


if __name__ == "__main__":
    main()
