"""Tenant fairness (docs/limits.md, docs/concurrency.md): a long import in one company never
makes another company's reads wait, and a write that cannot get its lock in time is
answered 503 with Retry-After instead of hanging. A served app (uvicorn, the default
execution: reads in the reader lanes, writes in the writer lane, the import in a worker thread)."""

import contextlib
import sqlite3
import threading

import psycopg
import pytest
from conftest import new_company
from reliability_util import Server
from sqlalchemy.engine import make_url

CSV = {"content-type": "text/csv"}
ROWS = 5_000


@contextlib.contextmanager
def _lock_held_elsewhere(database_url: str, cuid: str):
    """Another process's lock that a creating POST in `cuid` needs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        conn.execute("SELECT 1 FROM companies WHERE cuid = %s FOR UPDATE", (cuid,))
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def served(database_url):
    with Server(database_url, sqlite_busy_timeout_ms=500) as server:
        yield server


def test_a_blocked_write_is_503_with_retry_after(served, client, database_url):
    cuid = new_company(client)
    with served.http() as http, _lock_held_elsewhere(database_url, cuid):
        r = http.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Waits"})
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "1" and r.json()["code"] == "database_busy"
    with served.http() as http:  # the lock released: the same write goes through
        assert http.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Waits"}).status_code == 201


def test_a_long_import_never_stalls_another_companys_reads(served, client):
    a, b = new_company(client), new_company(client)
    with served.http(timeout=300) as http:
        n = http.post(f"/v1/companies/{b}/customers", json={"lastName": "Bee"}).json()["customerNumber"]
        body = "lastName,firstName,email\n" + "".join(f"Name{i},First{i},p{i}@example.com\n" for i in range(ROWS))
        answers: dict[str, object] = {}

        def run_import():
            answers["import"] = http.post(f"/v1/companies/{a}/customers/import", content=body, headers=CSV)

        importer = threading.Thread(target=run_import)
        importer.start()
        writes: list[int] = []
        reads_during = 0
        while importer.is_alive():
            # Two writes to A meanwhile (they wait for the import's lock, or pass), then B's reads.
            if len(writes) < 2:
                w = http.post(f"/v1/companies/{a}/customers", json={"lastName": "Ay"})
                assert w.status_code in (201, 503), w.text
                if w.status_code == 503:
                    assert w.headers["Retry-After"]
                writes.append(w.status_code)
            r = http.get(f"/v1/companies/{b}/customers/{n}")
            assert r.status_code == 200 and r.json()["lastName"] == "Bee"
            assert http.get("/health").status_code == 200
            reads_during += importer.is_alive()
        importer.join()
    imported = answers["import"]
    assert imported.status_code == 200 and imported.json()["created"] == ROWS, imported.text
    assert reads_during >= 1  # B was answered while A's import ran
