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
