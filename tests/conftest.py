"""Test fixtures: a real database of this run's own (SQLite file, or a fresh PostgreSQL
database created and dropped), built by the migrations; the API through TestClient."""

import contextlib
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings

ADMIN = "test-admin-token"
PG_URL = os.environ.get("CUSTREG_TEST_POSTGRES_URL")  # server URL; a database is made per run


def _postgres_database():
    base = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"custreg_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        )

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if PG_URL:
        url, drop = _postgres_database()
        upgrade(url)
        yield url
        drop()
    else:
        path = tmp_path_factory.mktemp("db") / "custreg.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url):
    return Settings(database_url=database_url, admin_token=ADMIN)


@pytest.fixture(scope="session")
def app(settings):
    application = create_app(settings)
    yield application
    application.state.db.engine.dispose()


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as c:
        yield c


@pytest.fixture(scope="session")
def anon(app):
    with TestClient(app) as c:
        yield c


def new_company(client, country: str = "FI") -> str:
    cuid = f"co-{uuid.uuid4().hex[:10]}"
    r = client.post("/v1/companies", json={"cuid": cuid, "name": f"Company {cuid}", "countryCode": country})
    assert r.status_code == 201, r.text
    return cuid


@pytest.fixture
def company(client) -> str:
    """A fresh company per test: tests never see each other's customers."""
    return new_company(client)


@pytest.fixture
def customers_url(company) -> str:
    return f"/v1/companies/{company}/customers"


def create_customer(client, url: str, **fields) -> dict:
    if not any(k in fields for k in ("lastName", "fullName", "companyName")):
        fields["lastName"] = "Virtanen"
    r = client.post(url, json=fields)
    assert r.status_code == 201, r.text
    return r.json()


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and "detail" in body
    if field is not None:
        named = [e["field"] for e in body.get("errors", [])]
        assert field in named or field in body["detail"], body
    return body


@contextlib.contextmanager
def count_statements(app):
    """The SQL statements the app's engine runs inside the block."""
    engine = app.state.db.engine
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


# The customer both fuzz runs seed (tests/test_reliability_fuzz.py in-process, tests/test_api_schemathesis.py
# over HTTP): with an address and a contact, so record operations reach real data.
FUZZ_CUSTOMER = {
    "lastName": "Virtanen",
    "firstName": "Aino",
    "email": "aino@example.fi",
    "street": "Mannerheimintie",
    "houseNo": "1",
    "zipCode": "00100",
    "city": "Helsinki",
    "addresses": [{"addressType": "DELIVERY", "street": "Aleksanterinkatu 2", "city": "Helsinki", "zipCode": "00100"}],
    "contacts": [{"name": "Matti", "email": "matti@example.fi"}],
}
