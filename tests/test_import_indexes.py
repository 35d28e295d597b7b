"""A large all-or-nothing import into SQLite drops the customers' plain indexes inside its
transaction and builds them again before COMMIT (sync/bulk.py `LargeLoad`): after it
the schema is as before and every index agrees with the table; a failed one leaves both
the rows and the indexes as they were. SQLite only (PostgreSQL keeps its indexes)."""

import csv
import sqlite3

import pytest
from conftest import PG_URL
from fastapi.testclient import TestClient
from sync_util import custreg_cli

from custreg.app import create_app
from custreg.settings import Settings
from custreg.sync import bulk

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's import path")

ROWS = bulk.DEFER_FROM + 50


def _indexes(path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()


def _write(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["lastName", "firstName", "email", "idNumber"])
        w.writerows(rows)


def test_large_import_rebuilds_the_indexes(tmp_path):
    db = tmp_path / "big.db"
    url = f"sqlite:///{db}"
    assert custreg_cli(url, "demo").returncode == 0
    before = _indexes(db)
    assert any(name == "ix_customers_company_last_name" for name, *_ in before)

    bad = tmp_path / "bad.csv"  # the last row fails: all or nothing
    _write(
        bad,
        [[f"Virtanen{i % 97}", "Aino", f"a{i}@example.fi", ""] for i in range(ROWS)]
        + [["Bad", "Row", "not an e-mail", ""]],
    )
    r = custreg_cli(url, "import", str(bad), "--company", "demo")
    assert r.returncode == 1 and "nothing was written" in r.stderr, r.stdout + r.stderr
    assert _indexes(db) == before

    good = tmp_path / "good.csv"
    _write(good, [[f"Virtanen{i % 97}", "Aino", f"a{i}@example.fi", ""] for i in range(ROWS)])
    r = custreg_cli(url, "import", str(good), "--company", "demo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "building the customers' indexes" in r.stderr  # they were dropped, and are back:
    assert _indexes(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plan = " ".join(
            str(row)
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE company_id = 1 AND email = 'a7@example.fi'"
            )
        )
        assert "ix_customers_company_email" in plan, plan

    app = create_app(Settings(database_url=url, admin_token="t", rate_limit_per_second=0))
    with TestClient(app, headers={"Authorization": "Bearer t"}) as client:
        url = "/v1/companies/demo/customers"
        page = client.get(url, params={"$filter": "lastName eq 'Virtanen7'", "$top": 3}).json()
        assert page["total"] == len(range(7, ROWS, 97)) and page["count"] == 3
        assert client.get(url, params={"$filter": "email eq 'a7@example.fi'"}).json()["total"] == 1


def test_large_import_indexes_the_words_once_and_keeps_them_true(tmp_path):
    """The search words of a large load are added after its rows, and before any row that
    updates a customer written earlier in the same file: a later row with the same
    customerGuid renames it, and searchWord finds the new name only; the insert triggers
    are back after COMMIT."""
    db = tmp_path / "words.db"
    url = f"sqlite:///{db}"
    assert custreg_cli(url, "demo").returncode == 0
    with sqlite3.connect(db) as conn:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    guid = "6b1f5a0e-4a8e-4a43-9b3e-3f7d2c1a9e01"
    path = tmp_path / "words.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["customerGuid", "lastName", "firstName", "email"])
        w.writerow([guid, "Oldname", "Aino", "first@example.fi"])
        w.writerows(["", "Bulkrow", f"Zyxw{chr(97 + i % 26)}", f"b{i}@example.fi"] for i in range(ROWS))
        w.writerow([guid, "Newname", "Aino", "first@example.fi"])  # updates the first row
    r = custreg_cli(url, "import", str(path), "--company", "demo")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout + r.stderr  # the summary: rows, time and rate
    assert f"{ROWS + 2}" in out and "rows/s" in out and " s" in out, out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall() == (
            triggers
        )
        conn.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")

    app = create_app(Settings(database_url=url, admin_token="t", rate_limit_per_second=0))
    with TestClient(app, headers={"Authorization": "Bearer t"}) as client:
        url = "/v1/companies/demo/customers"
        assert client.get(url, params={"searchWord": "newname"}).json()["total"] == 1
        assert client.get(url, params={"searchWord": "oldname"}).json()["total"] == 0
        assert client.get(url, params={"searchWord": "bulkrow"}).json()["total"] == ROWS
        assert client.get(url, params={"searchWord": "bulkrow zyxwc"}).json()["total"] == len(range(2, ROWS, 26))
        # a customer added after the import is indexed by its trigger again
        made = client.post(url, json={"lastName": "Afterimport", "firstName": "Aino"})
        assert made.status_code == 201, made.text
        assert client.get(url, params={"searchWord": "afterimport"}).json()["total"] == 1
