"""A row that names a customer written by an earlier batch of the same import is an update,
whether the importer found it by its lookup or by the batch's INSERT failing on the
unique keys (PostgreSQL skips the lookup for a company that started empty: sync/bulk.py
`existing`)."""

import csv
import io
import uuid

from conftest import PG_URL, new_company

from custreg.sync import bulk

# One batch and a bit: the two extra rows land in a later batch than the rows they name.
# Enough rows for the import to tidy up after itself (checked below: bulk.after_large_import).
ROWS = bulk.LARGE_IMPORT + 100

HEADER = ["customerGuid", "lastName", "city", "externalSystemId", "externalSystemIdentifier"]


def test_rows_naming_customers_of_an_earlier_batch_update_them(client, database_url):
    cuid = new_company(client)
    guids = [str(uuid.uuid4()) for _ in range(ROWS)]
    rows = [[g, f"Name {i}", "Oulu", "", ""] for i, g in enumerate(guids)]
    rows[3][3:] = ["1", "ext-3"]
    rows.append([guids[5], "Changed", "Turku", "", ""])  # a later batch: GUID of row 7
    rows.append(["", "By external id", "Vaasa", "1", "ext-3"])  # external id of row 5
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    r = client.post(
        f"/v1/companies/{cuid}/customers/import", content=out.getvalue().encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["updated"], report["failed"]) == (ROWS, 2, 0), report
    url = f"/v1/companies/{cuid}/customers"
    assert client.get(f"{url}/count").json()["count"] == ROWS
    got = client.get(f"{url}/{guids[5]}").json()
    assert (got["lastName"], got["city"], got["version"]) == ("Changed", "Turku", 2)
    got = client.get(f"{url}/{guids[3]}").json()
    assert (got["lastName"], got["city"]) == ("By external id", "Vaasa")
    assert got["externalSystemIdentifier"] == "ext-3"
    if not PG_URL:  # a large import truncates SQLite's write-ahead log
        from pathlib import Path

        from sqlalchemy.engine import make_url

        wal = Path(make_url(database_url).database + "-wal")
        assert not wal.exists() or wal.stat().st_size < 1_000_000, wal.stat().st_size
    if PG_URL:  # a large import refreshes the planner's statistics (sync/bulk.after_large_import)
        from sqlalchemy import create_engine, text

        engine = create_engine(database_url)
        with engine.connect() as conn:
            analyzed = conn.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'customers'")
            ).scalar()
        engine.dispose()
        assert analyzed is not None


def _hetus(n: int) -> list[str]:
    """n distinct valid Finnish personal identity codes (the check character found by
    python-stdnum, not computed here)."""
    from stdnum.fi import hetu

    found = []
    for i in range(n):
        base = f"{1 + i % 28:02d}{1 + (i // 28) % 12:02d}{50 + i // 336:02d}-{100 + i % 7:03d}"
        found.append(next(base + c for c in "0123456789ABCDEFHJKLMNPRSTUVWXY" if hetu.is_valid(base + c)))
    assert len(set(found)) == n
    return found


def test_a_batch_with_repeated_identity_numbers_writes_the_other_rows_in_file_order(client):
    """A repeated identity number in a batch of 1,000 refuses that row only; the rows around it
    are written as a batch (sync/bulk.Creator halves a refused batch) and keep the file's
    order of customer numbers."""
    cuid = new_company(client)
    n = bulk.BATCH + 200
    ids = _hetus(n)
    ids[10] = ids[3]  # the same batch
    ids[600] = ids[3]  # the same batch again
    ids[bulk.BATCH + 50] = ids[7]  # a later batch
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["lastName", "firstName", "idNumber"])
    writer.writerows([f"Name{i:05d}", "Testi", ids[i]] for i in range(n))
    r = client.post(
        f"/v1/companies/{cuid}/customers/import?mode=valid-rows",
        content=out.getvalue().encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["failed"]) == (n - 3, 3), report
    refused = {(e["row"], e["field"]) for e in report["errors"]}
    assert refused == {(12, "idNumber"), (602, "idNumber"), (bulk.BATCH + 52, "idNumber")}, report["errors"]
    export = client.get(f"/v1/companies/{cuid}/customers/export.csv")
    assert export.status_code == 200, export.text
    lines = list(csv.DictReader(io.StringIO(export.text)))
    by_number = sorted(lines, key=lambda line: int(line["customerNumber"]))
    names = [line["lastName"] for line in by_number]
    assert names == [f"Name{i:05d}" for i in range(n) if i not in (10, 600, bulk.BATCH + 50)]
