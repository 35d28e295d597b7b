"""A large all-or-nothing import into SQLite drops the customers' plain indexes inside its
transaction and builds them again before COMMIT (sync/bulk.py `defer_indexes`): after it
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

ROWS = bulk.DEFER_INDEXES_FROM + 50


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
