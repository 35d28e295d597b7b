"""With SQLAlchemy's statement log on, a create logs every statement it runs: the write path
runs nothing behind SQLAlchemy's back (no raw driver cursor; PostgreSQL's COPY of an import
batch is the one exception, docs/architecture.md). SQLite's own trace of what the driver
executed is compared with the log."""

import logging
import uuid

import pytest
from conftest import ADMIN
from fastapi.testclient import TestClient
from sqlalchemy import event

from custreg.app import create_app
from custreg.settings import Settings


def _head(sql: str) -> str:
    """A statement without its values: SQLite's trace shows them bound, the log as `?`."""
    text = " ".join(sql.split())
    for cut in (" WHERE ", " VALUES ", " SET ", " ON ", "?", "'"):
        text = text.split(cut)[0]
    return text


@pytest.fixture
def traced(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the driver's own statement trace is SQLite's (set_trace_callback)")
    app = create_app(Settings(database_url=database_url, admin_token=ADMIN))
    executed: list[str] = []

    @event.listens_for(app.state.db.engine, "connect")
    def _trace(dbapi_conn, _record):  # a fresh engine: every connection is traced
        dbapi_conn.set_trace_callback(executed.append)

    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as client:
        yield client, executed
    app.state.db.engine.dispose()


def test_a_create_logs_every_statement_it_runs(traced, caplog):
    client, executed = traced
    cuid = f"co-{uuid.uuid4().hex[:10]}"
    assert client.post("/v1/companies", json={"cuid": cuid, "name": "Log Oy", "countryCode": "FI"}).status_code == 201
    body = {"firstName": "Aino", "lastName": "Loki", "email": "aino@example.fi", "city": "Oulu"}
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine.Engine")
    executed.clear()
    r = client.post(f"/v1/companies/{cuid}/customers", json=body)
    assert r.status_code == 201, r.text
    logged = {_head(rec.getMessage()) for rec in caplog.records if rec.name == "sqlalchemy.engine.Engine"}
    # "--": inside a trigger; "'main'.": SQLite's FTS5 reading its own tables.
    ran = [_head(s) for s in executed if not s.lstrip().startswith("--") and "'main'." not in s]
    assert "INSERT INTO customers (id, company_id, customer_guid" in " ".join(ran)
    assert len(ran) >= 8  # the company, the number, the rows, the change, the audit, the copies
    assert [s for s in ran if s not in logged] == []
