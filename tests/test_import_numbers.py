"""Customer numbers through an import that spans several batches (sync/bulk.Numbers): the
batches and the row-by-row creates of one import share the company's sequence without
duplicates or gaps, a failed all-or-nothing import takes no number, a valid-rows import
numbers only the rows it writes, creates running beside an import get numbers of their
own, and the company row (its number counter) is written once per import transaction,
not once per batch."""

import csv
import io
import threading
import uuid

from conftest import PG_URL, create_customer, new_company
from sqlalchemy import create_engine, text
from sync_util import custreg_cli

from custreg.sync import bulk

BATCH = bulk.BATCH
HEADER = ["customerGuid", "lastName", "email", "externalSystemId", "externalSystemIdentifier", "parentCustomer"]


def _rows(n: int) -> tuple[list[str], list[list[str]]]:
    guids = [str(uuid.uuid4()) for _ in range(n)]
    return guids, [[g, f"Person {i}", f"p{i}@example.fi", "", "", ""] for i, g in enumerate(guids)]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _import(client, cuid: str, data: str, mode: str = "all-or-nothing"):
    return client.post(
        f"/v1/companies/{cuid}/customers/import",
        params={"mode": mode},
        content=data.encode(),
        headers={"Content-Type": "text/csv"},
    )


def _numbers(client, cuid: str) -> list[int]:
    r = client.get(f"/v1/companies/{cuid}/customers/export.csv")
    assert r.status_code == 200, r.text
    rows = csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"), newline=""))
    return sorted(int(row["customerNumber"]) for row in rows)


def _with_children(rows: list[list[str]], guids: list[str], at: list[int]) -> None:
    """Rows at `at` name the row before them as parent: they are created row by row
    (customers.service.create takes their numbers), between the batches' creates."""
    for i in at:
        rows[i][5] = guids[i - 1]


def test_numbers_are_unique_and_consecutive_across_batches_and_row_by_row_creates(client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    before = create_customer(client, url, lastName="Before")
    assert before["customerNumber"] == 1
    n = 2 * BATCH + 600  # three batches
    guids, rows = _rows(n)
    _with_children(rows, guids, [10, BATCH + 500, 2 * BATCH + 599])
    rows.insert(BATCH + 200, [before["customerGuid"], "Before, updated", "", "", "", ""])
    r = _import(client, cuid, _csv(rows))
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["failed"]) == (n, 1, 0)
    assert create_customer(client, url, lastName="After")["customerNumber"] == n + 2
    assert _numbers(client, cuid) == list(range(1, n + 3))
    child = client.get(f"{url}/{guids[BATCH + 500]}").json()
    assert child["parentCustomer"] == guids[BATCH + 499]


def test_a_failed_all_or_nothing_import_takes_no_number(client, database_url, tmp_path):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    assert create_customer(client, url)["customerNumber"] == 1
    guids, rows = _rows(2 * BATCH + 600)
    _with_children(rows, guids, [BATCH + 5])
    rows[2 * BATCH + 300][2] = "not-an-email"  # fails in the last batch
    data = _csv(rows)
    r = _import(client, cuid, data)
    assert r.status_code == 422, r.text
    assert (r.json()["failed"], r.json()["created"]) == (1, 0)
    assert create_customer(client, url)["customerNumber"] == 2  # as if no import had run
    path = tmp_path / "bad.csv"
    path.write_text(data, encoding="utf-8")
    r = custreg_cli(database_url, "import", str(path), "--company", cuid)
    assert r.returncode == 1 and "nothing was written" in r.stderr, r.stderr
    assert create_customer(client, url)["customerNumber"] == 3
    assert _numbers(client, cuid) == [1, 2, 3]


def test_valid_rows_numbers_only_the_rows_it_writes(client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    assert create_customer(client, url)["customerNumber"] == 1
    n = 2 * BATCH + 600
    guids, rows = _rows(n)
    for i in (7, BATCH + 100, 2 * BATCH + 599):  # a bad row in every batch
        rows[i][2] = "not-an-email"
    _with_children(rows, guids, [BATCH + 300, BATCH + 400])
    # Created row by row, refused after its insert (an unknown external system, checked
    # by the create's after-insert hook): its savepoint and its number are rolled back.
    rows[BATCH + 400][3:5] = ["999", "x-1"]
    r = _import(client, cuid, _csv(rows), mode="valid-rows")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["failed"]) == (n - 4, 4), body["errors"]
    assert sorted(e["row"] for e in body["errors"]) == [9, BATCH + 102, BATCH + 402, 2 * BATCH + 601]
    assert create_customer(client, url)["customerNumber"] == n - 2
    assert _numbers(client, cuid) == list(range(1, n - 1))


def test_creates_beside_an_import_get_numbers_of_their_own(client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    n = 3 * BATCH
    guids, rows = _rows(n)
    _with_children(rows, guids, [BATCH + 1, 2 * BATCH + 1])
    data = _csv(rows)
    result = {}

    def run_import() -> None:
        result["response"] = _import(client, cuid, data, mode="valid-rows")

    importer = threading.Thread(target=run_import)
    importer.start()
    posted = [create_customer(client, url, lastName=f"Beside {i}")["customerNumber"] for i in range(8)]
    importer.join(timeout=300)
    assert result["response"].status_code == 200, result["response"].text
    assert result["response"].json()["created"] == n
    assert len(set(posted)) == 8
    assert _numbers(client, cuid) == list(range(1, n + 9))


def test_the_company_row_is_written_once_per_import_transaction(client, database_url):
    """One UPDATE of the counter per transaction, whatever the number of batches (each batch
    used to update it inside its savepoint, which on PostgreSQL left a version of the
    company row per batch that every later foreign-key check walked until COMMIT)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE test_company_updates (company_id integer)"))
            if PG_URL:
                conn.execute(
                    text(
                        "CREATE FUNCTION test_count_company_update() RETURNS trigger "
                        "LANGUAGE plpgsql AS $$ BEGIN "
                        "INSERT INTO test_company_updates VALUES (NEW.id); RETURN NEW; END $$"
                    )
                )
                conn.execute(
                    text(
                        "CREATE TRIGGER test_count_company_update AFTER UPDATE ON companies "
                        "FOR EACH ROW EXECUTE FUNCTION test_count_company_update()"
                    )
                )
            else:
                conn.execute(
                    text(
                        "CREATE TRIGGER test_count_company_update AFTER UPDATE ON companies "
                        "BEGIN INSERT INTO test_company_updates VALUES (NEW.id); END"
                    )
                )

        def updates(cuid: str) -> int:
            with engine.connect() as conn:
                return conn.execute(
                    text(
                        "SELECT count(*) FROM test_company_updates u JOIN companies c "
                        "ON c.id = u.company_id WHERE c.cuid = :cuid"
                    ),
                    {"cuid": cuid},
                ).scalar()

        cuid = new_company(client)
        n = 4 * BATCH + 100  # five batches
        guids, rows = _rows(n)
        _with_children(rows, guids, [BATCH + 1, 3 * BATCH + 1])  # row-by-row creates
        r = _import(client, cuid, _csv(rows))
        assert r.status_code == 200, r.text
        assert r.json()["created"] == n
        assert updates(cuid) == 1
        assert create_customer(client, f"/v1/companies/{cuid}/customers")["customerNumber"] == n + 1

        guids, rows = _rows(n)
        r = _import(client, cuid, _csv(rows), mode="valid-rows")  # a transaction per 1,000 rows
        assert r.status_code == 200, r.text
        assert updates(cuid) - 2 <= 5
        assert _numbers(client, cuid) == list(range(1, 2 * n + 2))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS test_count_company_update" + (" ON companies" if PG_URL else "")))
            if PG_URL:
                conn.execute(text("DROP FUNCTION IF EXISTS test_count_company_update()"))
            conn.execute(text("DROP TABLE IF EXISTS test_company_updates"))
        engine.dispose()
