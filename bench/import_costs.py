"""Where an import's time goes, per row, in CPU microseconds (evidence for bench/RESULTS.md).

    .venv/bin/python bench/import_costs.py [--rows 20000] [--csv customers.csv]

Measures, on generated customers (bench/generate.py) and a fresh SQLite database built by
the migrations, each stage the import runs for a new customer:
1. the API's schema: CustomerCreate.model_validate of the row's cells;
2. the API's rules: customers.validation.normalize (phones, e-mail, identifiers);
3. SQLite: INSERT of the customers rows (executemany, one transaction), with the FTS5
   trigram trigger that keeps searchWord's index in step, and the same without it.
"""

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rows(path: Path, n: int) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
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

    from custreg.customers import validation
    from custreg.customers.schemas import CustomerCreate
    from custreg.db.migrate import upgrade
    from custreg.sync.export import unneutralize

    values = [{h: (unneutralize(c) or None) for h, c in zip(header, row)} for row in cells]
    out = {}
    t = time.process_time()
    bodies = [CustomerCreate.model_validate({k: v for k, v in d.items() if v is not None})
              for d in values]
    out["1. CustomerCreate.model_validate"] = time.process_time() - t
    dumps = [b.model_dump(exclude={"customerGuid", "externalSystemId", "externalSystemIdentifier"})
             for b in bodies]
    t = time.process_time()
    for d in dumps:
        validation.normalize(d, default_country="FI")
    out["2. validation.normalize"] = time.process_time() - t

    db = work / "costs.db"
    upgrade(f"sqlite:///{db}")
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("INSERT INTO companies (cuid, name, country_code, next_customer_number, created_at) "
                "VALUES ('c', 'C', 'FI', 1, '2026-01-01 00:00:00')")
    cid = con.execute("SELECT id FROM companies").fetchone()[0]
    cols = ["company_id", "customer_guid", "customer_number", "customer_type", "full_name",
            "full_name_given", "first_name", "last_name", "company_name", "id_number", "email",
            "cellular_phone", "excluded", "search_text", "reg_date", "last_updated_at", "version"]

    def rows(offset: int):
        from custreg.text import fold

        for i, d in enumerate(dumps):
            name = " ".join(x for x in (d.get("firstName"), d.get("lastName")) if x) or d.get("companyName")
            text = fold(" ".join(str(x) for x in (offset + i, name, d.get("idNumber"), d.get("email"),
                                                  d.get("cellularPhone"), d.get("city")) if x))
            yield (cid, uuid.uuid4().hex, offset + i, d.get("customerType") or "PERSON", name, False,
                   d.get("firstName"), d.get("lastName"), d.get("companyName"), d.get("idNumber"),
                   d.get("email"), d.get("cellularPhone"), False, text, "2026-01-01 00:00:00",
                   "2026-01-01 00:00:00", 1)

    sql = f"INSERT INTO customers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for label, offset, drop in (("3. INSERT customers, FTS5 trigger on", 1, False),
                                ("4. INSERT customers, FTS5 trigger off", 10_000_000, True)):
        if drop:
            con.execute("DROP TRIGGER customers_fts_ai")
        batch = list(rows(offset))
        t = time.process_time()
        con.execute("BEGIN IMMEDIATE")
        con.executemany(sql, batch)
        con.execute("COMMIT")
        out[label] = time.process_time() - t
    n = len(dumps)
    print(f"{n} generated customers; CPU microseconds per row (time.process_time)")
    for label, seconds in out.items():
        print(f"  {label:42s} {seconds / n * 1e6:8.1f}")


if __name__ == "__main__":
    main()
