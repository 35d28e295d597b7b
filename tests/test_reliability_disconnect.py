"""PostgreSQL drops the API's connections (a restart, a failover, an idle-session kill):
the requests that meet a dead pooled connection get 503 + Retry-After, never a 500, and
the next ones are served on new connections. There is no pre-ping round trip per request
(src/custreg/db/engine.py), so this is the whole recovery story."""

import os

import pytest
from access_util import own_app
from conftest import ADMIN, assert_problem, create_customer
from serve_util import free_port
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.skipif(
    not os.environ.get("CUSTREG_TEST_POSTGRES_URL"), reason="PostgreSQL only: SQLite has no server to drop a connection"
)


def _terminate_app_connections(database_url: str) -> int:
    killer = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with killer.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        killer.dispose()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dropped_connections_answer_503_then_recover(client, customers_url, database_url, method):
    number = create_customer(client, customers_url, lastName="Korhonen")["customerNumber"]
    for _ in range(3):  # warm several pooled connections
        assert client.get(f"{customers_url}/{number}").status_code == 200
    assert _terminate_app_connections(database_url) >= 1

    def call():
        if method == "GET":
            return client.get(f"{customers_url}/{number}")
        return client.post(customers_url, json={"lastName": "Nieminen"})

    ok = 200 if method == "GET" else 201
    first = call()  # every pooled connection is dead: this one meets one
    body = assert_problem(first, 503)
    assert first.headers["Retry-After"] == "1"
    assert "connection" in body["detail"].lower()
    for _ in range(3):
        assert call().status_code == ok
    # Nothing half-written: the customers list holds the ones that answered 201, no more.
    listed = client.get(customers_url, params={"$top": 100}).json()["total"]
    assert listed == (4 if method == "POST" else 1)


def test_unreachable_server_answers_503(database_url):
    """PostgreSQL down (a restart's seconds, bench/soak.py): a new connection fails, and the
    request gets 503 + Retry-After, not a 500."""
    down = make_url(database_url).set(port=free_port()).render_as_string(hide_password=False)
    with own_app(down) as http:
        r = http.get("/v1/companies", headers={"Authorization": f"Bearer {ADMIN}"})
        assert_problem(r, 503)
        assert r.headers["Retry-After"] == "1"
