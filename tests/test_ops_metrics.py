"""GET /metrics (Prometheus, scope admin) and the access log: one line per request with the
route template, never a path, a query, a token or a customer's data (issue 22;
docs/operations.md)."""

import logging
import re

from access_util import bearer, new_client, own_app, token_for
from conftest import ADMIN, assert_problem, create_customer

TEMPLATE = "/v1/companies/{cuid}/customers/{customer}"


def _sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{"):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit("} ", 1)[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_need_the_platform_admin_scope(client, anon, company):
    assert_problem(anon.get("/metrics"), 401)
    reader = new_client(client, [company], ["customers:read", "customers:write", "register:admin"])
    assert_problem(anon.get("/metrics", headers=bearer(token_for(anon, reader))), 403)
    # A company's administrator sees its own companies only; the metrics are every company's.
    company_admin = new_client(client, [company], ["admin"])
    assert_problem(anon.get("/metrics", headers=bearer(token_for(anon, company_admin))), 403)
    operator = new_client(client, [], ["platform:admin"])
    r = anon.get("/metrics", headers=bearer(token_for(anon, operator)))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert client.get("/metrics").status_code == 200


def test_metrics_count_requests_by_route_template_of_this_app_only(client, database_url, company):
    customers = f"/v1/companies/{company}/customers"
    made = create_customer(client, customers, lastName="Metriikka", email="metrics@example.fi")
    number, guid = made["customerNumber"], made["customerGuid"]
    with own_app(database_url) as http:
        h = bearer(ADMIN)
        for _ in range(3):
            assert http.get(f"{customers}/{number}", headers=h).status_code == 200
        assert http.get(f"{customers}/{guid}", headers=h).status_code == 200
        assert http.get(f"{customers}/999999", headers=h).status_code == 404
        assert http.get(f"{customers}?$filter=lastName eq 'Metriikka'", headers=h).status_code == 200
        http.get("/no/such/path")
        text = http.get("/metrics", headers=h).text
    count = "custreg_http_requests_total"
    # 3 by number and 1 by GUID: one series, the template's.
    assert _sample(text, count, method="GET", route=TEMPLATE, status="200") == 4
    assert _sample(text, count, method="GET", route=TEMPLATE, status="404") == 1
    assert _sample(text, count, method="GET", route="/v1/companies/{cuid}/customers", status="200") == 1
    assert _sample(text, count, method="GET", route="-", status="404") == 1
    duration = "custreg_http_request_duration_seconds"
    assert _sample(text, duration + "_count", route=TEMPLATE, status="200") == 4
    assert _sample(text, duration + "_bucket", route=TEMPLATE, status="200", le="+Inf") == 4
    assert _sample(text, duration + "_sum", route=TEMPLATE, status="200") > 0  # type: ignore[operator]
    # This app's own registry: the session app's requests (the create above) are not here.
    assert _sample(text, count, method="POST", route="/v1/companies/{cuid}/customers", status="201") is None
    # No concrete path, company, customer number or GUID, no query.
    for concrete in (company, guid, f"/customers/{number}", "/999999", "Metriikka", "no/such", "$filter"):
        assert concrete not in text, concrete
    # The database pool.
    assert _sample(text, "custreg_db_pool_connections", state="in_use") is not None
    assert "custreg_db_pool_size " in text


def _access_lines(caplog) -> list[logging.LogRecord]:
    return [rec for rec in caplog.records if rec.name == "custreg.access"]


def test_access_log_line(client, anon, database_url, company, caplog):
    customers = f"/v1/companies/{company}/customers"
    made = create_customer(
        client, customers, firstName="Aino", lastName="Lokimerkintä", email="aino.loki@example.fi", notes="secret"
    )
    reader = new_client(client, [company], ["customers:read"])
    token = token_for(anon, reader)
    caplog.set_level(logging.INFO, logger="custreg.access")
    caplog.clear()
    r = anon.get(
        f"{customers}/{made['customerGuid']}",
        params={"searchWord": "Lokimerkintä"},
        headers={**bearer(token), "X-Request-Id": "trace-42"},
    )
    assert r.status_code == 200
    anon.get(customers)  # 401, no credentials
    client.get(f"{customers}/{made['customerNumber']}")
    lines = _access_lines(caplog)
    assert len(lines) == 3, [rec.getMessage() for rec in lines]
    first = lines[0]
    message = first.getMessage()
    assert message.startswith(f"method=GET route={TEMPLATE} status=200 duration_ms=")
    assert message.endswith(f" request_id=trace-42 client=client:{reader['clientId']}")
    # The same fields as attributes, for a structured (JSON) formatter.
    assert (first.method, first.route, first.status, first.request_id) == ("GET", TEMPLATE, 200, "trace-42")
    assert first.client == f"client:{reader['clientId']}" and first.duration_ms > 0
    assert re.search(r" duration_ms=\d+\.\d+ ", message)
    assert lines[1].getMessage().startswith("method=GET route=/v1/companies/{cuid}/customers status=401 ")
    assert lines[1].getMessage().endswith(" client=-")
    assert lines[2].getMessage().endswith(" client=admin")
    logged = "\n".join(rec.getMessage() for rec in lines)
    for secret in (
        token,
        ADMIN,
        company,
        made["customerGuid"],
        f"/{made['customerNumber']}",
        "Lokimerkintä",
        "Aino",
        "aino.loki",
        "searchWord",
        "?",
    ):
        assert secret not in logged, secret


def test_each_request_id_is_in_its_log_line(anon, caplog):
    caplog.set_level(logging.INFO, logger="custreg.access")
    caplog.clear()
    ids = [anon.get("/health").headers["X-Request-Id"] for _ in range(3)]
    assert [rec.request_id for rec in _access_lines(caplog)] == ids


def test_a_413_before_any_route_is_logged_and_counted(database_url, company, caplog):
    caplog.set_level(logging.INFO, logger="custreg.access")
    with own_app(database_url, max_body_bytes=100) as http:
        caplog.clear()
        r = http.post(f"/v1/companies/{company}/customers", json={"lastName": "x" * 300}, headers=bearer(ADMIN))
        assert_problem(r, 413)
        [line] = _access_lines(caplog)
        assert line.getMessage().startswith("method=POST route=- status=413 ")
        assert line.request_id == r.headers["X-Request-Id"]
        text = http.get("/metrics", headers=bearer(ADMIN)).text
    assert _sample(text, "custreg_http_requests_total", method="POST", route="-", status="413") == 1


def test_the_access_log_can_be_turned_off(database_url, caplog):
    caplog.set_level(logging.INFO, logger="custreg.access")
    with own_app(database_url, access_log=False) as http:
        caplog.clear()
        assert http.get("/health").status_code == 200
        assert _access_lines(caplog) == []
        # The metrics still count.
        text = http.get("/metrics", headers=bearer(ADMIN)).text
    assert _sample(text, "custreg_http_requests_total", route="/health", status="200") == 1
